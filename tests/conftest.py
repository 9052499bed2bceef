"""Shared test fixtures. Real components only: a real Postgres (embedded pgserver, or the server
named by WAREHOUSE_URL), real files, real servers on loopback."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from hypothesis import HealthCheck, settings

from gongkai.demo import samples
from tests.support import SHARED

if TYPE_CHECKING:
    from gongkai.demo.run import DemoSummary

# Embedded servers started by the tests (and by the commands they run) listen on a free loopback port,
# not the fixed default one: several test sessions and helpers run side by side.
os.environ.setdefault("GONGKAI_PG_PORT", "0")
REAL = SHARED / "real"

# No test may depend on the machine's load: hypothesis' per-example deadline (200 ms) and its "too slow"
# health check are wall-clock assertions, so they are off; the examples themselves are what is checked.
settings.register_profile("gongkai", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("gongkai")


def _with_db(url: str, dbname: str) -> str:
    u = urlparse(url)
    return urlunparse(u._replace(path="/" + dbname))


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """URL of a Postgres server's maintenance DB: WAREHOUSE_URL's server when set, else an embedded one
    (its own data folder per test session, stopped and removed at the end; GONGKAI_TEST_PGDATA keeps
    a reusable one). Not under pytest's tmp dir: as root, pgserver runs Postgres as another user,
    which cannot enter pytest's 0700 folders."""
    url = os.environ.get("WAREHOUSE_URL")
    if url:
        yield url
        return
    from gongkai.warehouse import db

    keep = os.environ.get("GONGKAI_TEST_PGDATA")
    pgdata = Path(keep or Path(tempfile.gettempdir()) / f"gongkai-test-pg-{os.getpid()}")
    yield db.embedded_url(pgdata, database="postgres")
    if not keep:
        db.stop_embedded(pgdata)
        shutil.rmtree(pgdata, ignore_errors=True)
    # pgserver logs from an atexit hook, after pytest has closed the streams it captured
    logging.getLogger("pgserver").disabled = True


@pytest.fixture
def fresh_db_url(pg_server_url) -> str:
    """A new, empty database on the test server, dropped after the test."""
    name = f"gk_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server_url, autocommit=True) as c:
        c.execute(f'create database "{name}"')
    url = _with_db(pg_server_url, name)
    yield url
    with psycopg.connect(pg_server_url, autocommit=True) as c:
        c.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory) -> Path:
    """A folder holding only the five sample reports as published (``NNN_<hash>.txt``, copied from
    :mod:`gongkai.demo.samples`), for commands that take a folder."""
    out = tmp_path_factory.mktemp("seeds")
    for sid in samples.SEED_IDS:
        shutil.copy2(samples.text_path(sid), out)
    return out


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"shared/real not found at {REAL} (CI keeps shared/ beside the checkout)")
    return REAL


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    """The sample corpus (every sample in every format, variants, bad files, manifest.json), built once
    per session. Read it, never write into it."""
    from gongkai.demo.fixtures.corpus import build_corpus

    out = tmp_path_factory.mktemp("sample_corpus")
    build_corpus(out)
    return out


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory) -> Path:
    """`dbt parse` of the project (offline), once per session: the manifest.json path; dbt's log of the
    parse is ``logs/dbt.log`` beside it."""
    from gongkai.warehouse.dbt import dbt_parse

    return dbt_parse(tmp_path_factory.mktemp("dbt_parse"))


@dataclass
class DemoRun:
    summary: DemoSummary
    url: str            # the warehouse database it ran on
    data: Path          # its data folder (samples, landing store, Airflow home, mail …)
    emails: list[bytes]  # the messages the SMTP sink received (a later demo run clears the mail folder)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, pg_server_url, sample_corpus, request) -> DemoRun:
    """The demo (`gongkai demo`: both DAGs under `airflow dags test`, the loopback sample server, a real
    SMTP sink), run once per session on a fresh database, with the session's sample corpus. Airflow's
    migrated SQLite metadata DB is kept in pytest's cache between sessions."""
    from tests.support.demo import run_demo_in

    name = f"gk_e2e_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server_url, autocommit=True) as c:
        c.execute(f'create database "{name}"')
    url = _with_db(pg_server_url, name)
    data = tmp_path_factory.mktemp("demo-data")
    shutil.copytree(sample_corpus, data / "samples")  # copy2 keeps the mtimes: the corpus is current
    cache = request.config.cache.mkdir("gongkai-airflow-db") if getattr(request.config, "cache", None) else None
    try:
        summary = run_demo_in(data, url, airflow_db_cache=cache)
        print(summary.render())
        yield DemoRun(summary, url, data, [Path(p).read_bytes() for p in summary.emails])
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as c:
            c.execute(f'drop database if exists "{name}" with (force)')
