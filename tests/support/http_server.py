"""A real HTTP server on 127.0.0.1 (stdlib http.server in a thread) with misbehaving routes."""

from __future__ import annotations

import contextlib
import functools
import threading
import time
import zlib
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
LAST_MODIFIED = formatdate(1_600_000_000, usegmt=True)

INDEX_2020 = """<!doctype html><html><head><meta charset="utf-8"><title>年报</title></head><body>
<ul>
 <li><a href="/docs/report_2021.pdf">东塔镇2021年政府信息公开工作年度报告</a></li>
 <li><a href="/docs/report_2020.pdf">东塔镇 ２０２０ 年度政府信息公开工作年度报告</a> 2021-01-20</li>
 <li><a href="/docs/tujie_2020.html">图解：东塔镇2020年政府信息公开工作年度报告</a></li>
 <li><a href="/docs/jiedu_2020.html">《2020年政府信息公开工作年度报告》解读</a></li>
 <li><a href="../docs/report_2020.pdf#page=1" title="2020年政府信息公开工作年度报告">（下载）</a></li>
 <li><a href="/docs/notice_2020.html">2020年政府信息公开指南</a></li>
 <li><a href="/docs/report_2019.pdf">2019年政府信息公开工作年度报告</a></li>
</ul></body></html>"""

SHARED_INDEX = """<html><body>
<a href="/docs/a_2020.pdf">甲镇人民政府2020年政府信息公开工作年度报告</a>
<a href="/docs/b_2020.html">乙镇人民政府2020年政府信息公开工作年度报告</a>
<a href="/docs/b_2020_tujie.html">乙镇人民政府2020年政府信息公开工作年度报告（图解）</a>
</body></html>"""


@functools.cache
def gzip_bomb() -> bytes:
    z = zlib.compressobj(6, zlib.DEFLATED, 31)
    zero = b"\0" * (1 << 20)
    return b"".join(z.compress(zero) for _ in range(20)) + z.flush()


