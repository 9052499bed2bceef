"""Issue 10 against the fetcher, with real HTTP on loopback only: SSRF on every hop (after DNS), the
wall-clock deadline against a slow-loris server, Retry-After as an HTTP date, passwords in URLs masked,
index pages capped, and landing-store writes that survive a full disk. (Addresses outside loopback are
only ever judged by the policy function: no test sends a packet to them.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from gongkai.fetch import FetchClient, FetchTarget, LandingStore, discover_targets
from gongkai.fetch.client import BLOCKED_ADDRESS, TIMEOUT
from gongkai.fetch.discovery import MAX_LINKS_PER_PAGE, page_links
from gongkai.fetch.netguard import allowed_networks, redact, retry_after_seconds, why_blocked
from gongkai.fetch.registry import Publisher
from gongkai.warehouse.migrate import migrate

ROOT = Path(__file__).resolve().parents[2]
FAST = dict(read_timeout=2.0, connect_timeout=2.0, backoff_base=0.01, backoff_cap=0.05, per_host_delay=0.0,
            max_attempts=1, workers=2)


# ------------------------------------------------------------------ 3. SSRF

@pytest.mark.parametrize("ip", ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.254",
                                "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
                                "240.0.0.1", "255.255.255.255", "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1",
                                "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "ff02::1"])
def test_private_loopback_link_local_and_reserved_addresses_are_refused(ip):
    assert why_blocked(ip) is not None


@pytest.mark.parametrize("ip", ["8.8.8.8", "1.1.1.1", "203.119.25.1", "2001:4860:4860::8888", "240e::1"])
def test_public_addresses_are_allowed(ip):
    assert why_blocked(ip) is None


def test_the_allow_list_opens_an_intranet_range_and_nothing_else():
    allow = allowed_networks("10.0.0.0/8, fd00::/8")
    assert why_blocked("10.20.30.40", allow) is None and why_blocked("fd12::1", allow) is None
    assert why_blocked("192.168.0.1", allow) and why_blocked("169.254.169.254", allow)


def _fetch(store, url, **kw):
    with FetchClient(store, **{**FAST, **kw}) as c:
        return c.fetch(FetchTarget(url))


def test_a_loopback_url_is_refused_without_the_allow_list(server, tmp_path, monkeypatch):
    monkeypatch.delenv("GONGKAI_FETCH_ALLOW_NETWORKS")
    store = LandingStore(str(tmp_path / "landing"))
    r = _fetch(store, server.url("/docs/a.pdf"))
    assert (r.status, r.error_code) == ("failed", BLOCKED_ADDRESS)
    assert server.hits["/docs/a.pdf"] == 0  # refused before connecting
    r = _fetch(store, server.url("/docs/a.pdf").replace("127.0.0.1", "localhost"))  # a name resolving there
    assert r.error_code == BLOCKED_ADDRESS and "localhost" in r.error
    assert store.blobs() == []


def test_every_redirect_hop_is_checked(server, tmp_path):
    """The first hop is allowed (127.0.0.1/32), the second points at another loopback address."""
    port = server.server_address[1]
    store = LandingStore(str(tmp_path / "landing"))
    r = _fetch(store, server.url("/redirect?to=" + quote(f"http://127.0.0.2:{port}/docs/a.pdf")))
    assert (r.status, r.error_code) == ("failed", BLOCKED_ADDRESS)
    assert "127.0.0.2" in r.error and server.hits["/redirect"] == 1
    assert store.blobs() == []


def test_an_index_page_link_to_a_blocked_address_is_not_stored(server, tmp_path):
    port = server.server_address[1]
    pub = Publisher(name="甲镇人民政府", level="乡镇/街道", index_url=server.url("/linkto?to=" + quote(f"http://127.0.0.3:{port}/x.pdf")))
    store = LandingStore(str(tmp_path / "landing"))
    with FetchClient(store, **FAST) as c:
        targets = discover_targets([pub], [2020], c)
        assert [t.url for t in targets] == [f"http://127.0.0.3:{port}/x.pdf"]
        results = c.fetch_many(targets)
    assert [r.error_code for r in results] == [BLOCKED_ADDRESS]
    assert [k for k in store.blobs() if not k.endswith(".html")] == []  # only the index page itself


# ------------------------------------------------------------------ 6. slow loris

@pytest.mark.parametrize("path", ["/trickle", "/trickle?headers=1"])
def test_a_slow_loris_server_is_cut_at_the_attempt_deadline(server, tmp_path, path):
    """One byte every 0.1 s never trips a 2 s read timeout; the 1.5 s deadline stops it (decision asserted,
    not the time taken)."""
    r = _fetch(LandingStore(str(tmp_path / "landing")), server.url(path), attempt_deadline=1.5)
    assert (r.status, r.error_code) == ("failed", TIMEOUT)
    assert "deadline" in r.error


# ------------------------------------------------------------------ partly held: Retry-After, passwords, links

def test_retry_after_as_an_http_date():
    now = 1_700_000_000.0
    assert retry_after_seconds(formatdate(now + 120, usegmt=True), now=now) == pytest.approx(120)
    assert retry_after_seconds(formatdate(now - 60, usegmt=True), now=now) == 0.0
    assert retry_after_seconds("7", now=now) == 7.0
    assert retry_after_seconds("soon", now=now) is None


def test_a_password_in_a_url_is_never_logged_or_stored(server, tmp_path, fresh_db_url, caplog):
    secret = "s3cr3t-pw"
    with psycopg.connect(fresh_db_url) as conn:
        migrate(conn)
        conn.commit()
        store = LandingStore(str(tmp_path / "landing"))
        base = server.base_url.replace("http://", f"http://reader:{secret}@")
        with FetchClient(store, conn, **FAST) as c:
            got = [c.fetch(FetchTarget(base + p, publisher="甲镇人民政府", year=2020))
                   for p in ("/docs/a.pdf", "/missing", "/chain/1")]  # a redirect keeps the credentials
        assert [r.status for r in got] == ["fetched", "failed", "fetched"]
        rows = conn.execute("select row_to_json(f)::text from ops.fetch_log f").fetchall()
    assert len(rows) == 3 and not any(secret in r[0] for r in rows)
    assert all("reader:***@" in r[0] for r in rows)
    on_disk = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "landing").rglob("*.json*"))
    assert secret not in on_disk and "reader:***@" in on_disk
    assert secret not in caplog.text and not any(secret in (r.error or "") for r in got)
    assert redact("see http://u:p@h/x and https://a:b@c:1/") == "see http://u:***@h/x and https://a:***@c:1/"


def test_index_pages_are_capped_in_links():
    page = "<html><body>" + "".join(f'<a href="/r{i}.pdf">r{i}</a>' for i in range(MAX_LINKS_PER_PAGE + 5000))
    assert len(page_links(page, "http://example.invalid/")) == MAX_LINKS_PER_PAGE


def test_index_pages_are_capped_in_bytes(server, tmp_path):
    with FetchClient(LandingStore(str(tmp_path / "landing")), **{**FAST, "max_index_bytes": 1024}) as c:
        res, text = c.get_text(server.url("/big"))
    assert text is None and res.error_code == "body_too_large"


# ------------------------------------------------------------------ 9. the landing store on a full disk

def test_a_corrupt_state_file_is_discarded_with_a_warning(server, tmp_path, caplog):
    store = LandingStore(str(tmp_path / "landing"))
    url = server.url("/etag/9")
    assert _fetch(store, url).status == "fetched"
    state = tmp_path / "landing" / store._state_key(url)
    state.write_bytes(b"")  # what a full disk left behind before writes were atomic
    r = _fetch(LandingStore(str(tmp_path / "landing")), url)
    assert r.status in ("fetched", "unchanged") and r.error is None
    assert "corrupt" in caplog.text
    assert json.loads(state.read_text())["sha256"] == r.sha256  # rewritten whole


def _run_with_file_size_limit(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``code`` in a child whose files may not grow past 200 bytes: writes fail with EFBIG as they
    would with ENOSPC on a full disk."""
    script = textwrap.dedent(f"""
        import resource, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from gongkai.fetch.landing import LandingStore
        store = LandingStore({str(tmp_path / "landing")!r})
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
    """) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)


