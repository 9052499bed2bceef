"""Loopback servers for the demo and the end-to-end tests: real HTTP, real SMTP, no network.

* :class:`SampleServer` serves a directory (the sample corpus) over HTTP on 127.0.0.1, plus generated
  index pages ``/index/{year}.html`` that link every report of that year with a link text naming
  "<publisher><year>年政府信息公开工作年度报告" (what discovery looks for). ``?publisher=<name>`` narrows
  the page to one publisher. The documents come from the corpus' ``manifest.json`` when there is one.
* :class:`SmtpSink` is an SMTP server (aiosmtpd) that writes every message it receives as an ``.eml``
  file into a folder, in arrival order.

Both are context managers and run in background threads of the calling process.
"""

from __future__ import annotations

import html
import json
import re
import socket
import threading
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse

LOOPBACK = "127.0.0.1"
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20[0-3]\d)(?!\d)")


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class SampleDoc:
    path: str  # relative to the served root, with forward slashes
    publisher: str | None
    year: int | None


def _first(d: dict, *keys):
    for k in keys:
        v = d.get(k)
        if v not in (None, ""):
            return v
    return None


def sample_documents(root: Path) -> list[SampleDoc]:
    """The documents under `root`: from ``manifest.json`` (a list, or {"documents": [...]}; keys path/file,
    publisher, year) when present, else every file, with the year guessed from its name."""
    root = Path(root)
    manifest = root / "manifest.json"
    docs: list[SampleDoc] = []
    if manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        entries = data.get("documents", data.get("files", [])) if isinstance(data, dict) else data
        for e in entries:
            if not isinstance(e, dict):
                continue
            rel = _first(e, "path", "file", "filename", "name")
            if not rel:
                continue
            year = _first(e, "year", "report_year", "registered_year")
            docs.append(
                SampleDoc(
                    str(rel).replace("\\", "/"),
                    _first(e, "publisher", "registered_publisher", "publisher_name"),
                    int(year) if year is not None else None,
                )
            )
        return docs
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != "manifest.json":
            m = _YEAR_IN_NAME.search(p.name)
            docs.append(SampleDoc(p.relative_to(root).as_posix(), None, int(m.group(1)) if m else None))
    return docs


def index_html(docs: list[SampleDoc], year: int, publisher: str | None = None) -> str:
    """An index page (like a government site's 政府信息公开年报 column) linking the year's reports."""
    items = []
    for d in docs:
        if d.year != year or (publisher and d.publisher != publisher):
            continue
        text = f"{d.publisher or ''}{year}年政府信息公开工作年度报告"
        href = "/" + quote(d.path)
        items.append(f'    <li><a href="{html.escape(href)}">{html.escape(text)}</a></li>')
    title = f"{html.escape(publisher or '')}政府信息公开工作年度报告（{year}年）"
    body = "\n".join(items) or "    <li>暂无</li>"
    return (
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title></head>\n<body>\n  <h1>{title}</h1>\n  <ul>\n{body}\n  </ul>\n"
        "  <p><a href=\"/\">首页</a></p>\n</body></html>\n"
    )


class _Handler(SimpleHTTPRequestHandler):
    server_version = "gongkai-samples/1"

    def __init__(self, *args, docs_fn=None, **kwargs):
        self._docs_fn = docs_fn
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - the base class' name
        pass

    def do_GET(self):  # noqa: N802 - the base class' name
        u = urlparse(self.path)
        m = re.fullmatch(r"/index/(\d{4})\.html", u.path)
        if m:
            pub = parse_qs(u.query).get("publisher", [None])[0]
            data = index_html(self._docs_fn(), int(m.group(1)), unquote(pub) if pub else None).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        super().do_GET()


class SampleServer:
    """Serve `root` over HTTP on loopback. ``with SampleServer(corpus) as s: s.url`` → http://127.0.0.1:N"""

    def __init__(self, root: Path, host: str = LOOPBACK, port: int = 0, *,
                 default_publisher: str | None = None, default_year: int | None = None):
        """`default_publisher` / `default_year` stand in for documents whose manifest entry has none (the
        corpus' bad files), so that they too appear on an index page."""
        self.root = Path(root).resolve()
        self.default_publisher = default_publisher
        self.default_year = default_year
        if not self.root.is_dir():
            raise FileNotFoundError(f"sample corpus folder not found: {self.root}")
        self._docs: list[SampleDoc] | None = None
        handler = partial(_Handler, directory=str(self.root), docs_fn=self.documents)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    def documents(self) -> list[SampleDoc]:
        if self._docs is None:
            self._docs = [
                SampleDoc(d.path, d.publisher or self.default_publisher, d.year or self.default_year)
                for d in sample_documents(self.root)
            ]
        return self._docs

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def index_url(self, year: int, publisher: str | None = None) -> str:
        q = f"?publisher={quote(publisher)}" if publisher else ""
        return f"{self.url}/index/{year}.html{q}"

    def start(self) -> SampleServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="sample-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _EmlHandler:
    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.lock = threading.Lock()
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.count += 1
            existing = len(list(self.out_dir.glob("*.eml")))
            path = self.out_dir / f"{existing + 1:04d}.eml"
            data = envelope.original_content or envelope.content
            if isinstance(data, str):
                data = data.encode("utf-8")
            path.write_bytes(data)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on loopback writing each message as ``<out_dir>/NNNN.eml``."""

    def __init__(self, out_dir: Path, host: str = LOOPBACK, port: int = 0):
        from aiosmtpd.controller import Controller  # dev/demo dependency: imported only when used

        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.port = port or free_port(host)
        self.handler = _EmlHandler(self.out_dir)
        self.controller = Controller(self.handler, hostname=host, port=self.port)
        self._running = False

    def messages(self) -> list[Path]:
        return sorted(self.out_dir.glob("*.eml"))

    def start(self) -> SmtpSink:
        self.controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        if self._running:
            self.controller.stop()
            self._running = False

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
