"""The one place a step of the pipeline runs: the CLI commands and the Airflow tasks both call these
functions (a command is its options, one call here and printing; a task is one call here).

* :mod:`gongkai.pipeline.ingest` — registry → discover → fetch → extract + load (`gongkai fetch`,
  `gongkai load`, the `el_annual_reports` DAG);
* :mod:`gongkai.pipeline.warehouse` — migrations, dbt, the quality checks and the alert digest
  (`gongkai migrate | transform | check`, the `t_warehouse` DAG);
* :mod:`gongkai.pipeline.batching` — cutting work into mapped-task batches.

This package module itself imports nothing heavy: a DAG file imports it when it is parsed, and imports
the step modules inside its task bodies.
"""

from gongkai.pipeline.batching import batched, plan_batches

__all__ = ["RAW_ASSET_URI", "batched", "default_years", "ingest_schedule", "plan_batches"]

# The Asset the ingest DAG updates and the warehouse DAG is scheduled on.
RAW_ASSET_URI = "gongkai://warehouse/raw"


def default_years(logical_date=None) -> list[int]:
    """The report year a run collects by default: reports for year N appear in January–March of N+1."""
    from datetime import UTC, datetime

    when = logical_date or datetime.now(UTC)
    return [when.year - 1]


INGEST_SCHEDULE = "0 6 * 1-3 *"  # 06:00 daily, January to March: when last year's reports appear


def ingest_schedule() -> str | None:
    """The ingest DAG's schedule: ``GONGKAI_INGEST_SCHEDULE`` (a cron expression, or ``none`` for
    triggered runs only, as a test or demo cluster wants) when set, else :data:`INGEST_SCHEDULE`."""
    import os

    value = os.environ.get("GONGKAI_INGEST_SCHEDULE", "").strip()
    if not value:
        return INGEST_SCHEDULE
    return None if value.lower() == "none" else value
