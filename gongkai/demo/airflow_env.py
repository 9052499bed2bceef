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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    task_logs: list[Path] = field(default_factory=list)  # one per task attempt, where the UI reads them

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


_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")
_RUNNING = re.compile(r"\[DAG TEST\] running task <TaskInstance: [^ ]+ (\S+) ")
_END = re.compile(r"\[DAG TEST\] end task task_id=(\S+) map_index=(-?\d+)")
_STRUCTLOG = re.compile(r"^(\d{4}-\d\d-\d\dT\S+Z) \[(\w+)\s*\] (.*)$")


def log_record(line: str) -> str:
    """A line of `dags test` output as a task-log record (JSON, as Airflow's own task logs are): the UI
    shows its time and level in their columns instead of as text."""
    text = line.rstrip("\n")
    m = _STRUCTLOG.match(text)
    rec = {"timestamp": m.group(1), "level": m.group(2), "event": m.group(3)} if m else {"event": text}
    return json.dumps(rec, ensure_ascii=False) + "\n"


def task_log_folder(env: Mapping[str, str]) -> Path:
    """Where Airflow keeps task logs (``[logging] base_log_folder``) for this environment."""
    return Path(env.get("AIRFLOW__LOGGING__BASE_LOG_FOLDER") or Path(env["AIRFLOW_HOME"]) / "logs")


class TaskLogs:
    """Splits the output of `airflow dags test` into one log file per task attempt, where the api-server
    (`gongkai airflow ui`) reads task logs: `dags test` runs every task in its own process and prints
    their logs, it writes no task log file. The path is Airflow's default ``log_filename_template``
    (``dag_id=…/run_id=…/task_id=…/[map_index=…/]attempt=N.log`` under ``base_log_folder``).

    Feed it every line (:meth:`feed`); :attr:`finished` counts the task attempts that ended and
    :attr:`current` names the one running."""

    def __init__(self, dag_id: str, folder: Path) -> None:
        self.dag_id, self.folder = dag_id, folder
        self.run_id: str | None = None
        self.finished = 0
        self.current = ""
        self.written: list[Path] = []
        self._attempts: dict[tuple[str, int], int] = {}
        self._task: tuple[str, int] | None = None
        self._pending: list[str] = []
        self._file = None

    def path(self, task_id: str, map_index: int, attempt: int) -> Path:
        mapped = f"map_index={map_index}/" if map_index >= 0 else ""
        return self.folder / f"dag_id={self.dag_id}/run_id={self.run_id}/task_id={task_id}/{mapped}attempt={attempt}.log"

    def feed(self, line: str) -> None:
        if m := _START.search(line):
            self._task = (m.group(1), int(m.group(2)))
            self._attempts[self._task] = self._attempts.get(self._task, 0) + 1
            self.current = m.group(1) + (f"[{m.group(2)}]" if int(m.group(2)) >= 0 else "")
            self._pending = [line]
            return
        if self._task is None:
            return
        if self._file is None and (m := _RUNNING.search(line)):
            self.run_id = self.run_id or m.group(1)
            target = self.path(*self._task, self._attempts[self._task])
            target.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(target, "w", encoding="utf-8")  # noqa: SIM115 (closed at the task's end)
            self.written.append(target)
            self._file.writelines(map(log_record, self._pending))
            self._pending = []
        if self._file is not None:
            self._file.write(log_record(line))
        else:
            self._pending.append(line)
        if _END.search(line):
            self.finished += 1
            self.close()
            self._task = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def tasks_in_log(log_path: Path) -> int | None:
    """How many task attempts ended in a previous `airflow dags test` log (None without one): the
    expected total of the next run, for its progress bar."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return len(_END.findall(text)) or None


def run_dag_test(
    dag_id: str,
    env: Mapping[str, str],
    *,
    logical_date: str | None = None,
    conf: Mapping | None = None,
    log_dir: Path | None = None,
    timeout_s: float = 1800,
    echo: bool = False,
    on_task: Callable[[int, str], None] | None = None,
) -> DagTestResult:
    """`airflow dags test <dag_id> [<date>] [--conf JSON]` in a subprocess; its output goes to a log file,
    and each task's part of it to that task's log (:class:`TaskLogs`: what the Airflow UI shows).
    `on_task(finished, running)` is called as tasks start and end. Returns the exit code and, when the
    output says so, the run's final state."""
    log_dir = log_dir or Path(env["AIRFLOW_HOME"]) / "dags-test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{dag_id}.log"
    cmd = [airflow_bin(), "dags", "test", dag_id]
    if logical_date:
        cmd.append(logical_date)
    if conf:
        cmd += ["--conf", json.dumps(dict(conf))]
    tasks = TaskLogs(dag_id, task_log_folder(env))
    t0 = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                log.write(line)
                before = (tasks.finished, tasks.current)
                tasks.feed(line)
                if on_task and (tasks.finished, tasks.current) != before:
                    on_task(tasks.finished, tasks.current)
                if echo:
                    sys.stderr.write(line)
            rc = proc.wait(timeout=timeout_s)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            tasks.close()
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return DagTestResult(dag_id, rc, time.perf_counter() - t0, log_path, _final_state(text), tasks.written)
