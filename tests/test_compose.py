"""docker-compose.yml is valid against the Compose Specification schema and has the promised stack.

There is no Docker engine here: the file is validated against the committed Compose Specification JSON
schema (tests/data/compose-spec.json) and its contents are checked service by service."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = ROOT / "tests" / "data" / "compose-spec.json"
AIRFLOW_SERVICES = ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_compose_file_is_valid_against_the_compose_spec(compose, validator):
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_rejects_what_compose_rejects(compose, validator):
    # The schema is not vacuous: typos and wrong types are errors.
    bad = json.loads(json.dumps(compose))
    bad["services"]["redis"]["helthcheck"] = bad["services"]["redis"].pop("healthcheck")
    assert list(validator.iter_errors(bad))
    bad2 = json.loads(json.dumps(compose))
    bad2["services"]["postgres"]["depends_on"] = {"redis": {"condition": "service_ready"}}
    assert list(validator.iter_errors(bad2))


def test_airflow_runs_with_celery_and_every_component(compose):
    services = compose["services"]
    for name in (*AIRFLOW_SERVICES, "airflow-init", "postgres", "redis", "mailpit", "superset"):
        assert name in services, f"missing service {name}"
    for name in AIRFLOW_SERVICES:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
        assert "@postgres:5432/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/gongkai/dags"
        assert services[name]["build"]["dockerfile"] == "docker/Dockerfile"
    commands = {n: " ".join(services[n]["command"]) for n in AIRFLOW_SERVICES}
    assert commands == {"airflow-api-server": "airflow api-server", "airflow-scheduler": "airflow scheduler",
                        "airflow-dag-processor": "airflow dag-processor", "airflow-triggerer": "airflow triggerer",
                        "airflow-worker": "airflow celery worker"}


def test_workers_can_scale(compose):
    worker = compose["services"]["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker  # both would break --scale


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, svc in compose["services"].items():
        if name == "airflow-init":
            continue
        hc = svc.get("healthcheck")
        assert hc and hc.get("test"), f"{name} has no healthcheck"


def test_warehouse_and_airflow_metadata_are_separate_databases(compose):
    env = compose["services"]["airflow-scheduler"]["environment"]
    assert env["AIRFLOW_CONN_WAREHOUSE_DEFAULT"].endswith("@postgres:5432/gongkai")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@postgres:5432/airflow")
    init = (ROOT / "docker" / "postgres-init" / "01-databases.sh").read_text(encoding="utf-8")
    for db in ("airflow", "gongkai", "superset"):
        assert re.search(rf"create database {db} owner {db};", init), db
    assert "in role gongkai_bi" in init  # the BI login is a member of the read-only role
    assert "./docker/postgres-init:/docker-entrypoint-initdb.d:ro" in compose["services"]["postgres"]["volumes"]


def test_smtp_goes_to_mailpit(compose):
    smtp = json.loads(compose["services"]["airflow-worker"]["environment"]["AIRFLOW_CONN_SMTP_DEFAULT"]
                      .replace("${GONGKAI_ALERT_FROM:-gongkai@localhost}", "gongkai@localhost"))
    assert (smtp["conn_type"], smtp["host"], smtp["port"]) == ("smtp", "mailpit", 1025)


def test_superset_runs_gongkai_bi_on_the_read_only_login_with_its_own_metadata_db(compose):
    # the same dashboards as `gongkai bi` locally: the image's command is `gongkai bi`
    superset = compose["services"]["superset"]
    env = superset["environment"]
    assert env["GONGKAI_BI_WAREHOUSE_URL"].startswith("postgresql://${BI_USER:-bi_reader}:${BI_PASSWORD}@postgres")
    assert env["SUPERSET_DATABASE_URI"].endswith("@postgres:5432/superset")
    assert env["GONGKAI_BI_BIND"] == "0.0.0.0"
    assert superset["build"]["dockerfile"] == "docker/Dockerfile.superset"
    assert "superset-home:/data/bi" in superset["volumes"] and "superset-home" in compose["volumes"]
    dockerfile = (ROOT / "docker" / "Dockerfile.superset").read_text(encoding="utf-8")
    assert 'CMD ["gongkai", "bi", "--port", "8088"]' in dockerfile
    assert "uv pip sync --python /opt/venv-bi/bin/python /tmp/bi-requirements.txt" in dockerfile
    assert "COPY gongkai/bi/requirements.txt" in dockerfile


def test_landing_store_is_a_volume_shared_by_the_workers(compose):
    assert "landing" in compose["volumes"]
    assert "landing:/data/landing" in compose["services"]["airflow-worker"]["volumes"]


def test_no_secret_is_written_in_the_compose_file_and_env_example_names_every_variable():
    text = COMPOSE.read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", text))  # $${X} is an escaped container variable
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.M))
    assert used - defined - {"GONGKAI_IMAGE", "GONGKAI_BI_IMAGE"} == set()
    assert not re.search(r"(PASSWORD|SECRET|FERNET_KEY)[A-Z_]*:\s+[\"']?[A-Za-z0-9]{8,}[\"']?\s*$", text, re.M)


def test_the_dockerfile_installs_the_project_from_the_lockfile():
    text = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert "uv sync --frozen --no-dev" in text and "COPY pyproject.toml uv.lock" in text


# ---------------------------------------------------------------- issue 8: a stack that would work

def _seconds(duration: str) -> float:
    """A Compose duration (``1m30s``, ``15m``, ``${VAR:-15m}`` → its default) in seconds."""
    duration = re.sub(r"^\$\{[A-Z0-9_]+:-(.+)\}$", r"\1", str(duration))
    parts = re.findall(r"(\d+(?:\.\d+)?)(us|ms|h|m|s)", duration)
    assert parts and "".join(a + b for a, b in parts) == duration, f"not a duration: {duration!r}"
    unit = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    return sum(float(a) * unit[b] for a, b in parts)


def _default(value) -> str:
    """``${VAR:-x}`` → ``x``; anything else unchanged."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(value))


