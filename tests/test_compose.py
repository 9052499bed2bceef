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
