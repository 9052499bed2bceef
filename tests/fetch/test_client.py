"""Fetch against a real local HTTP server: retries, 404, timeouts, redirects, size limit, sniffing,
conditional GET, per-host politeness. Every fetch ends fetched/unchanged or recorded as failed."""

from __future__ import annotations

import time

import pytest

from gongkai.fetch import FetchClient, FetchTarget, LandingStore, fetch_targets
from gongkai.fetch import client as fc

# Generous timeouts (the loopback routes answer in milliseconds): a busy machine must not turn an answer
# into a timeout. The timeout tests set their own short read timeout against a route that sleeps far longer.
FAST = dict(read_timeout=30.0, connect_timeout=10.0, backoff_base=0.02, backoff_cap=0.1, per_host_delay=0.0,
            max_attempts=3, workers=4)


@pytest.fixture
def store(tmp_path):
    return LandingStore(str(tmp_path / "landing"))


def fetch_one(store, url, **kw):
    with FetchClient(store, **{**FAST, **kw}) as c:
        return c.fetch(FetchTarget(url=url, publisher="甲镇人民政府", year=2020))


def logged(store, url):
    return [e for e in store.read_log() if e["url"] == url]


def test_500_then_200_is_retried_and_fetched(server, store):
    url = server.url("/flaky/a?fail=2")
    r = fetch_one(store, url)
    assert r.status == "fetched", r.error
    assert r.attempts == 3 and server.hits["/flaky/a"] == 3
    assert r.http_status == 200 and r.media_type == "application/pdf"
    assert store.read_bytes(r.landing_key).endswith(b"/flaky/a")
    assert r.landing_key == f"{r.sha256[:2]}/{r.sha256}.pdf"
    [entry] = logged(store, url)
    assert entry["status"] == "fetched" and entry["attempts"] == 3


def test_500_forever_fails_after_max_attempts(server, store):
    r = fetch_one(store, server.url("/flaky/b?fail=99"))
    assert r.status == "failed" and r.error_code == fc.HTTP_SERVER_ERROR and r.http_status == 500
    assert r.attempts == 3 == server.hits["/flaky/b"]


def test_404_is_not_retried_and_recorded_failed(server, store):
    url = server.url("/missing")
    r = fetch_one(store, url)
    assert r.status == "failed" and r.error_code == fc.HTTP_CLIENT_ERROR and r.http_status == 404
    assert r.attempts == 1 and server.hits["/missing"] == 1
    assert r.sha256 is None and store.blobs() == []
    [entry] = logged(store, url)
    assert entry["status"] == "failed" and entry["error_code"] == "http_client_error"


def test_slow_response_times_out_retried_then_failed(server, store):
    r = fetch_one(store, server.url("/slow?s=5"), max_attempts=2, read_timeout=0.3)
    assert r.status == "failed" and r.error_code == fc.TIMEOUT and "ReadTimeout" in r.error
    assert r.attempts == 2 and server.hits["/slow"] == 2
    assert logged(store, server.url("/slow?s=5"))[0]["error_code"] == "timeout"


def test_slow_response_within_timeout_is_fetched(server, store):
    r = fetch_one(store, server.url("/slow?s=0.05"), read_timeout=30.0)
    assert r.status == "fetched" and r.attempts == 1


def test_redirect_loop_fails_with_a_clear_error(server, store):
    r = fetch_one(store, server.url("/loop/a"))
    assert r.status == "failed" and r.error_code == fc.REDIRECT_LOOP
    assert "redirect loop" in r.error and "/loop/b" in r.error
    assert r.attempts == 1  # not retried
    assert server.hits["/loop/a"] == 1 and server.hits["/loop/b"] == 1


def test_redirects_are_bounded(server, store):
    ok = fetch_one(store, server.url("/chain/3"), max_redirects=3)
    assert ok.status == "fetched" and ok.final_url.endswith("/chain/0") and len(ok.redirects) == 3
    bad = fetch_one(store, server.url("/chain/9"), max_redirects=3)
    assert bad.status == "failed" and bad.error_code == fc.TOO_MANY_REDIRECTS


def test_50mb_body_is_aborted_while_streaming(server, store):
    r = fetch_one(store, server.url("/big"), max_bytes=10 * 1024 * 1024)
    assert r.status == "failed" and r.error_code == fc.BODY_TOO_LARGE
    assert r.attempts == 1
    time.sleep(0.2)
    assert server.big_sent < 50 * 1024 * 1024  # the client hung up long before the end
    assert store.blobs() == []
    assert logged(store, server.url("/big"))[0]["error_code"] == "body_too_large"


def test_declared_content_length_over_the_limit_is_refused(server, store):
    r = fetch_one(store, server.url("/big?cl=1"), max_bytes=10 * 1024 * 1024)
    assert r.status == "failed" and r.error_code == fc.BODY_TOO_LARGE and "Content-Length" in r.error


def test_pdf_served_as_html_is_a_pdf(server, store):
    r = fetch_one(store, server.url("/wrongtype"))
    assert r.status == "fetched"
    assert r.content_type.startswith("text/html") and r.media_type == "application/pdf"
    assert r.landing_key.endswith(".pdf") and r.landing_path.endswith(".pdf")
    meta = store.read_json(r.landing_key + ".json")
    assert meta["media_type"] == "application/pdf" and meta["url"] == server.url("/wrongtype")


