"""A real Airflow cluster on this machine, on loopback: the api-server, scheduler, dag-processor,
triggerer and N `airflow celery worker` processes, the metadata DB in Postgres, Redis as the Celery
broker. What the real-scheduler end-to-end test (`tests/dags/test_cluster_e2e.py`) and `make
cluster-demo` (`gongkai demo --executor celery`) run; nothing here is used by the product itself.

    with Cluster(home, metadata_url=..., broker_url=..., env=demo_env) as c:   # migrate, pools, start
        result = run_chain(c, conf)          # trigger el_annual_reports, wait for the Asset's t_warehouse

Every port is a free one, every component logs to ``<home>/cluster/<name>.log``, and tasks go to a
Celery queue of this cluster's own (``gongkai-<id>``): several clusters can share one Redis.
With ``fast_recovery`` the scheduler declares a task whose heartbeats stopped (its worker was killed)
failed after :data:`FAST_HEARTBEAT_TIMEOUT_S` seconds instead of 300, so it is retried within a minute;
docker/README.md says what that costs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gongkai import ports
from gongkai.demo import airflow_env as af
from gongkai.demo.airflow_ui import USER, ensure_login, passwords_file
from gongkai.pipeline import pools
from gongkai.warehouse import db

BROKER_ENV = "GONGKAI_CELERY_BROKER_URL"
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
FAST_HEARTBEAT_TIMEOUT_S = 30
CHAINED_DAGS = ("el_annual_reports", "t_warehouse")


class ClusterUnavailable(RuntimeError):
    """Something the cluster needs (Redis, Postgres) is not there, or a component did not start: one line."""


def broker_url() -> str:
    return os.environ.get(BROKER_ENV) or DEFAULT_BROKER


def redis_problem(url: str) -> str | None:
    """None when a Redis answers PING at `url`, else why not (one line)."""
    try:
        import redis
    except ImportError:
        return "the Python package redis is not installed (uv sync --extra celery)"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as e:  # noqa: BLE001 - any failure is "not reachable", said in one line
        return f"no Redis answers at {url} ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})"
    return None


def sqlalchemy_url(url: str, driver: str = "postgresql+psycopg2") -> str:
    """A libpq URL (TCP or a Unix-socket directory) as an SQLAlchemy URL with `driver`."""
    p = db.url_parts(url)
    auth = quote(str(p["user"]), safe="") + (f":{quote(str(p['password']), safe='')}" if p["password"] else "")
    host = str(p["host"])
    if host.startswith("/"):
        return f"{driver}://{auth}@/{p['dbname']}?host={host}&port={p['port']}"
    return f"{driver}://{auth}@{host}:{p['port']}/{p['dbname']}"


@dataclass
class Component:
    name: str
    cmd: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None


@dataclass
class Cluster:
    """The cluster's settings and, once started, its processes. `env` is the environment of the tasks
    (warehouse and SMTP connections, gongkai settings: :func:`gongkai.demo.airflow_env.airflow_env`)."""

    home: Path
    metadata_url: str
    broker: str
    env: Mapping[str, str]
    workers: int = 2
    concurrency: int = 2
    fast_recovery: bool = False
    api_port: int = 0
    cluster_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    components: list[Component] = field(default_factory=list)
    _token: str | None = None

    # ------------------------------------------------------------ configuration

    @property
    def queue(self) -> str:
        return f"gongkai-{self.cluster_id}"

    @property
    def url(self) -> str:
        return f"http://{ports.LOOPBACK}:{self.api_port}"

    def base_env(self) -> dict[str, str]:
        home = Path(self.home)
        env = dict(self.env)
        env.update({
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(self.metadata_url),
            "AIRFLOW__CELERY__BROKER_URL": self.broker,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sqlalchemy_url(self.metadata_url, "postgresql"),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.concurrency),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            # every component must reach the api-server's Execution API and trust its tokens
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__API__HOST": ports.LOOPBACK,
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager."
                                           "SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(home)),
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(ports.any_free()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            # the cluster runs what it is asked to: the ingest DAG is triggered, never scheduled
            "GONGKAI_INGEST_SCHEDULE": "none",
            "GONGKAI_WORKERS": str(self.workers),
            "GONGKAI_WORKER_CORES": str(os.cpu_count() or 1),
        })
        secrets_file = home / "cluster" / "secrets.env"
        if secrets_file.is_file():
            kv = dict(line.split("=", 1) for line in secrets_file.read_text().splitlines() if "=" in line)
        else:
            kv = {"AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
                  "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32)}
            secrets_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(secrets_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write("".join(f"{k}={v}\n" for k, v in kv.items()))
        env.update(kv)
        if self.fast_recovery:
            env.update({
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(FAST_HEARTBEAT_TIMEOUT_S),
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
                "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "3",
            })
        return env

    # ------------------------------------------------------------ lifecycle

    def start(self, *, say: Callable[[str], None] = lambda _m: None, timeout_s: float = 600) -> Cluster:
        problem = redis_problem(self.broker)
        if problem:
            raise ClusterUnavailable(f"the Celery broker is not reachable: {problem} (set {BROKER_ENV})")
        self.home = Path(self.home)
        (self.home / "cluster").mkdir(parents=True, exist_ok=True)
        self.api_port = self.api_port or ports.any_free()
        env = self.base_env()
        airflow = af.airflow_bin()
        say("airflow db migrate (metadata DB in Postgres) …")
        proc = subprocess.run([airflow, "db", "migrate"], env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ClusterUnavailable(f"`airflow db migrate` failed: {tail[0]}")
        specs = pools.pool_specs(self.workers, os.cpu_count() or 1, env=env)
        pools.create_pools(specs, env, airflow=airflow)
        say("pools: " + ", ".join(f"{s.name} {s.slots} slots" for s in specs))
        ensure_login(self.home)
        log_dir = self.home / "cluster"
        parts = [("api-server", ["api-server", "--host", ports.LOOPBACK, "--port", str(self.api_port)], {}),
                 ("scheduler", ["scheduler"], {}), ("dag-processor", ["dag-processor"], {}),
                 ("triggerer", ["triggerer"], {})]
        for i in range(1, self.workers + 1):
            parts.append((f"worker-{i}", ["celery", "worker", "--concurrency", str(self.concurrency), "--queues",
                                          self.queue, "--celery-hostname", f"{self.queue}-w{i}@%h"],
                          {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(ports.any_free())}))
        for name, args, extra in parts:
            comp = Component(name, [airflow, *args], {**env, **extra}, log_dir / f"{name}.log")
            with open(comp.log, "a", encoding="utf-8") as log:
                comp.proc = subprocess.Popen(comp.cmd, env=comp.env, stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True)
            self.components.append(comp)
        say(f"started {', '.join(c.name for c in self.components)}; waiting for the api-server …")
        try:
            ports.wait_http(self.components[0].proc, f"{self.url}/api/v2/monitor/health", "the Airflow api-server",
                            timeout_s)
        except ports.NotReady as e:
            raise ClusterUnavailable(f"{e} ({self.components[0].log})") from None
        return self

    def stop(self) -> None:
        """Stop every component (SIGTERM to its process group, SIGKILL after 20 s)."""
        for comp in reversed(self.components):
            p = comp.proc
            if p is None or p.poll() is not None:
                continue
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + 20
        for comp in self.components:
            p = comp.proc
            if p is None:
                continue
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                kill_tree(p.pid)
                p.wait()
        self._cleanup_queue()

    def _cleanup_queue(self) -> None:
        try:
            import redis

            redis.Redis.from_url(self.broker, socket_timeout=3).delete(self.queue)
        except Exception:  # noqa: BLE001,S110 - best effort: the queue is this cluster's own
            pass

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def component(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)

    def alive(self) -> dict[str, bool]:
        return {c.name: c.proc is not None and c.proc.poll() is None for c in self.components}

    # ------------------------------------------------------------ REST API

    def password(self) -> str:
        import json

        return json.loads(passwords_file(self.home).read_text(encoding="utf-8"))[USER]

    def api(self, method: str, path: str, **kw) -> Any:
        import httpx

        for attempt in (1, 2):
            if self._token is None:
                r = httpx.post(f"{self.url}/auth/token", json={"username": USER, "password": self.password()},
                               timeout=60)
                r.raise_for_status()
                self._token = r.json()["access_token"]
            r = httpx.request(method, f"{self.url}/api/v2{path}", headers={"Authorization": f"Bearer {self._token}"},
                              timeout=60, **kw)
            if r.status_code == 401 and attempt == 1:
                self._token = None
                continue
            if r.status_code == 404:
                return None
            r.raise_for_status()
            return r.json() if r.content else {}
        return None

    def wait_for_dags(self, dag_ids=CHAINED_DAGS, timeout_s: float = 600) -> None:
        """Until the dag-processor has parsed every DAG of `dag_ids`."""
        deadline = time.monotonic() + timeout_s
        missing = list(dag_ids)
        while time.monotonic() < deadline:
            missing = [d for d in dag_ids if self.api("GET", f"/dags/{d}") is None]
            if not missing:
                return
            self._check_alive()
            time.sleep(2)
        raise ClusterUnavailable(f"the dag-processor did not parse {', '.join(missing)} "
                                 f"({self.component('dag-processor').log})")

    def _check_alive(self) -> None:
        dead = [c for c in self.components if c.proc and c.proc.poll() is not None
                and not c.name.startswith("worker-")]
        if dead:
            raise ClusterUnavailable(f"{dead[0].name} stopped (exit {dead[0].proc.returncode}): see {dead[0].log}")

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: Mapping | None = None) -> str:
        run = self.api("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": dict(conf or {})})
        return run["dag_run_id"]

    def runs(self, dag_id: str) -> list[dict]:
        return (self.api("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100}) or {}).get("dag_runs", [])

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        out = self.api("GET", f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances",
                       params={"limit": 1000}) or {}
        return out.get("task_instances", [])

    # ------------------------------------------------------------ faults

    def workers_procs(self) -> list[Component]:
        return [c for c in self.components if c.name.startswith("worker-")]

    def worker_of(self, pid: int | None) -> Component | None:
        """The Celery worker whose process tree holds `pid` (a task's process), or None."""
        import psutil

        if not pid:
            return None
        try:
            chain = [psutil.Process(pid), *psutil.Process(pid).parents()]
        except psutil.NoSuchProcess:
            return None
        pids = {p.pid for p in chain}
        return next((w for w in self.workers_procs() if w.proc and w.proc.pid in pids), None)

    def kill_worker(self, worker: Component) -> list[int]:
        """`kill -9` a Celery worker and every process under it (a machine lost): the pids killed."""
        assert worker.proc is not None
        killed = kill_tree(worker.proc.pid)
        worker.proc.wait()
        return killed


def kill_tree(pid: int) -> list[int]:
    """SIGKILL `pid` and all its descendants, children first looked up so none is re-parented away."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(procs, timeout=10)
    return [p.pid for p in procs]


def extraction_workers(pid: int) -> list[int]:
    """The sandbox's extraction worker processes under a task's process `pid` (it is mid-batch when
    there are any)."""
    import psutil

    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for k in kids:
        try:
            if any("extractors.sandbox" in a for a in k.cmdline()):
                out.append(k.pid)
        except psutil.Error:
            continue
    return out


# ---------------------------------------------------------------- the chain


@dataclass
class ChainResult:
    el_run: dict
    t_run: dict | None
    seconds: float
    events: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.el_run.get("state") == "success" and bool(self.t_run) and self.t_run.get("state") == "success"


TERMINAL = ("success", "failed")


def run_chain(cluster: Cluster, conf: Mapping, *, on_poll: Callable[[Cluster, str], None] | None = None,
              say: Callable[[str], None] = lambda _m: None, timeout_s: float = 3600) -> ChainResult:
    """Trigger ``el_annual_reports`` with `conf` and wait for it and for the ``t_warehouse`` run its
    Asset event starts (both DAGs unpaused first). `on_poll(cluster, el_run_id)` is called on every
    poll while the ingest run is running (the test's fault injection)."""
    cluster.wait_for_dags()
    for dag_id in CHAINED_DAGS:
        cluster.unpause(dag_id)
    before = {r["dag_run_id"] for r in cluster.runs("t_warehouse")}
    t0 = time.monotonic()
    run_id = cluster.trigger("el_annual_reports", conf)
    say(f"triggered el_annual_reports ({run_id}); UI: {cluster.url}/dags/el_annual_reports")
    deadline = t0 + timeout_s
    el: dict = {}
    while time.monotonic() < deadline:
        el = next((r for r in cluster.runs("el_annual_reports") if r["dag_run_id"] == run_id), {})
        if el.get("state") in TERMINAL:
            break
        if on_poll:
            on_poll(cluster, run_id)
        cluster._check_alive()
        time.sleep(1)
    say(f"el_annual_reports: {el.get('state')} after {time.monotonic() - t0:.0f} s")
    t_run = None
    if el.get("state") == "success":
        while time.monotonic() < deadline:
            new = [r for r in cluster.runs("t_warehouse") if r["dag_run_id"] not in before]
            t_run = new[0] if new else None
            if t_run and t_run.get("state") in TERMINAL:
                break
            cluster._check_alive()
            time.sleep(2)
        say(f"t_warehouse: {(t_run or {}).get('state')} after {time.monotonic() - t0:.0f} s")
    return ChainResult(el, t_run, time.monotonic() - t0)


# ---------------------------------------------------------------- `make cluster-demo`

METADATA_ENV = "GONGKAI_AIRFLOW_METADATA_URL"


def database_on(server_url: str, name: str) -> str:
    """The URL of database `name` on the server of `server_url`, created if missing."""
    import psycopg

    from gongkai.warehouse.db import url_with_database

    with psycopg.connect(server_url, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')
    return url_with_database(server_url, name)


def _seconds(run: dict | None) -> float:
    from datetime import datetime

    if not run or not run.get("start_date") or not run.get("end_date"):
        return 0.0
    return (datetime.fromisoformat(run["end_date"]) - datetime.fromisoformat(run["start_date"])).total_seconds()


def run_cluster_demo(*, data_dir: Path | None = None, workers: int = 2, concurrency: int = 2,
                     progress: Callable[[str], None] = print,
                     hold: Callable[[Cluster], None] | None = None):
    """The demo on a real cluster (scheduler + Celery workers on loopback): the sample corpus served on
    loopback, both DAGs chained by their Asset; returns the demo's summary (and prints where the UI is).
    `hold(cluster)` runs before the cluster is stopped (`make cluster-demo`: until Ctrl-C)."""
    from gongkai.demo.localservers import SmtpSink
    from gongkai.demo.run import DemoSummary, Since, chain_conf, demo_env, read_summary
    from gongkai.demo.website import corpus_years, ensure_corpus, sample_server
    from gongkai.pipeline.warehouse import migrate_step
    from gongkai.warehouse.dbt import dbt_parse

    t0 = time.monotonic()
    data = Path(data_dir).resolve() if data_dir else db.data_dir()
    os.environ["GONGKAI_DATA_DIR"] = str(data)
    broker = broker_url()
    problem = redis_problem(broker)
    if problem:
        raise ClusterUnavailable(f"the Celery broker is not reachable: {problem} (start Redis, or set {BROKER_ENV})")
    corpus = ensure_corpus(data / "samples", progress=progress)
    years = corpus_years(corpus)
    progress("starting the warehouse (embedded Postgres unless WAREHOUSE_URL is set) …")
    url = db.warehouse_url()
    migrate_step(url)
    since = Since.now(url)
    metadata = os.environ.get(METADATA_ENV) or database_on(url, "gongkai_airflow_cluster")
    progress("dbt parse …")
    manifest = dbt_parse(data / "dbt" / "target")
    summary = DemoSummary()
    mail = data / "cluster-demo" / "mail"
    for old in mail.glob("*.eml"):
        old.unlink()
    with sample_server(corpus, data / "cluster-demo" / "http_port") as http, SmtpSink(mail) as smtp:
        home = data / "airflow-cluster"
        env = demo_env(url, (smtp.host, smtp.port), http.url, data, manifest, home=home)
        cluster = Cluster(home, metadata_url=metadata, broker=broker, env=env, workers=workers,
                          concurrency=concurrency)
        try:
            cluster.start(say=progress)
            progress(f"Airflow UI: {cluster.url}/  (login {USER}, password in {passwords_file(home)})")
            result = run_chain(cluster, chain_conf(years)["el_annual_reports"], say=progress)
            for dag_id, run in (("el_annual_reports", result.el_run), ("t_warehouse", result.t_run)):
                if run:
                    summary.dag_runs[dag_id] = {"ok": run.get("state") == "success", "seconds": _seconds(run),
                                                "state": run.get("state"), "log": str(home / "logs"),
                                                "run_id": run.get("dag_run_id")}
            summary.emails = [str(p) for p in smtp.messages()]
            read_summary(url, summary, since)
            summary.logs = str(home / "logs")
            summary.seconds = time.monotonic() - t0
            progress(summary.render())
            progress(f"chain wall time (trigger → t_warehouse done): {result.seconds:.0f} s")
            if hold:
                hold(cluster)
        finally:
            progress("stopping the cluster …")
            cluster.stop()
    return summary
