"""Shared test fixtures. Real components only: a real Postgres (embedded pgserver, or the server
named by WAREHOUSE_URL), real files, real servers on loopback."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Embedded servers started by the tests (and by the commands they run) listen on a free loopback port,
# not the fixed default one: several test sessions and helpers run side by side.
os.environ.setdefault("GONGKAI_PG_PORT", "0")
SEEDS = SHARED / "seeds"
REAL = SHARED / "real"


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
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"shared/seeds not found at {SEEDS} (CI keeps shared/ beside the checkout)")
    return SEEDS


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"shared/real not found at {REAL} (CI keeps shared/ beside the checkout)")
    return REAL