def test_conditional_get_rerun_fetches_nothing_new(server, store):
    urls = [server.url(f"/etag/{i}") for i in range(3)] + [server.url("/plain/x")]
    first = fetch_targets([FetchTarget(u) for u in urls], store=store, **FAST)
    assert [r.status for r in first] == ["fetched"] * 4
    blobs = store.blobs()
    assert len(blobs) == 4
    second = fetch_targets([FetchTarget(u) for u in urls], store=store, **FAST)
    assert [r.status for r in second] == ["unchanged"] * 4
    assert [r.sha256 for r in second] == [r.sha256 for r in first]
    assert [r.landing_path for r in second] == [r.landing_path for r in first]
    assert all(server.full[f"/etag/{i}"] == 1 and server.not_modified[f"/etag/{i}"] == 1 for i in range(3))
    assert second[0].http_status == 304 and second[3].http_status == 200  # no validators: same sha256
    assert store.blobs() == blobs
    statuses = [e["status"] for e in store.read_log()]
    assert statuses.count("fetched") == 4 and statuses.count("unchanged") == 4


def test_invalid_url_is_recorded(store):
    r = fetch_one(store, "ftp://example.invalid/x.pdf")
    assert r.status == "failed" and r.error_code == fc.INVALID_URL and r.attempts == 0
    assert logged(store, "ftp://example.invalid/x.pdf")[0]["status"] == "failed"


def test_connection_refused_is_retried_then_failed(store):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    r = fetch_one(store, f"http://127.0.0.1:{port}/x.pdf", max_attempts=2)
    assert r.status == "failed" and r.error_code == fc.CONNECTION_ERROR and r.attempts == 2


def test_per_host_limit_and_delay_are_respected(server, store):
    # each request waits at the server until two were in flight at once: a limit of 1 would fail here
    targets = [FetchTarget(server.url(f"/conc/{i}?meet=2")) for i in range(8)]
    with FetchClient(store, **{**FAST, "workers": 8, "per_host_limit": 2, "per_host_delay": 0.1}) as c:
        results = c.fetch_many(targets)
        starts, most_at_once = c.gate_log(server.base_url)
    assert all(r.status == "fetched" for r in results)
    assert server.max_active == 2 and most_at_once == 2  # 8 workers, never more than 2 at once on the host
    assert len(starts) == 8
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.1 - 1e-9  # the gate spaced the requests 0.1 s apart, whatever the machine's load


def test_without_a_limit_the_server_sees_more_concurrency(server, store):
    # the control for the test above: with no limit, three requests meet at the server at once
    targets = [FetchTarget(server.url(f"/conc/{i}?meet=3")) for i in range(8)]
    with FetchClient(store, **{**FAST, "workers": 8, "per_host_limit": 8}) as c:
        c.fetch_many(targets)
        _, most_at_once = c.gate_log(server.base_url)
    assert server.max_active >= 3 and most_at_once >= 3


def test_429_is_retried(server, store):
    r = fetch_one(store, server.url("/ratelimited/a"))
    assert r.status == "fetched" and r.attempts == 2 and server.hits["/ratelimited/a"] == 2


def test_last_modified_alone_gives_unchanged(server, store):
    url = server.url("/lastmod/a")
    assert fetch_one(store, url).status == "fetched"
    r = fetch_one(store, url)
    assert r.status == "unchanged" and r.http_status == 304 and r.media_type == "text/html"
    assert server.full["/lastmod/a"] == 1 and server.not_modified["/lastmod/a"] == 1


def test_validators_are_not_sent_when_the_bytes_are_gone(server, tmp_path):
    store = LandingStore(str(tmp_path / "a"))
    first = fetch_one(store, server.url("/etag/z"))
    (tmp_path / "a" / first.landing_key).unlink()  # the landing store lost the file
    again = fetch_one(store, server.url("/etag/z"))
    assert again.status == "fetched" and server.full["/etag/z"] == 2
    assert store.has(again.landing_key)


def test_any_fsspec_store_works(server):
    import uuid

    url = f"memory://landing-{uuid.uuid4().hex[:8]}"
    store = LandingStore(url)
    results = fetch_targets([FetchTarget(server.url("/wrongtype")), FetchTarget(server.url("/missing"))],
                            store=store, run_id="mem", **FAST)
    assert [r.status for r in results] == ["fetched", "failed"]
    assert results[0].landing_path.startswith("memory://") and store.read_bytes(results[0].landing_key)[:5] == b"%PDF-"
    assert sorted(e["status"] for e in LandingStore(url).read_log("mem")) == ["failed", "fetched"]
    again = fetch_targets([FetchTarget(server.url("/wrongtype"))], store=LandingStore(url), **FAST)
    assert again[0].status == "unchanged"


def test_compressed_body_is_limited_by_its_decoded_size(server, store):
    r = fetch_one(store, server.url("/gzipbomb"), max_bytes=10 * 1024 * 1024, read_timeout=10.0)
    assert r.status == "failed" and r.error_code == fc.BODY_TOO_LARGE and r.attempts == 1
    assert store.blobs() == []
