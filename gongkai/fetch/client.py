"""Polite, robust HTTP fetching into the landing store.

* httpx with connect/read timeouts and a per-attempt deadline;
* retries with capped exponential backoff + jitter on 5xx, 429, timeouts and connection errors —
  never on 404 or other 4xx;
* a per-host concurrency limit and a per-host delay between requests;
* conditional GET (If-None-Match / If-Modified-Since from the last successful fetch of the URL, read
  from ``ops.fetch_log`` or the landing store's state) → 304 = ``unchanged``; identical bytes are
  ``unchanged`` too;
* a bounded number of redirects, with loop detection;
* a maximum body size, enforced while streaming (``body_too_large``);
* the media type sniffed from the bytes (a PDF served as text/html is a PDF);
* every fetch recorded — fetched, unchanged or failed — in the landing store's JSON Lines log and,
  when a connection is given, in ``ops.fetch_log`` (passwords in URLs masked);
* every connection, on every hop, checked against the address policy after DNS resolution (no private,
  loopback, link-local or reserved address unless allowed: ``blocked_address``), and every network
  operation bounded by the attempt's wall-clock deadline (:mod:`gongkai.fetch.netguard`).

Threads (a pool of ``workers``) share one ``httpx.Client``; per-host semaphores bound concurrency.
"""

from __future__ import annotations

import hashlib
import logging
import random
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from gongkai.fetch import netguard
from gongkai.fetch.landing import LandingStore
from gongkai.fetch.netguard import BlockedAddress, redact
from gongkai.fetch.sniff import extension_for, sniff_media_type

log = logging.getLogger(__name__)

# ---- fetch error codes (FetchResult.error_code, ops.fetch_log.error_code)
HTTP_CLIENT_ERROR = "http_client_error"    # 4xx (not retried)
HTTP_SERVER_ERROR = "http_server_error"    # 5xx, still failing after the retries
RATE_LIMITED = "rate_limited"              # 429, still failing after the retries
TIMEOUT = "timeout"                        # connect/read timeout or the per-attempt deadline
CONNECTION_ERROR = "connection_error"      # refused, reset, DNS
REDIRECT_LOOP = "redirect_loop"            # a Location already visited
TOO_MANY_REDIRECTS = "too_many_redirects"  # more than max_redirects hops
BODY_TOO_LARGE = "body_too_large"          # Content-Length or streamed bytes over max_bytes
INVALID_URL = "invalid_url"                # not http(s)
UNEXPECTED_STATUS = "unexpected_status"    # e.g. 304 without a previous fetch, 1xx
STORAGE_ERROR = "storage_error"            # the landing store could not be written
UNEXPECTED_ERROR = "unexpected_error"      # a bug: logged with its traceback, never silent
BLOCKED_ADDRESS = "blocked_address"        # a host resolving to a private/loopback/link-local/reserved address

FETCH_ERRORS = (HTTP_CLIENT_ERROR, HTTP_SERVER_ERROR, RATE_LIMITED, TIMEOUT, CONNECTION_ERROR, REDIRECT_LOOP,
                TOO_MANY_REDIRECTS, BODY_TOO_LARGE, INVALID_URL, UNEXPECTED_STATUS, STORAGE_ERROR,
                UNEXPECTED_ERROR, BLOCKED_ADDRESS)

STATUSES = ("fetched", "unchanged", "failed")
USER_AGENT = "gongkai/0.1 (research crawler of government information disclosure annual reports)"
KEPT_HEADERS = ("content-type", "content-length", "etag", "last-modified", "cache-control", "server",
                "content-disposition", "content-encoding", "date", "location", "retry-after")


@dataclass(frozen=True)
class FetchTarget:
    url: str
    publisher: str | None = None
    year: int | None = None
    kind: str = "report"            # 'report' | 'index'
    via: str = "registry"           # 'registry', or the index page the link was found on
    link_text: str | None = None


