"""Fixtures of the data-quality tests: the golden samples loaded, built and checked in a real warehouse
(load → dbt build → GX check run) once per session; a real SMTP sink (aiosmtpd), or a port nobody
listens on."""

from __future__ import annotations

import pytest

from gongkai.demo.localservers import free_port
from tests.support.golden import golden_records
from tests.support.quality import SEED_URLS, checked_warehouse, smtp_server


@pytest.fixture(scope="session")
def seed_warehouse(pg_server_url, tmp_path_factory):
    """The five golden samples loaded, built and checked once for the session: (url, CheckRun)."""
    yield from checked_warehouse(pg_server_url, golden_records(), [SEED_URLS[i] for i in range(5)],
                                 tmp_path_factory, docs=True)


@pytest.fixture
def smtp_sink(monkeypatch):
    """A real SMTP server (aiosmtpd) on loopback; AIRFLOW_CONN_SMTP_DEFAULT points at it."""
    with smtp_server() as sink:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", sink.conn_uri)
        yield sink


@pytest.fixture
def dead_smtp(monkeypatch) -> str:
    """AIRFLOW_CONN_SMTP_DEFAULT pointing at a loopback port nobody listens on."""
    uri = f"smtp://127.0.0.1:{free_port()}?disable_tls=true&disable_ssl=true&timeout=5&retry_limit=0"
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", uri)
    return uri
