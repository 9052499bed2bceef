"""A local Airflow for development and the demo: AIRFLOW_HOME under ``data/airflow``, a SQLite metadata
DB, the repository's ``dags/`` folder, no example DAGs, and connections passed as environment variables.

    env = airflow_env(warehouse_url=..., smtp=("127.0.0.1", 8025))
    ensure_metadata_db(env)            # `airflow db migrate`, once (cached by a stamp file)
    run_dag_test("el_annual_reports", env, conf={"years": [2024]})

Everything here runs Airflow as subprocesses (`airflow dags test`), so the calling process never imports
Airflow itself and never touches its metadata DB.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from gongkai.warehouse import db

REPO = Path(__file__).resolve().parents[2]
DAGS_FOLDER = REPO / "dags"


def airflow_home() -> Path:
    return db.data_dir() / "airflow"


def airflow_bin() -> str:
    """The `airflow` executable of the running interpreter's environment."""
    cand = Path(sys.executable).with_name("airflow")
    return str(cand) if cand.exists() else "airflow"


# The embedded server trusts its Unix-socket clients and never asks for a password, but cosmos' Postgres
# profile mapping requires one: a placeholder is passed (and never sent) when the URL has none.
PLACEHOLDER_PASSWORD = "trust-auth-no-password"


def postgres_conn_uri(url: str) -> str:
    """An Airflow connection URI (``postgres://…``) for a libpq URL, including socket-directory hosts
    (the embedded server listens on a Unix socket: the host is then percent-encoded)."""
    p = db.url_parts(url)
    user = quote(str(p["user"]), safe="")
    pw = quote(str(p["password"]) or PLACEHOLDER_PASSWORD, safe="")
    host = quote(str(p["host"]), safe="")
    auth = f"{user}:{pw}@" if pw else f"{user}@"
    return f"postgres://{auth}{host}:{p['port']}/{quote(str(p['dbname']), safe='')}"


def smtp_conn_json(host: str, port: int, *, user: str = "", password: str = "") -> str:
    """An Airflow SMTP connection in JSON form: plain SMTP (no TLS, no SSL), as a local sink or Mailpit."""
    return json.dumps(
        {
            "conn_type": "smtp",
            "host": host,
            "port": port,
            "login": user or None,
            "password": password or None,
            "extra": {"disable_tls": True, "disable_ssl": True, "from_email": "gongkai@localhost"},
        }
    )


def airflow_env(
    *,
    warehouse_url: str | None = None,
    smtp: tuple[str, int] | None = None,
    home: Path | None = None,
    extra: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for `airflow` subprocesses. `warehouse_url` becomes the ``warehouse_default``
    connection and ``WAREHOUSE_URL``; `smtp` (host, port) becomes ``smtp_default``."""
    home = home or airflow_home()
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": env.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"),
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            "GONGKAI_DATA_DIR": str(db.data_dir()),
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
            "PYTHONUNBUFFERED": "1",
            # no telemetry: nothing leaves the machine at run time
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
            "SCARF_ANALYTICS": "false",
            "DO_NOT_TRACK": "true",
            "GX_ANALYTICS_ENABLED": "false",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    if warehouse_url:
        env["WAREHOUSE_URL"] = warehouse_url
        env["AIRFLOW_CONN_WAREHOUSE_DEFAULT"] = postgres_conn_uri(warehouse_url)
    if smtp:
        env["AIRFLOW_CONN_SMTP_DEFAULT"] = smtp_conn_json(*smtp)
    if extra:
        env.update(extra)
    return env


def _stamp(env: Mapping[str, str]) -> Path:
    return Path(env["AIRFLOW_HOME"]) / ".migrated"


def airflow_version() -> str:
    from importlib.metadata import version

    return version("apache-airflow")


def ensure_metadata_db(env: Mapping[str, str], *, force: bool = False, cache_dir: Path | None = None) -> float:
    """Run `airflow db migrate` on the SQLite metadata DB unless it already ran for this Airflow version
    (about 12 s on SQLite; cached by a stamp file in AIRFLOW_HOME). With `cache_dir`, a DB migrated for
    this Airflow version is copied from there when there is one, and kept there after migrating
    otherwise (a fresh AIRFLOW_HOME then costs a file copy). Returns the seconds spent migrating."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(env)
    want = airflow_version()
    db_file = home / "airflow.db"
    if not force and stamp.exists() and stamp.read_text().strip() == want and db_file.exists():
        return 0.0
    cached = Path(cache_dir) / f"airflow-{want}.db" if cache_dir else None
    if cached and cached.is_file() and not force:
        shutil.copyfile(cached, db_file)
        stamp.write_text(want + "\n")
        return 0.0
    t0 = time.perf_counter()
    proc = subprocess.run(
        [airflow_bin(), "db", "migrate"], env=dict(env), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"`airflow db migrate` failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    stamp.write_text(want + "\n")
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db_file, cached)
    return time.perf_counter() - t0


@dataclass
class DagTestResult:
    dag_id: str
    returncode: int
    seconds: float
    log_path: Path
    state: str | None

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.state in (None, "success")


def _final_state(text: str) -> str | None:
    """The DAG run's final state from `airflow dags test` output (`DagRun Finished: ... state=success`)."""
    state = None
    for line in text.splitlines():
        if "DagRun Finished" in line:
            m = re.search(r"\bstate=(\w+)", line)
            if m:
                state = m.group(1)
    return state


def run_dag_test(
    dag_id: str,
    env: Mapping[str, str],
    *,
    logical_date: str | None = None,
    conf: Mapping | None = None,
    log_dir: Path | None = None,
    timeout_s: float = 1800,
    echo: bool = False,
) -> DagTestResult:
    """`airflow dags test <dag_id> [<date>] [--conf JSON]` in a subprocess; its output goes to a log file.
    Returns the exit code and, when the output says so, the run's final state."""
    log_dir = log_dir or Path(env["AIRFLOW_HOME"]) / "dags-test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{dag_id}.log"
    cmd = [airflow_bin(), "dags", "test", dag_id]
    if logical_date:
        cmd.append(logical_date)
    if conf:
        cmd += ["--conf", json.dumps(dict(conf))]
    t0 = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                log.write(line)
                if echo:
                    sys.stderr.write(line)
            rc = proc.wait(timeout=timeout_s)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return DagTestResult(dag_id, rc, time.perf_counter() - t0, log_path, _final_state(text))