@dataclass
class FetchResult:
    target: FetchTarget
    status: str                     # 'fetched' | 'unchanged' | 'failed'
    http_status: int | None = None
    sha256: str | None = None
    landing_path: str | None = None  # a path (local store) or URL (s3://…) that can be opened
    landing_key: str | None = None   # the key inside the store (sha256[:2]/sha256.ext)
    media_type: str | None = None    # sniffed from the bytes
    error: str | None = None         # a human-readable message (failed only)
    error_code: str | None = None    # one of FETCH_ERRORS (failed only)
    size_bytes: int | None = None
    content_type: str | None = None  # as declared by the server
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    attempts: int = 0
    elapsed_ms: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    run_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    @property
    def url(self) -> str:
        """The target URL as it may be shown or stored (a password in it masked)."""
        return redact(self.target.url) or ""

    def to_log(self) -> dict[str, Any]:
        d = asdict(self)
        t = d.pop("target")
        d.update(url=redact(t["url"]), publisher=t["publisher"], year=t["year"], kind=t["kind"],
                 via=redact(t["via"]), link_text=t["link_text"], final_url=redact(d["final_url"]),
                 redirects=[redact(u) for u in d["redirects"]], error=redact(d["error"]))
        if "location" in d["headers"]:
            d["headers"] = {**d["headers"], "location": redact(d["headers"]["location"])}
        return d


@dataclass(frozen=True)
class FetchSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    attempt_deadline: float = 300.0      # wall time of one attempt, body included
    max_attempts: int = 4                # 1 try + 3 retries
    backoff_base: float = 0.5            # seconds; doubles per retry
    backoff_cap: float = 30.0
    per_host_limit: int = 2              # concurrent requests per host
    per_host_delay: float = 0.5          # seconds between the starts of two requests to a host
    max_redirects: int = 5
    max_bytes: int = 100 * 1024 * 1024
    max_index_bytes: int = 10 * 1024 * 1024  # an index page: links, not documents
    workers: int = 8
    user_agent: str = USER_AGENT
    # networks that may be fetched from although private/loopback (CIDRs); None: $GONGKAI_FETCH_ALLOW_NETWORKS
    allow_networks: tuple[str, ...] | None = None


