"""docker/healthcheck.py, the compose stack's cheap healthchecks, against the real things they probe:
Airflow's own `job` table (created from Airflow's model) on Postgres, and a real Celery worker on the
machine's Redis (skipped where no Redis answers on 127.0.0.1:6379)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docker" / "healthcheck.py"
REDIS = ("127.0.0.1", 6379)

CREATE_JOB_TABLE = """
import sys
from sqlalchemy import create_engine
from airflow.jobs.job import Job
Job.__table__.create(create_engine(sys.argv[1]))
"""


def probe(*args: str, env: dict[str, str]) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)
    return proc.returncode, proc.stdout.strip() + proc.stderr.strip()


@pytest.fixture
def airflow_job_table(fresh_db_url, tmp_path) -> str:
    """A database holding Airflow's `job` table; its SQLAlchemy URL (as AIRFLOW__DATABASE__SQL_ALCHEMY_CONN
    names it in docker-compose.yml)."""
    sa_url = "postgresql+psycopg2" + fresh_db_url[fresh_db_url.index("://"):]
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    subprocess.run([sys.executable, "-c", CREATE_JOB_TABLE, sa_url.replace("+psycopg2", "+psycopg")], env=env,
                   check=True, capture_output=True, timeout=300)
    return sa_url


def test_job_check_follows_state_and_heartbeat(airflow_job_table, fresh_db_url):
    env = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_job_table}
    with psycopg.connect(fresh_db_url, autocommit=True) as c:
        c.execute("insert into job (job_type, state, hostname, latest_heartbeat, start_date) values "
                  "('TriggererJob', 'running', 'trig-1', now(), now()), "
                  "('DagProcessorJob', 'running', 'dagp-1', now() - interval '10 minutes', now()), "
                  "('DagProcessorJob', 'success', 'dagp-2', now(), now())")
    assert probe("--hostname", "trig-1", "job", "TriggererJob", env=env) == (0, "healthy: TriggererJob on trig-1")
    code, out = probe("--hostname", "trig-2", "job", "TriggererJob", env=env)  # another container's job
    assert code == 1 and out.startswith("unhealthy: TriggererJob on trig-2")
    assert probe("--hostname", "dagp-1", "job", "DagProcessorJob", env=env)[0] == 1  # stale heartbeat
    assert probe("--hostname", "dagp-1", "job", "DagProcessorJob", "--threshold", "3600", env=env)[0] == 0
    assert probe("--hostname", "dagp-2", "job", "DagProcessorJob", env=env)[0] == 1  # ended


def test_job_check_says_why_in_one_line_when_the_database_is_away():
    code, out = probe("job", "TriggererJob", env={"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN":
                                                   "postgresql+psycopg2://nobody:x@127.0.0.1:1/airflow"})
    assert code == 1 and out.startswith("unhealthy: OperationalError") and "\n" not in out
    assert "x@" not in out  # no secret in the line


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379 (the Celery check needs a broker)")
def test_celery_check_pings_this_hosts_worker_only(tmp_path):
    broker = f"redis://{REDIS[0]}:{REDIS[1]}/15"
    name = f"gk-hc-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen([str(Path(sys.executable).with_name("celery")), "--broker", broker, "worker",
                               "-n", f"celery@{name}", "--pool", "solo", "--without-mingle", "--without-gossip",
                               "-l", "WARNING"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        env = {"AIRFLOW__CELERY__BROKER_URL": broker}
        deadline = time.monotonic() + 120  # the worker's start-up, not a performance bound
        while (result := probe("--hostname", name, "celery", "--timeout", "2", env=env))[0] != 0:
            assert worker.poll() is None and time.monotonic() < deadline, result
        assert result == (0, f"healthy: celery@{name}")
        code, out = probe("--hostname", name + "-other", "celery", "--timeout", "2", env=env)
        assert code == 1 and out == f"unhealthy: celery@{name}-other: no reply to a ping in 2 s"
    finally:
        worker.terminate()
        worker.wait(timeout=60)