class Handler(BaseHTTPRequestHandler):
    server: FlakyServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, code: int, body: bytes = b"", ctype: str = "application/octet-stream",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            # the client may hang up (e.g. it refused a declared Content-Length)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - a route table
        srv = self.server
        u = urlsplit(self.path)
        path, q = u.path, parse_qs(u.query)
        with srv.lock:
            srv.hits[path] += 1
            n = srv.hits[path]
            srv.active += 1
            srv.max_active = max(srv.max_active, srv.active)
            srv.starts.append((path, time.monotonic()))
            srv.changed.notify_all()
        try:
            if path.startswith("/flaky/"):
                if n <= int(q.get("fail", ["1"])[0]):
                    return self._send(500, b"oops", "text/plain")
                return self._send(200, PDF + path.encode(), "application/pdf")
            if path.startswith("/ratelimited/"):
                if n == 1:
                    return self._send(429, b"slow down", "text/plain", {"Retry-After": "0"})
                return self._send(200, PDF + path.encode(), "application/pdf")
            if path.startswith("/lastmod/"):  # Last-Modified only, no ETag
                if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                    with srv.lock:
                        srv.not_modified[path] += 1
                    return self._send(304)
                with srv.lock:
                    srv.full[path] += 1
                return self._send(200, b"<html><body><table><tr><td>1</td></tr></table></body></html>",
                                  "text/html", {"Last-Modified": LAST_MODIFIED})
            if path == "/gzipbomb":  # 20 KB on the wire, 20 MB once decoded
                return self._send(200, gzip_bomb(), "application/pdf", {"Content-Encoding": "gzip"})
            if path == "/missing":
                return self._send(404, b"not found", "text/html")
            if path == "/slow":
                time.sleep(float(q.get("s", ["1.0"])[0]))
                return self._send(200, PDF, "application/pdf")
            if path.startswith("/loop/"):
                nxt = "/loop/b" if path == "/loop/a" else "/loop/a"
                return self._send(302, b"", "text/plain", {"Location": nxt})
            if path.startswith("/chain/"):
                k = int(path.rsplit("/", 1)[1])
                if k == 0:
                    return self._send(200, PDF + b"chain", "application/pdf")
                return self._send(301, b"", "text/plain", {"Location": f"/chain/{k - 1}"})
            if path == "/big":
                total = 50 * 1024 * 1024
                chunk = b"\0" * (256 * 1024)
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                if "cl" in q:
                    self.send_header("Content-Length", str(total))
                try:
                    self.end_headers()  # HTTP/1.0 without Content-Length: the body ends when the socket closes
                    self.wfile.write(b"%PDF-1.4\n")
                    sent = 9
                    while sent < total:
                        self.wfile.write(chunk)
                        sent += len(chunk)
                        with srv.lock:
                            srv.big_sent = sent
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return None
            if path == "/wrongtype":
                return self._send(200, PDF + b"wrongtype", "text/html; charset=utf-8")
            if path.startswith("/etag/"):
                etag = '"v1-' + path.rsplit("/", 1)[1] + '"'
                if self.headers.get("If-None-Match") == etag or \
                        self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                    with srv.lock:
                        srv.not_modified[path] += 1
                    return self._send(304, b"", "application/pdf", {"ETag": etag})
                with srv.lock:
                    srv.full[path] += 1
                return self._send(200, PDF + path.encode(), "application/pdf",
                                  {"ETag": etag, "Last-Modified": LAST_MODIFIED})
            if path.startswith("/plain/"):  # no validators: a re-run compares sha256
                with srv.lock:
                    srv.full[path] += 1
                return self._send(200, PDF + path.encode(), "application/pdf")
            if path.startswith("/conc/"):
                # Rendezvous: hold the request until `meet` requests have been in flight at once (or
                # 30 s pass), so that overlap is a fact of the run, not of the machine's scheduling.
                meet = int(q.get("meet", ["1"])[0])
                with srv.lock:
                    srv.changed.wait_for(lambda: srv.max_active >= meet, timeout=30)
                return self._send(200, PDF + path.encode(), "application/pdf")
            if path == "/redirect":  # to any URL (an SSRF hop)
                return self._send(302, b"", "text/plain", {"Location": q["to"][0]})
            if path == "/linkto":  # an index page whose report link points anywhere
                page = f'<html><body><a href="{q["to"][0]}">2020年政府信息公开工作年度报告</a></body></html>'
                return self._send(200, page.encode(), "text/html; charset=utf-8")
            if path == "/trickle":  # slow loris: one byte every 0.1 s (bounded: 3,000 bytes), headers too
                try:
                    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 3000\r\n\r\n"
                    body = head if "headers" in q else b""
                    if "headers" not in q:
                        self.wfile.write(head)
                        self.wfile.flush()
                    for i in range(3000):
                        self.wfile.write(body[i:i + 1] if i < len(body) else b"%")
                        self.wfile.flush()
                        time.sleep(0.1)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return None
            if path == "/index/2020.html":
                return self._send(200, INDEX_2020.encode(), "text/html; charset=utf-8")
            if path == "/shared/index.html":
                return self._send(200, SHARED_INDEX.encode("gb18030"), "text/html; charset=gbk")
            if path.startswith("/docs/"):
                body = (PDF + path.encode()) if path.endswith(".pdf") else \
                    f"<html><body><h1>{path}</h1></body></html>".encode()
                return self._send(200, body, "application/pdf" if path.endswith(".pdf") else "text/html")
            return self._send(404, b"no route", "text/plain")
        finally:
            with srv.lock:
                srv.active -= 1


class FlakyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)  # notified whenever a request arrives
        self.hits: Counter[str] = Counter()
        self.full: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.active = 0
        self.max_active = 0
        self.big_sent = 0
        self.starts: list[tuple[str, float]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path