def test_writes_on_a_full_disk_leave_the_old_state_and_no_part_files(tmp_path):
    store = LandingStore(str(tmp_path / "landing"))
    store.set_url_state("http://gov.example.invalid/r.pdf", {"sha256": "ab" * 32, "etag": "v1"})
    out = _run_with_file_size_limit("""
        try:
            store.set_url_state("http://gov.example.invalid/r.pdf", {"sha256": "cd" * 32, "pad": "x" * 5000})
        except OSError as e:
            print("state write failed:", e.errno)
        try:
            store.put_bytes(b"%PDF-1.4 " + b"x" * 10000, "pdf", {"url": "u"})
        except OSError as e:
            print("blob write failed:", e.errno)
    """, tmp_path)
    assert out.stdout.count("failed") == 2, out.stderr[-2000:]
    assert store.url_state("http://gov.example.invalid/r.pdf") == {"sha256": "ab" * 32, "etag": "v1"}
    leftovers = [p.name for p in (tmp_path / "landing").rglob("*") if ".part-" in p.name or ".tmp-" in p.name]
    assert leftovers == []
    assert store.blobs() == []


def test_stale_part_files_are_swept_when_the_store_opens(tmp_path):
    d = tmp_path / "landing" / "ab"
    d.mkdir(parents=True)
    stale = d / ("ab" * 32 + ".pdf.part-4242-1")
    stale.write_bytes(b"half")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = d / ("ab" * 32 + ".pdf.part-4243-1")
    fresh.write_bytes(b"being written")
    LandingStore(str(tmp_path / "landing"))
    assert not stale.exists() and fresh.exists()
