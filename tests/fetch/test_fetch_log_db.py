"""Every fetch recorded in ops.fetch_log (real Postgres, migrated) and in the landing store's log."""

from __future__ import annotations

import shutil

import psycopg
import pytest

from gongkai.fetch import FetchTarget, LandingStore, fetch_targets
from gongkai.warehouse.migrate import migrate

# 3 s to answer: the loopback routes answer in milliseconds, and /slow sleeps 30 s (a timeout for sure)
FAST = dict(read_timeout=3.0, connect_timeout=3.0, backoff_base=0.02, backoff_cap=0.1, per_host_delay=0.0,
            max_attempts=2, max_bytes=10 * 1024 * 1024, max_redirects=3, workers=4)


@pytest.fixture
def conn(fresh_db_url):
    with psycopg.connect(fresh_db_url) as c:
        migrate(c)
        c.commit()
        yield c


def test_every_scenario_is_logged_in_db_and_landing(server, tmp_path, conn):
    paths = {"/flaky/a?fail=1": ("fetched", None), "/missing": ("failed", "http_client_error"),
             "/slow?s=30": ("failed", "timeout"), "/loop/a": ("failed", "redirect_loop"),
             "/big": ("failed", "body_too_large"), "/wrongtype": ("fetched", None),
             "/etag/1": ("fetched", None)}
    store = LandingStore(str(tmp_path / "landing"))
    targets = [FetchTarget(server.url(p), publisher="甲镇人民政府", year=2020) for p in paths]
    results = fetch_targets(targets, store=store, conn=conn, run_id="run-1", **FAST)
    assert {r.target.url: (r.status, r.error_code) for r in results} == \
        {server.url(p): v for p, v in paths.items()}

    rows = conn.execute("select url, status, error_code, http_status, sha256, media_type, attempts, landing_path, "
                        "response_headers, publisher, report_year from ops.fetch_log where run_id = 'run-1'").fetchall()
    db = {r[0]: r for r in rows}
    assert {u: (r[1], r[2]) for u, r in db.items()} == {server.url(p): v for p, v in paths.items()}
    wrong = db[server.url("/wrongtype")]
    assert wrong[5] == "application/pdf" and wrong[8]["content-type"].startswith("text/html")
    assert db[server.url("/flaky/a?fail=1")][6] == 2 and db[server.url("/missing")][6] == 1
    assert db[server.url("/missing")][3] == 404 and db[server.url("/missing")][4] is None
    assert all(r[9] == "甲镇人民政府" and r[10] == 2020 for r in rows)

    landing = {e["url"]: (e["status"], e["error_code"]) for e in store.read_log("run-1")}
    assert landing == {server.url(p): v for p, v in paths.items()}

    # a re-run fetches nothing new: the ETag comes from ops.fetch_log even without the landing state
    shutil.rmtree(tmp_path / "landing" / "_state")
    blobs = store.blobs()
    again = fetch_targets([t for t in targets if paths[t.url[len(server.base_url):]][0] == "fetched"],
                          store=store, conn=conn, run_id="run-2", **FAST)
    assert [r.status for r in again] == ["unchanged"] * 3
    assert server.full["/etag/1"] == 1 and server.not_modified["/etag/1"] == 1
    assert store.blobs() == blobs
    n = conn.execute("select count(*) from ops.fetch_log where run_id = 'run-2' and status = 'unchanged'").fetchone()
    assert n == (3,)


def test_db_write_failure_does_not_stop_the_batch(server, tmp_path, fresh_db_url):
    # no migration: ops.fetch_log does not exist; the landing log still records everything
    with psycopg.connect(fresh_db_url) as c:
        store = LandingStore(str(tmp_path / "landing"))
        results = fetch_targets([FetchTarget(server.url("/docs/x.pdf")), FetchTarget(server.url("/missing"))],
                                store=store, conn=c, run_id="nodb", **FAST)
    assert [r.status for r in results] == ["fetched", "failed"]
    assert len(store.read_log("nodb")) == 2
