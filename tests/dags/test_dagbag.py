"""DagBag import test: every DAG in dags/ imports, has no cycles, and carries tags, an owner and retries."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # Airflow's import and the DAGs' parse in a subprocess

# What a DAG file must not import when it is parsed (every 30 s by the dag-processor): the task bodies
# import them when they run.
HEAVY = ("great_expectations", "pandas", "pdfplumber", "psycopg", "httpx", "dbt.cli.main", "extractors",
         "gongkai.fetch", "gongkai.warehouse", "gongkai.pipeline.ingest", "gongkai.pipeline.warehouse",
         "gongkai.quality.runner", "gongkai.demo")

DAGS = Path(__file__).resolve().parents[2] / "dags"
EXPECTED = {"el_annual_reports", "t_warehouse"}

# The DagBag is filled in a subprocess with its own AIRFLOW_HOME: Airflow reads its configuration once per
# process, and the test process must not pick up (or create) anybody's airflow.cfg.
PROBE = textwrap.dedent("""
    import json, sys
    from airflow.dag_processing.dagbag import DagBag
    before = set(sys.modules)
    bag = DagBag(dag_folder=DAGS_FOLDER)
    parsed = set(sys.modules) - before
    out = {"errors": {k: str(v)[-2000:] for k, v in bag.import_errors.items()}, "dags": {},
           "imported": sorted(m for m in parsed if m.split(".")[0] in HEAVY_ROOTS)}
    for dag_id, dag in bag.dags.items():
        cyclic = None
        try:
            dag.check_cycle()
        except Exception as e:
            cyclic = str(e)
        out["dags"][dag_id] = {
            "tags": sorted(dag.tags or []),
            "owners": sorted({t.owner for t in dag.tasks}),
            "retries": sorted({t.retries for t in dag.tasks}),
            "tasks": sorted(t.task_id for t in dag.tasks),
            "cycle": cyclic,
            "fileloc": dag.fileloc,
            "schedule": str(getattr(dag, "timetable", "")),
            "outlets": sorted(str(o.uri) for t in dag.tasks for o in (getattr(t, "outlets", None) or [])
                              if hasattr(o, "uri")),
            "has_failure_callback": bool(dag.on_failure_callback),
            "upstream": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks},
            "task_retries": {t.task_id: t.retries for t in dag.tasks},
            "failure_callbacks": sorted(f"{type(cb).__name__}:{getattr(cb, 'smtp_conn_id', '')}"
                                        for cb in (dag.on_failure_callback if isinstance(dag.on_failure_callback, list)
                                                   else [dag.on_failure_callback] if dag.on_failure_callback else [])),
        }
    print("DAGBAG-JSON " + json.dumps(out))
