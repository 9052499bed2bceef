from __future__ import annotations

import threading

import pytest

from tests.support.http_server import FlakyServer


@pytest.fixture
def server():
    srv = FlakyServer()
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()
