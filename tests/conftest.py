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

from gongkai.demo import samples
from tests.support import SHARED

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
