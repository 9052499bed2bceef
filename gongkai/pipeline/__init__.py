"""The logic the Airflow DAGs call, as plain functions over JSON-serialisable values (what XCom carries).

`ingest`: registry → discover → fetch a batch → extract + load a batch (the `el_annual_reports` DAG).
`warehouse`: migrations, quality checks and the alert digest (the `t_warehouse` DAG).

Each function imports the other teams' modules inside its body, so importing this package (and parsing
a DAG file) stays cheap.
"""

from gongkai.pipeline.batching import batched, plan_batches

__all__ = ["RAW_ASSET_URI", "batched", "default_years", "plan_batches"]

# The Asset the ingest DAG updates and the warehouse DAG is scheduled on.
RAW_ASSET_URI = "gongkai://warehouse/raw"


def default_years(logical_date=None) -> list[int]:
    """The report year a run collects by default: reports for year N appear in January–March of N+1."""
    from datetime import UTC, datetime

    when = logical_date or datetime.now(UTC)
    return [when.year - 1]
