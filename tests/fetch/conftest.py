from __future__ import annotations

import threading

import pytest

from tests.support.http_server import FlakyServer


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch):
    """The test servers listen on loopback, which the fetcher refuses unless allowed (as the demo does)."""
    monkeypatch.setenv("GONGKAI_FETCH_ALLOW_NETWORKS", "127.0.0.1/32")


@pytest.fixture
def server():
    srv = FlakyServer()
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()