""")


@pytest.fixture(scope="module")
def bag(tmp_path_factory, dbt_manifest):
    from gongkai.warehouse.dbt import MANIFEST_ENV

    home = tmp_path_factory.mktemp("airflow_home")
    # the manifest of `dbt parse`, as the demo and the image write it before Airflow parses the DAGs
    env = dict(os.environ, **{MANIFEST_ENV: str(dbt_manifest)}, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(DAGS), AIRFLOW__CORE__UNIT_TEST_MODE="True",
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
               AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING")
    roots = sorted({m.split(".")[0] for m in HEAVY})
    probe = PROBE.replace("DAGS_FOLDER", repr(str(DAGS))).replace("HEAVY_ROOTS", repr(roots))
    proc = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=600,
                          cwd=DAGS.parent)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("DAGBAG-JSON ")), None)
    assert line, f"the DagBag probe failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    import json

    return json.loads(line.removeprefix("DAGBAG-JSON "))


def test_no_import_errors(bag):
    assert bag["errors"] == {}


def test_the_expected_dags_are_there(bag):
    assert set(bag["dags"]) >= EXPECTED


def test_no_cycles(bag):
    assert {d: v["cycle"] for d, v in bag["dags"].items() if v["cycle"]} == {}


PRODUCER = "dbt_build.dbt_producer_watcher"  # cosmos' watcher mode: the one `dbt build` (see dags/t_warehouse.py)


def test_every_dag_has_tags_an_owner_and_retries(bag):
    for dag_id, d in bag["dags"].items():
        assert d["tags"], f"{dag_id} has no tags"
        assert d["owners"] and "airflow" not in d["owners"], f"{dag_id} tasks have no owner: {d['owners']}"
        retries = [r for t, r in d["task_retries"].items() if t != PRODUCER]  # the producer must not retry
        assert min(retries) >= 1, f"{dag_id} has tasks without retries: {d['retries']}"


def test_no_dag_file_is_named_dbt_star():
    assert not list(DAGS.glob("dbt_*.py")), "cosmos treats dbt_*.py files specially: rename the DAG file"


def test_ingest_feeds_the_warehouse_dag_through_an_asset(bag):
    el, t = bag["dags"]["el_annual_reports"], bag["dags"]["t_warehouse"]
    assert el["outlets"] == ["gongkai://warehouse/raw"]
    assert "gongkai://warehouse/raw" in t["schedule"] or "Asset" in t["schedule"]
    assert "0 6 * 1-3 *" in el["schedule"]
    assert t["has_failure_callback"]


def test_every_dag_emails_its_failure(bag):
    """A failed run of any DAG is e-mailed (issue 8): the one SmtpNotifier of gongkai.pipeline.notify."""
    for dag_id, d in bag["dags"].items():
        assert d["failure_callbacks"] == ["SmtpNotifier:smtp_default"], (dag_id, d["failure_callbacks"])


def test_fetch_and_extract_are_mapped_batches_and_dbt_is_a_task_group(bag):
    el, t = bag["dags"]["el_annual_reports"], bag["dags"]["t_warehouse"]
    assert {"registry", "discover", "fetch_batch", "extract_load_batch", "summarize"} <= set(el["tasks"])
    dbt_tasks = [x for x in t["tasks"] if x.startswith("dbt_build.")]
    assert "dbt_build.rpt_report_overview_run" in dbt_tasks, dbt_tasks  # one task per model …
    assert "dbt_build.dbt_project_test" in dbt_tasks  # … and the data tests once all are built
    assert {"quality_checks", "alert_digest"} <= set(t["tasks"])
    assert {"take_raw_lease", "release_raw_lease"} <= set(t["tasks"])  # loads wait while dbt reads raw


def test_parsing_imports_nothing_heavy(bag):
    # Parsing stays cheap by construction (asserted on what was imported, not on a stopwatch).
    heavy = [m for m in bag["imported"] if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []
    assert "gongkai.pipeline" in bag["imported"]  # the probe does see what the DAG files import


def test_the_dbt_tasks_are_the_models_of_the_manifest_the_pipeline_built(bag, dbt_manifest):
    # cosmos renders the group from the manifest of `dbt parse` (the demo and the image build it; it is
    # never committed): one task per model and seed of the project, nothing else, nothing missing.
    import json

    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    nodes = {f"dbt_build.{n['name']}_{'seed' if n['resource_type'] == 'seed' else 'run'}"
             for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")}
    tasks = {t for t in bag["dags"]["t_warehouse"]["tasks"]
             if t.startswith("dbt_build.") and (t.endswith("_run") or t.endswith("_seed"))}
    assert tasks == nodes and len(nodes) > 20


def test_watcher_mode_builds_once_then_each_model_task_reads_its_result(bag):
    t = bag["dags"]["t_warehouse"]
    up = t["upstream"]
    assert PRODUCER in up and up[PRODUCER] == ["take_raw_lease"]
    assert t["task_retries"][PRODUCER] == 0  # a producer retry is a skip in cosmos: it would hide a failure

    def ancestors(task: str) -> set[str]:
        seen, todo = set(), [task]
        while todo:
            for u in up[todo.pop()]:
                if u not in seen:
                    seen.add(u)
                    todo.append(u)
        return seen

    models = [x for x in t["tasks"] if x.startswith("dbt_build.") and (x.endswith("_run") or x.endswith("_seed"))]
    assert models and all(PRODUCER in ancestors(m) for m in models)  # none waits beside a running build
    assert set(models) <= ancestors("dbt_build.dbt_project_test")  # the data tests once, after every model
    assert {PRODUCER, "dbt_build.dbt_project_test"} <= ancestors("quality_checks")
