"""t_warehouse: dbt build (staging → intermediate → marts) → balancing-rule checks → alert digest.

Scheduled on the Asset the ingest DAG (`el_annual_reports`) updates, so it runs after every load. dbt runs
through a cosmos ``DbtTaskGroup`` (one ``dbt run`` task per model, then one ``dbt test`` task), with the
profile mapped from the Airflow connection ``warehouse_default``. The checks write their results to the
``dq`` schema; when a critical rule fails, the digest is e-mailed through Airflow's SmtpNotifier
(connection ``smtp_default``). A task that crashes e-mails the DAG-level failure notifier instead.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import Asset, Param, dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior
from cosmos.profiles import PostgresUserPasswordProfileMapping

from gongkai.pipeline import RAW_ASSET_URI
from gongkai.pipeline.notify import failure_notifier

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
# The dbt of this Python environment (the venv locally, the image's in docker compose).
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

default_args = {
    "owner": "gongkai",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
}

profile_config = ProfileConfig(
    profile_name="gongkai",
    target_name="airflow",
    # threads: the watcher's one `dbt build` runs independent models side by side (a "local" task runs one)
    profile_mapping=PostgresUserPasswordProfileMapping(conn_id="warehouse_default",
                                                       profile_args={"schema": "public", "threads": 4}),
)

# The dbt graph is rendered at every DAG parse. From a manifest written by `dbt parse` (the demo and the
# image write one; $GONGKAI_DBT_MANIFEST, else dbt_project/target/manifest.json) it takes ~0.1 s and is
# exact; without one, cosmos runs `dbt ls` (offline, mock profile, slower). Each model (and the seed)
# becomes one `dbt run --select <model>` task; one `dbt test` task runs every data test once all models
# are built (a relationships test needs both of its models: per-model testing would run it too early).
MANIFEST = Path(os.environ.get("GONGKAI_DBT_MANIFEST") or DBT_PROJECT / "target" / "manifest.json")
HAVE_MANIFEST = MANIFEST.is_file()
# How the dbt tasks run ($GONGKAI_DBT_EXECUTION):
# * "watcher" (default): cosmos' watcher mode. One task, `dbt_producer_watcher`, runs one `dbt build` of every
#   model (dbt's own threads; dbt imported and the project parsed once per run); then one task per model
#   reads that model's outcome from the producer's XComs and succeeds or fails with it — a second, cheap
#   look at the same build, kept for per-model state, logs and retries in the UI. The model tasks start
#   after the producer (wired below), never beside it: a sensor started first would wait for a producer
#   that `airflow dags test` (which runs one task at a time) never reaches, and on workers each would hold a
#   slot or a trigger for the whole build. The producer never retries: cosmos turns a producer retry
#   into a skip, which would hide a failed build from the run's state. A failed model task retries by
#   running its own model (cosmos' fallback), as "local" does.
# * "local": one `dbt run --select <model>` task per model, each importing dbt and parsing the project.
# Both invoke dbt in-process (dbtRunner); the data tests run once, after every model (one `dbt test`).
DBT_EXECUTION = os.environ.get("GONGKAI_DBT_EXECUTION", "watcher").strip().lower()
EXECUTION_MODE = ExecutionMode.LOCAL if DBT_EXECUTION == "local" else ExecutionMode.WATCHER
render_config = RenderConfig(
    load_method=LoadMode.DBT_MANIFEST if HAVE_MANIFEST else LoadMode.DBT_LS,
    test_behavior=TestBehavior.AFTER_ALL,
    emit_datasets=False,
    enable_mock_profile=True,
)


def producer_first(group) -> None:
    """In a watcher-mode task group, make the producer (`dbt build`) upstream of every model task that has
    no upstream inside the group: the model tasks then read finished results instead of waiting."""
    producer = next(t for t in group.children.values() if t.task_id.endswith(".dbt_producer_watcher"))
    for t in list(group.children.values()):
        if t is producer or not hasattr(t, "producer_task_id"):  # the producer, its gate, the test task
            continue
        if not set(t.upstream_task_ids) & set(group.children):
            producer >> t


@dag(
    dag_id="t_warehouse",
    description="dbt build of the warehouse, then the balancing-rule checks and the alert digest.",
    schedule=[Asset(RAW_ASSET_URI)],
    start_date=pendulum.datetime(2025, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    on_failure_callback=failure_notifier(),
    tags=["gongkai", "transform", "dbt", "data-quality"],
    doc_md=__doc__,
    params={
        "years": Param([], type="array", items={"type": "integer"},
                       description="Report years to check; empty = every year in the marts."),
    },
)
def t_warehouse():
    @task
    def migrate_warehouse() -> list[str]:
        """Apply pending warehouse migrations (raw, dq, ops schemas) before dbt reads them."""
        from gongkai.pipeline.warehouse import migrate_step

        applied = migrate_step()
        print(f"gongkai migrations applied now: {applied or 'none (schema up to date)'}")
        return applied

    dbt_build = DbtTaskGroup(
        group_id="dbt_build",
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT,
            manifest_path=MANIFEST if HAVE_MANIFEST else None,
            install_dbt_deps=False,
        ),
        profile_config=profile_config,
        execution_config=ExecutionConfig(
            dbt_executable_path=DBT_EXECUTABLE,
            execution_mode=EXECUTION_MODE,
            invocation_mode=InvocationMode.DBT_RUNNER,
            setup_operator_args={"retries": 0},  # the watcher's producer (see above)
        ),
        render_config=render_config,
        operator_args={"install_deps": False},
    )

    if EXECUTION_MODE is ExecutionMode.WATCHER:
        producer_first(dbt_build)

    @task
    def quality_checks(params=None) -> dict:
        from gongkai.pipeline.warehouse import checks_step

        out = checks_step(params["years"] or None)
        print(f"gongkai checks: {out['counts']} critical failures: {len(out['critical_failures'])}")
        return out

    @task
    def alert_digest(checks: dict) -> bool:
        from gongkai.pipeline.warehouse import alert_step

        return alert_step(checks)

    # Loads and transforms never interleave: the dbt tasks read the raw layer under a lease that makes
    # loader batches wait (gongkai.warehouse.locks); it is released whatever the dbt tasks' outcome.
    @task
    def take_raw_lease(run_id=None) -> dict:
        from gongkai.warehouse.locks import acquire_lease

        return acquire_lease(f"t_warehouse:{run_id}")

    @task(trigger_rule="all_done")
    def release_raw_lease(run_id=None) -> bool:
        from gongkai.warehouse.locks import release_lease

        return release_lease(f"t_warehouse:{run_id}")

    checks = quality_checks()
    migrate_warehouse() >> take_raw_lease() >> dbt_build >> checks
    dbt_build >> release_raw_lease()
    alert_digest(checks)


t_warehouse()
