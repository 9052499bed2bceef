"""Airflow's web UI for the local Airflow of the demo: its api-server on loopback, on the same
AIRFLOW_HOME (``data/airflow``: the SQLite metadata DB the demo's `airflow dags test` runs are recorded in,
and the task logs :class:`gongkai.demo.airflow_env.TaskLogs` writes), so their runs, task states, XComs
and logs can be looked at. What `gongkai airflow ui` runs.

Logins: Airflow's SimpleAuthManager (its development auth manager), one user ``admin`` whose password is
generated once into ``$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated``, readable by its
owner only. The server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path

from gongkai import ports
from gongkai.demo import airflow_env as af

USER = "admin"
PORT_ENV = "GONGKAI_AIRFLOW_PORT"
DEFAULT_PORT = 8080


def passwords_file(home: Path) -> Path:
    return home / "simple_auth_manager_passwords.json.generated"


def ensure_login(home: Path) -> Path:
    """The passwords file with a password for :data:`USER` (generated if missing), mode 0600."""
    path = passwords_file(home)
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict) or not known.get(USER):
        known = {**(known if isinstance(known, dict) else {}), USER: secrets.token_urlsafe(12)}
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(known) + "\n")
    os.chmod(path, 0o600)
    return path


def ui_env(port: int) -> dict[str, str]:
    """The demo's Airflow environment for the api-server: one admin login, the URL it is reached at."""
    env = af.airflow_env()
    home = Path(env["AIRFLOW_HOME"])
    env.update({
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager."
                                       "SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(home)),
        "AIRFLOW__API__BASE_URL": f"http://{ports.LOOPBACK}:{port}",
        "AIRFLOW__API__HOST": ports.LOOPBACK,
        "AIRFLOW__API__PORT": str(port),
    })
    return env


def choose_port(setting: str | None) -> int:
    return ports.choose(setting if setting is not None else os.environ.get(PORT_ENV), DEFAULT_PORT, PORT_ENV,
                        "the Airflow UI")


def start(port: int) -> tuple[subprocess.Popen, Path]:
    """Migrate the metadata DB if needed, make sure of the login, start the api-server on 127.0.0.1:`port`
    (its output appended to ``$AIRFLOW_HOME/api-server.log``); the process and the log's path."""
    env = ui_env(port)
    home = Path(env["AIRFLOW_HOME"])
    af.ensure_metadata_db(env)
    ensure_login(home)
    log_path = home / "api-server.log"
    log = log_path.open("a", encoding="utf-8")
    proc = subprocess.Popen([af.airflow_bin(), "api-server", "--host", ports.LOOPBACK, "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log_path


def wait_ready(proc: subprocess.Popen, port: int, timeout_s: float = 240.0) -> None:
    ports.wait_http(proc, f"http://{ports.LOOPBACK}:{port}/api/v2/monitor/health", "the Airflow api-server",
                    timeout_s)
