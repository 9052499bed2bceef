"""el_annual_reports: registry → discover → fetch → plan → extract → load, for the 政府信息公开工作年度报告.

Runs daily from 1 January to 31 March (when the reports for the previous year appear) and on demand.
Past years: trigger with ``{"years": [2021, 2022]}`` or ``airflow backfill create``. Fetch and extraction
run in mapped *batches* of documents (never one task per document); extraction happens in worker
processes with a per-document timeout, text documents in the pool ``gongkai_extract`` and scans in
``gongkai_ocr`` (their own batches: text never waits behind OCR; see gongkai.pipeline.pools). The logic lives in ``gongkai.pipeline.ingest`` (unit-tested);
this file only wires the tasks. Heavy imports stay inside the task bodies.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param, dag, task

from gongkai.pipeline import RAW_ASSET_URI, ingest_schedule
from gongkai.pipeline.notify import failure_notifier
from gongkai.pipeline.pools import EXTRACT_POOL, OCR_POOL, PROCESSES_PER_TASK

RAW = Asset(RAW_ASSET_URI)

default_args = {
    "owner": "gongkai",
    "retries": 3,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
}


@dag(
    dag_id="el_annual_reports",
    description="Fetch, extract and load the yearly government-information-disclosure reports.",
    schedule=ingest_schedule(),  # 06:00 daily, January–March; GONGKAI_INGEST_SCHEDULE=none: triggered only
    start_date=pendulum.datetime(2025, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    on_failure_callback=failure_notifier(),
    tags=["gongkai", "extract-load"],
    doc_md=__doc__,
    params={
        "years": Param([], type="array", items={"type": "integer"},
                       description="Report years to collect; empty = the year before the run's date."),
        "publishers": Param([], type="array", items={"type": "string"},
                            description="Publisher names from the registry; empty = all."),
        "registry": Param("", type="string", description="Registry YAML path; empty = registry/publishers.yaml."),
        "extract_timeout_s": Param(60, type="integer", minimum=1, description="Per-document extraction timeout."),
        "extract_workers": Param(2, type="integer", minimum=1, description="Extraction worker processes per batch."),
        "fetch_delay_s": Param(0.5, type="number", minimum=0,
                               description="Seconds between two requests to the same host (politeness)."),
    },
)
def el_annual_reports():
    @task
    def registry(params=None) -> list[str]:
        from gongkai.pipeline.ingest import registry_step

        return registry_step(params["registry"] or None, params["publishers"])

    @task
    def discover(names: list[str], params=None, logical_date=None) -> list[list[dict]]:
        from gongkai.pipeline import default_years
        from gongkai.pipeline.ingest import discover_step

        years = params["years"] or default_years(logical_date)
        return discover_step(names, years, registry_path=params["registry"] or None)

    # Politeness to government sites: at most 4 fetch batches at once across all runs (the fetch client
    # also limits requests per host); in production assign a pool, e.g. pool="gov_sites".
    @task(max_active_tis_per_dag=4, retry_delay=timedelta(minutes=2))
    def fetch_batch(batch: list[dict], params=None) -> list[dict]:
        from gongkai.pipeline.ingest import fetch_step

        return fetch_step(batch, per_host_delay=float(params["fetch_delay_s"]))

    # What needs extracting (not already in the warehouse), text and scans apart (extractors.ocr.ocr_pages):
    # one planning task per kind (Airflow maps over a task's whole return value only).
    @task
    def plan_extract(fetched, kind: str) -> list[list[dict]]:
        from gongkai.pipeline.ingest import plan_extract_step

        return plan_extract_step(list(fetched))[kind]

    # Extraction is sized by pools that follow the cluster (gongkai.pipeline.pools: workers x cores), not
    # by a constant: a batch takes one slot per extraction process it starts. Scans have their own pool.
    @task(pool=EXTRACT_POOL, pool_slots=PROCESSES_PER_TASK)
    def extract_load_batch(fetched: list[dict], params=None) -> dict:
        from gongkai.pipeline.ingest import extract_load_step

        return extract_load_step(fetched, workers=params["extract_workers"], timeout_s=params["extract_timeout_s"])

    # Runs even when there was nothing to fetch (empty mapped tasks are skipped): the Asset is still updated.
    @task(outlets=[RAW], trigger_rule="none_failed")
    def summarize(fetched, text_plan, ocr_plan, text_loaded, ocr_loaded) -> dict:
        from gongkai.pipeline.ingest import summarize as totals

        out = totals(list(fetched), [*(text_loaded or []), *(ocr_loaded or [])],
                     planned=[*(text_plan or []), *(ocr_plan or [])])
        print(f"gongkai ingest summary: {out['fetch']} {out['load']} throughput: {out['rates']}")
        return out

    batches = discover(registry())
    fetched = fetch_batch.expand(batch=batches)
    text_plan = plan_extract.override(task_id="plan_text")(fetched, "text")
    ocr_plan = plan_extract.override(task_id="plan_ocr")(fetched, "ocr")
    text_loaded = extract_load_batch.expand(fetched=text_plan)
    ocr_loaded = extract_load_batch.override(task_id="extract_load_ocr_batch", pool=OCR_POOL).expand(
        fetched=ocr_plan)
    summarize(fetched, text_plan, ocr_plan, text_loaded, ocr_loaded)


el_annual_reports()
