"""DagBag import test: every DAG in dags/ imports, has no cycles, and carries tags, an owner and retries."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# dbt parse + Airflow's import in a subprocess: ~25 s on an idle 2-core machine.
pytestmark = pytest.mark.slow

DAGS = Path(__file__).resolve().parents[2] / "dags"
EXPECTED = {"el_annual_reports", "t_warehouse"}

# The DagBag is filled in a subprocess with its own AIRFLOW_HOME: Airflow reads its configuration once per
# process, and the test process must not pick up (or create) anybody's airflow.cfg.
PROBE = textwrap.dedent("""
    import json, time
    t0 = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=DAGS_FOLDER)
    out = {"errors": {k: str(v)[-2000:] for k, v in bag.import_errors.items()}, "dags": {},
           "parse_s": {s.file: s.duration.total_seconds() for s in bag.dagbag_stats},
           "total_s": time.perf_counter() - t0}
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
        }
    print("DAGBAG-JSON " + json.dumps(out))
""")


@pytest.fixture(scope="module")
def bag(tmp_path_factory):
    from gongkai.pipeline.warehouse import MANIFEST_ENV, dbt_parse

    home = tmp_path_factory.mktemp("airflow_home")
    manifest = dbt_parse(home / "dbt")  # what the demo and the image do before Airflow parses the DAGs
    env = dict(os.environ, **{MANIFEST_ENV: str(manifest)}, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(DAGS), AIRFLOW__CORE__UNIT_TEST_MODE="True",
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
               AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING")
    proc = subprocess.run([sys.executable, "-c", PROBE.replace("DAGS_FOLDER", repr(str(DAGS)))], env=env, capture_output=True,
                          text=True, timeout=600, cwd=DAGS.parent)
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


def test_every_dag_has_tags_an_owner_and_retries(bag):
    for dag_id, d in bag["dags"].items():
        assert d["tags"], f"{dag_id} has no tags"
        assert d["owners"] and "airflow" not in d["owners"], f"{dag_id} tasks have no owner: {d['owners']}"
        assert min(d["retries"]) >= 1, f"{dag_id} has tasks without retries: {d['retries']}"


def test_no_dag_file_is_named_dbt_star():
    assert not list(DAGS.glob("dbt_*.py")), "cosmos treats dbt_*.py files specially: rename the DAG file"


def test_ingest_feeds_the_warehouse_dag_through_an_asset(bag):
    el, t = bag["dags"]["el_annual_reports"], bag["dags"]["t_warehouse"]
    assert el["outlets"] == ["gongkai://warehouse/raw"]
    assert "gongkai://warehouse/raw" in t["schedule"] or "Asset" in t["schedule"]
    assert "0 6 * 1-3 *" in el["schedule"]
    assert t["has_failure_callback"]


def test_fetch_and_extract_are_mapped_batches_and_dbt_is_a_task_group(bag):
    el, t = bag["dags"]["el_annual_reports"], bag["dags"]["t_warehouse"]
    assert {"registry", "discover", "fetch_batch", "extract_load_batch", "summarize"} <= set(el["tasks"])
    dbt_tasks = [x for x in t["tasks"] if x.startswith("dbt_build.")]
    assert "dbt_build.rpt_report_overview_run" in dbt_tasks, dbt_tasks  # one task per model …
    assert "dbt_build.dbt_project_test" in dbt_tasks  # … and the data tests once all are built
    assert {"quality_checks", "alert_digest"} <= set(t["tasks"])
    assert {"take_raw_lease", "release_raw_lease"} <= set(t["tasks"])  # loads wait while dbt reads raw


def test_parsing_stays_fast(bag):
    # A DAG file is parsed every 30 s by the dag-processor: each must stay well under Airflow's 30 s timeout.
    slow = {f: s for f, s in bag["parse_s"].items() if s > 10}
    assert slow == {}