def test_duration_parser_reads_what_compose_writes():
    assert _seconds("1m30s") == 90 and _seconds("${AIRFLOW_WORKER_STOP_GRACE:-15m}") == 900
    with pytest.raises(AssertionError):
        _seconds("15 minutes")


def test_celery_workers_have_a_set_concurrency(compose):
    env = compose["services"]["airflow-worker"]["environment"]
    assert int(_default(env["AIRFLOW__CELERY__WORKER_CONCURRENCY"])) >= 1


def test_log_servers_listen_on_distinct_ports(compose):
    env = compose["services"]["airflow-worker"]["environment"]
    worker, trigger = env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"], env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"]
    assert worker != trigger
    assert int(worker) in compose["services"]["airflow-worker"]["expose"]
    assert int(trigger) in compose["services"]["airflow-triggerer"]["expose"]


def test_healthchecks_fit_their_interval_and_are_cheap(compose):
    for name, svc in compose["services"].items():
        hc = svc.get("healthcheck")
        if not hc:
            continue
        assert _seconds(hc["timeout"]) < _seconds(hc["interval"]), name
        test = " ".join(hc["test"])
        # `airflow jobs check` / Airflow's Celery app cost ~8 s of CPU per probe: never in a healthcheck
        assert "airflow jobs check" not in test and "celery --app airflow" not in test, name
        script = re.search(r"/opt/gongkai/(\S+\.py)", test)
        if script:  # a script of this repository, copied into the image at /opt/gongkai
            assert (ROOT / script.group(1)).is_file(), test
    api = compose["services"]["airflow-api-server"]["healthcheck"]["test"]
    assert any(t.endswith("/api/v2/monitor/health") for t in api)


def test_a_redeploy_waits_for_running_tasks(compose):
    worker = compose["services"]["airflow-worker"]
    assert _seconds(worker["stop_grace_period"]) >= 5 * 60  # an extraction batch takes minutes
    assert worker.get("stop_signal", "SIGTERM") == "SIGTERM"  # Celery's warm shutdown
    # tini forwards the signal to the worker process alone (-g would hit the running tasks too)
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["tini", "--"]' in dockerfile


def test_gx_data_docs_are_on_a_volume(compose, monkeypatch):
    from gongkai.quality.runner import default_docs_dir

    env = compose["services"]["airflow-worker"]["environment"]
    monkeypatch.setenv("GONGKAI_DATA_DIR", env["GONGKAI_DATA_DIR"])
    docs = default_docs_dir().as_posix()
    for name in (*AIRFLOW_SERVICES,):
        mounts = {m.split(":")[1]: m.split(":")[0] for m in compose["services"][name]["volumes"]}
        assert mounts.get(docs) in compose["volumes"], f"{name}: {docs} is not on a named volume"
    # the image creates it, so the new volume belongs to the airflow user
    assert docs in (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")


def _dag_calls():
    """Every ``@dag(...)`` / ``DAG(...)`` call in dags/: (file, keywords as AST nodes)."""
    import ast

    for path in sorted((ROOT / "dags").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("dag", "DAG"):
                yield path.name, {k.arg: k.value for k in node.keywords}


def test_unpausing_starts_no_catch_up(compose):
    env = compose["services"]["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__SCHEDULER__CATCHUP_BY_DEFAULT"] == "False"
    calls = list(_dag_calls())
    assert {f for f, _ in calls} >= {"el_annual_reports.py", "t_warehouse.py"}
    for f, kw in calls:
        assert "catchup" in kw and getattr(kw["catchup"], "value", None) is False, f


def test_the_failure_notifiers_can_send(compose):
    # Each DAG's failure notifier (SmtpNotifier) needs the smtp_default connection and the recipients
    # wherever a task or the DAG processor runs its callbacks.
    for name in AIRFLOW_SERVICES:
        env = compose["services"][name]["environment"]
        smtp = json.loads(env["AIRFLOW_CONN_SMTP_DEFAULT"].replace("${GONGKAI_ALERT_FROM:-gongkai@localhost}", "x@y"))
        assert smtp["host"] == "mailpit"
        assert env["GONGKAI_ALERT_TO"] and env["GONGKAI_ALERT_FROM"]


def _pools_in_dags() -> set[str]:
    """Pool names the DAG files give tasks (``pool="…"`` or a module-level string constant)."""
    import ast

    pools: set[str] = set()
    for path in sorted((ROOT / "dags").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        consts = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                  and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                  for t in n.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "pool":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    pools.add(node.value.value)
                elif isinstance(node.value, ast.Name) and node.value.id in consts:
                    pools.add(consts[node.value.id])
    return pools


def test_the_init_service_creates_the_pools(compose):
    init = compose["services"]["airflow-init"]["command"]
    script = init[-1] if isinstance(init, list) else init
    created = dict(re.findall(r"airflow pools set (\S+) (\S+)", script))
    assert {"gongkai_extract", "gongkai_ocr"} <= set(created)
    assert _pools_in_dags() <= set(created), "a DAG uses a pool the init service does not create"
    for slots in created.values():
        assert int(_default(slots)) >= 1
    # after Airflow's migration (the pool table must exist), before anything is scheduled
    assert script.index("airflow db migrate") < script.index("airflow pools set")