class _Retryable(Exception):
    def __init__(self, code: str, message: str, http_status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.code, self.http_status, self.retry_after = code, http_status, retry_after


class _Fatal(Exception):
    def __init__(self, code: str, message: str, http_status: int | None = None):
        super().__init__(message)
        self.code, self.http_status = code, http_status


class _HostGate:
    """At most ``limit`` requests in flight to a host, their starts ``delay`` seconds apart. The gate
    keeps the start times it gave out (``starts``, monotonic clock; the latest 10,000) and the most
    requests it let in at once (``max_in_flight``): what it decided, for logs and tests."""

    def __init__(self, limit: int, delay: float):
        self.sem = threading.BoundedSemaphore(max(1, limit))
        self.delay = delay
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.starts: deque[float] = deque(maxlen=10_000)
        self.in_flight = 0
        self.max_in_flight = 0

    def __enter__(self):
        self.sem.acquire()
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.delay
            self.starts.append(start)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if start > now:
            time.sleep(start - now)
        return self

    def __exit__(self, *exc):
        with self.lock:
            self.in_flight -= 1
        self.sem.release()


def _retry_after(value: str | None) -> float | None:
    return netguard.retry_after_seconds(value)


class FetchClient:
    """Fetch URLs into a :class:`LandingStore`, recording every fetch. Thread-safe; use as a context
    manager (or call :meth:`close`)."""

    def __init__(self, store: LandingStore | str | None = None, conn=None, *,
                 settings: FetchSettings | None = None, run_id: str | None = None,
                 transport: httpx.BaseTransport | None = None, **overrides: Any):
        self.store = store if isinstance(store, LandingStore) else LandingStore(store)
        self.conn = conn
        self.settings = replace(settings or FetchSettings(), **overrides)
        self.run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
        s = self.settings
        limits = httpx.Limits(max_connections=max(4, s.workers * 2), max_keepalive_connections=s.workers)
        self.http = httpx.Client(
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=False,
            headers={"User-Agent": s.user_agent, "Accept": "*/*"},
            limits=limits,
            transport=transport or netguard.GuardedTransport(
                allow=netguard.allowed_networks(s.allow_networks), limits=limits),
        )
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()
        self._db_lock = threading.Lock()
        self._log_key = LandingStore.log_key(self.run_id)

    # ---- lifecycle
    def close(self) -> None:
        self.http.close()
        self.store.flush_log()

    def __enter__(self) -> FetchClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def gate_log(self, url: str) -> tuple[list[float], int]:
        """For the host of `url`: the start times the per-host gate gave out (monotonic seconds, in order)
        and the most requests it let in at once."""
        g = self._gate(url)
        with g.lock:
            return list(g.starts), g.max_in_flight

    def _gate(self, url: str) -> _HostGate:
        host = urlsplit(url).netloc.lower()
        with self._gates_lock:
            g = self._gates.get(host)
            if g is None:
                g = self._gates[host] = _HostGate(self.settings.per_host_limit, self.settings.per_host_delay)
            return g

    # ---- previous successful fetch (for conditional GET)
    def previous(self, url: str) -> dict[str, Any] | None:
        prev = None
        if self.conn is not None:
            try:
                with self._db_lock, self.conn.transaction():
                    row = self.conn.execute(
                        """select etag, last_modified, sha256, landing_path, media_type, size_bytes
                             from ops.fetch_log
                            where url = %s and status in ('fetched', 'unchanged')
                            order by finished_at desc, fetch_id desc limit 1""", (redact(url),)).fetchone()
                if row:
                    prev = dict(zip(("etag", "last_modified", "sha256", "landing_path", "media_type",
                                     "size_bytes"), row, strict=True))
            except Exception as e:  # noqa: BLE001 - a missing table must not stop the fetch
                log.warning("fetch log lookup failed (%s); falling back to the landing store state", e)
        if prev is None:
            prev = self.store.url_state(url)
        if prev and prev.get("sha256"):
            keys = [prev.get("landing_key"),
                    "/".join(str(prev.get("landing_path") or "").rsplit("/", 2)[-2:]),
                    LandingStore.blob_key(prev["sha256"], extension_for(prev.get("media_type")))]
            for key in keys:
                if key and key.startswith(prev["sha256"][:2] + "/" + prev["sha256"]) and self.store.has(key):
                    prev["landing_key"] = key
                    return prev
        return None

    # ---- one URL
    def fetch(self, target: FetchTarget | str) -> FetchResult:
        """Fetch one target (retrying as configured), store its bytes, record it. Never raises for
        a network or server problem: the result is 'failed' with an error code."""
        if isinstance(target, str):
            target = FetchTarget(url=target)
        started = datetime.now(UTC)
        t0 = time.monotonic()
        res = FetchResult(target=target, status="failed", started_at=started, run_id=self.run_id)
        try:
            self._fetch_into(res)
        except Exception as e:  # noqa: BLE001 - a bug: record it, keep the batch going
            log.exception("unexpected error fetching %s", redact(target.url))
            res.status, res.error_code, res.error = "failed", UNEXPECTED_ERROR, redact(f"{type(e).__name__}: {e}")
        res.finished_at = datetime.now(UTC)
        res.elapsed_ms = int((time.monotonic() - t0) * 1000)
        res.error = redact(res.error)  # messages quote URLs: no password leaves the client
        self._record(res)
        return res

    def _fetch_into(self, res: FetchResult) -> None:
        s = self.settings
        url = res.target.url
        if urlsplit(url).scheme not in ("http", "https"):
            res.error_code, res.error = INVALID_URL, f"not an http(s) URL: {redact(url)!r}"
            return
        prev = self.previous(url)
        for attempt in range(1, s.max_attempts + 1):
            res.attempts = attempt
            try:
                self._attempt(res, prev)
                return
            except _Fatal as e:
                res.status, res.error_code, res.error, res.http_status = "failed", e.code, str(e), e.http_status
                return
            except _Retryable as e:
                res.status, res.error_code, res.error, res.http_status = "failed", e.code, str(e), e.http_status
                if attempt == s.max_attempts:
                    res.error = f"{e} (after {attempt} attempts)"
                    return
                pause = min(s.backoff_cap, s.backoff_base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
                if e.retry_after is not None:
                    pause = max(pause, min(s.backoff_cap, e.retry_after))
                log.info("retrying %s in %.2fs (%s)", redact(url), pause, redact(str(e)))
                time.sleep(pause)

    def _attempt(self, res: FetchResult, prev: dict[str, Any] | None) -> None:
        s = self.settings
        url = res.target.url
        seen = {url}
        res.redirects = []
        headers: dict[str, str] = {}
        if prev:
            if prev.get("etag"):
                headers["If-None-Match"] = prev["etag"]
            if prev.get("last_modified"):
                headers["If-Modified-Since"] = prev["last_modified"]
        deadline = time.monotonic() + s.attempt_deadline
        while True:
            try:
                with self._gate(url), netguard.deadline(deadline), \
                        self.http.stream("GET", url, headers=headers) as r:
                    res.http_status = r.status_code
                    res.final_url = str(r.url)
                    res.headers = {k: r.headers[k] for k in KEPT_HEADERS if k in r.headers}
                    if r.has_redirect_location:
                        loc = r.headers.get("location")
                        nxt = urljoin(url, loc)
                        res.redirects.append(nxt)
                        if nxt in seen:
                            raise _Fatal(REDIRECT_LOOP, f"redirect loop: {url} -> {nxt} was already visited "
                                                        f"(chain: {' -> '.join([res.target.url, *res.redirects])})",
                                         r.status_code)
                        if len(res.redirects) > s.max_redirects:
                            raise _Fatal(TOO_MANY_REDIRECTS, f"more than {s.max_redirects} redirects "
                                                             f"(last: {nxt})", r.status_code)
                        if urlsplit(nxt).scheme not in ("http", "https"):
                            raise _Fatal(INVALID_URL, f"redirect to a non-http URL: {nxt!r}", r.status_code)
                        seen.add(nxt)
                        url = nxt
                        continue
                    self._handle_response(res, r, prev, deadline)
                    return
            except BlockedAddress as e:
                raise _Fatal(BLOCKED_ADDRESS, f"{e} (fetching {redact(url)})") from None
            except httpx.TimeoutException as e:
                if time.monotonic() >= deadline:
                    raise _Retryable(TIMEOUT, f"the attempt deadline of {s.attempt_deadline:g} s passed fetching "
                                              f"{redact(url)}") from None
                raise _Retryable(TIMEOUT, f"timeout ({type(e).__name__}) fetching {redact(url)}") from None
            except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as e:
                raise _Retryable(CONNECTION_ERROR, redact(f"{type(e).__name__} fetching {url}: {e}")) from None
            except httpx.UnsupportedProtocol as e:
                raise _Fatal(INVALID_URL, str(e)) from None

    def _handle_response(self, res: FetchResult, r: httpx.Response, prev, deadline: float) -> None:
        s = self.settings
        code = r.status_code
        if code == 304:
            if not prev:
                raise _Fatal(UNEXPECTED_STATUS, "304 Not Modified without a previous fetch", code)
            res.status = "unchanged"
            res.sha256, res.media_type, res.size_bytes = prev["sha256"], prev.get("media_type"), prev.get("size_bytes")
            res.landing_key = prev["landing_key"]
            res.landing_path = self.store.full_path(res.landing_key)
            res.etag = r.headers.get("etag") or prev.get("etag")
            res.last_modified = r.headers.get("last-modified") or prev.get("last_modified")
            res.error_code = res.error = None
            return
        if code == 429:
            raise _Retryable(RATE_LIMITED, f"HTTP 429 from {r.url}", code, _retry_after(r.headers.get("retry-after")))
        if code >= 500:
            raise _Retryable(HTTP_SERVER_ERROR, f"HTTP {code} from {r.url}", code,
                             _retry_after(r.headers.get("retry-after")))
        if code >= 400:
            raise _Fatal(HTTP_CLIENT_ERROR, f"HTTP {code} from {r.url} (not retried)", code)
        if not 200 <= code < 300:
            raise _Fatal(UNEXPECTED_STATUS, f"unexpected HTTP {code} from {r.url}", code)
        max_bytes = s.max_index_bytes if res.target.kind == "index" else s.max_bytes
        declared = r.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise _Fatal(BODY_TOO_LARGE, f"Content-Length {int(declared)} is over the limit of {max_bytes} bytes",
                         code)
        h = hashlib.sha256()
        size = 0
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as tmp:
            for chunk in r.iter_bytes(1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise _Fatal(BODY_TOO_LARGE, f"body over the limit of {max_bytes} bytes (aborted after "
                                                 f"{size} bytes)", code)
                if time.monotonic() > deadline:
                    raise _Retryable(TIMEOUT, f"attempt deadline of {s.attempt_deadline}s passed while "
                                              f"reading the body ({size} bytes)", code)
                h.update(chunk)
                tmp.write(chunk)
            sha = h.hexdigest()
            tmp.seek(0)
            head = tmp.read(8192)
            if head.startswith(b"PK"):
                tmp.seek(0)
                head = tmp.read()
            media = sniff_media_type(head, r.headers.get("content-type"))
            res.sha256, res.size_bytes, res.media_type = sha, size, media
            res.content_type = r.headers.get("content-type")
            res.etag, res.last_modified = r.headers.get("etag"), r.headers.get("last-modified")
            res.error_code = res.error = None
            if prev and prev["sha256"] == sha:
                res.status, res.landing_key = "unchanged", prev["landing_key"]
                res.landing_path = self.store.full_path(res.landing_key)
                return
            tmp.seek(0)
            meta = {"url": res.url, "final_url": redact(res.final_url), "publisher": res.target.publisher,
                    "year": res.target.year, "kind": res.target.kind, "sha256": sha, "size_bytes": size,
                    "media_type": media, "content_type": res.content_type, "headers": res.headers,
                    "fetched_at": datetime.now(UTC).isoformat(), "run_id": self.run_id}
            try:
                key, _created = self.store.put_file(tmp, sha, extension_for(media), meta)
            except OSError as e:
                raise _Fatal(STORAGE_ERROR, f"landing store write failed: {e}", code) from None
        res.status, res.landing_key = "fetched", key
        res.landing_path = self.store.full_path(key)

    # ---- recording
    def _record(self, res: FetchResult) -> None:
        entry = res.to_log()
        try:
            self.store.append_log(self._log_key, entry)
            if res.ok:
                self.store.set_url_state(res.target.url, {
                    "etag": res.etag, "last_modified": res.last_modified, "sha256": res.sha256,
                    "landing_key": res.landing_key, "media_type": res.media_type, "size_bytes": res.size_bytes,
                    "fetched_at": res.finished_at})
        except OSError as e:
            log.error("could not write the landing store's fetch log for %s: %s", res.url, e)
        if self.conn is not None:
            import json
            try:
                with self._db_lock, self.conn.transaction():
                    self.conn.execute(
                        """insert into ops.fetch_log (run_id, url, final_url, kind, publisher, report_year, status,
                               http_status, error_code, error_message, sha256, size_bytes, media_type, content_type,
                               etag, last_modified, response_headers, redirects, landing_path, attempts, elapsed_ms,
                               started_at, finished_at)
                           values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb,
                                   %s::jsonb, %s, %s, %s, %s, %s)""",
                        (self.run_id, entry["url"], entry["final_url"], res.target.kind, res.target.publisher,
                         res.target.year, res.status, res.http_status, res.error_code, entry["error"], res.sha256,
                         res.size_bytes, res.media_type, res.content_type, res.etag, res.last_modified,
                         json.dumps(entry["headers"], ensure_ascii=False), json.dumps(entry["redirects"]),
                         res.landing_path, res.attempts, res.elapsed_ms, res.started_at, res.finished_at))
            except Exception as e:  # noqa: BLE001 - the landing log still has it
                log.error("could not write ops.fetch_log for %s: %s", res.url, e)

    # ---- helpers for discovery
    def get_text(self, url: str, **target_fields: Any) -> tuple[FetchResult, str | None]:
        """Fetch a page (an index page: kind='index') and return it decoded (None when it failed)."""
        res = self.fetch(FetchTarget(url=url, kind=target_fields.pop("kind", "index"), **target_fields))
        if not res.ok or not res.landing_key:
            return res, None
        return res, decode_html(self.store.read_bytes(res.landing_key), res.content_type)

    def fetch_many(self, targets: Iterable[FetchTarget], *,
                   progress: Callable[[int, int, FetchResult], None] | None = None) -> list[FetchResult]:
        unique: dict[str, FetchTarget] = {}
        for t in targets:
            unique.setdefault(t.url, t)
        todo = list(unique.values())
        results: list[FetchResult | None] = [None] * len(todo)
        done = 0
        done_lock = threading.Lock()

        def one(i: int) -> None:
            nonlocal done
            r = self.fetch(todo[i])
            results[i] = r
            with done_lock:
                done += 1
                n = done
            if progress:
                progress(n, len(todo), r)

        with ThreadPoolExecutor(max_workers=max(1, self.settings.workers), thread_name_prefix="fetch") as ex:
            list(ex.map(one, range(len(todo))))
        self.store.flush_log()
        return [r for r in results if r is not None]


def decode_html(data: bytes, content_type: str | None = None) -> str:
    import re
    enc = None
    if content_type and "charset=" in content_type.lower():
        enc = content_type.lower().split("charset=", 1)[1].split(";")[0].strip().strip('"')
    if not enc:
        m = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", data[:4096], flags=re.I)
        enc = m.group(1).decode("ascii").lower() if m else None
    if enc in ("gb2312", "gbk"):
        enc = "gb18030"
    for e in [enc, "utf-8", "gb18030"]:
        if not e:
            continue
        try:
            return data.decode(e)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def fetch_targets(targets: Iterable[FetchTarget], *, store: LandingStore | str | None = None, conn=None,
                  client: FetchClient | None = None, settings: FetchSettings | None = None,
                  progress: Callable[[int, int, FetchResult], None] | None = None,
                  run_id: str | None = None, **overrides: Any) -> list[FetchResult]:
    """Fetch every target (deduplicated by URL) into the landing store; one result per URL, in order.

    ``store``: a LandingStore or an fsspec URL (default ``data/landing``). ``conn``: a psycopg
    connection with the ops schema migrated: each fetch is inserted into ``ops.fetch_log``.
    ``overrides``: FetchSettings fields (e.g. ``max_bytes=…, per_host_limit=…``)."""
    if client is not None:
        return client.fetch_many(targets, progress=progress)
    with FetchClient(store, conn, settings=settings, run_id=run_id, **overrides) as c:
        return c.fetch_many(targets, progress=progress)


def summarize(results: Iterable[FetchResult]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for r in results:
        out[r.status] = out.get(r.status, 0) + 1
    return out
