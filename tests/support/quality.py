"""Helpers of the data-quality tests: a source URL per sample, synthetic reports, a checked warehouse,
reading a received e-mail."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse, urlunparse

import psycopg

from extractors.model import OK, Cell, Record
from gongkai.demo.fixtures.spec import ReportSpec, random_spec

SEED_URLS = {i: f"https://gongkai.example.org/seeds/seed_00{i}.html" for i in range(5)}


def set_cell(spec: ReportSpec, table: str, row: str, column: str, value) -> None:
    spec.cells[(table, row, column)] = Cell(table, row, column, value, None if value is None else str(value),
                                            OK if value is not None else "blank")


def r4_fixture(rng: random.Random) -> ReportSpec:
    """A balanced report except 行政复议: 结果维持 10, 结果纠正 1, 其他 0, 尚未审结 0, 总计 0."""
    s = random_spec(rng, format_version="2021", year=2023)
    s.publisher = "R4测试区人民政府"
    for col, v in (("upheld", 10), ("corrected", 1), ("other_result", 0), ("pending", 0), ("total", 0)):
        set_cell(s, "review_litigation", "administrative_review", col, v)
    return s


def checked_warehouse(server_url: str, records: Sequence[Record], urls: Sequence[str | None] | None,
                      tmp_path_factory, *, prepare: Callable[[psycopg.Connection], None] | None = None,
                      docs: bool = False, landing_paths: Sequence[str | None] | None = None):
    """A new database with `records` loaded (source URLs `urls`, landing store copies `landing_paths`),
    `dbt build` and one check run: yields (url, CheckRun holding every result). Dropped afterwards."""
    from gongkai.quality.runner import run_checks
    from gongkai.warehouse.dbt import dbt_build
    from gongkai.warehouse.load import DocumentMeta, load_records
    from gongkai.warehouse.migrate import migrate

    name = f"gk_dq_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as c:
        c.execute(f'create database "{name}"')
    url = urlunparse(urlparse(server_url)._replace(path="/" + name))
    try:
        with psycopg.connect(url) as conn:
            migrate(conn)
            conn.commit()
            load_records(conn, [(r, DocumentMeta(source_url=urls[i] if urls else None,
                                                 landing_path=landing_paths[i] if landing_paths else None))
                                for i, r in enumerate(records)])
            if prepare:
                prepare(conn)
            conn.commit()
        assert dbt_build(url, profiles_dir=tmp_path_factory.mktemp("dbt"),
                         target_path=tmp_path_factory.mktemp("dbt_target")), "dbt build failed"
        with psycopg.connect(url) as conn:
            run = run_checks(conn, detail="all", build_docs=docs,
                             docs_dir=tmp_path_factory.mktemp("gx_docs") if docs else None)
        yield url, run
    finally:
        with psycopg.connect(server_url, autocommit=True) as c:
            c.execute(f'drop database if exists "{name}" with (force)')


def parse_mail(envelope):
    """(subject, text/plain body, text/html body) of a received message."""
    import email
    from email.header import decode_header, make_header

    msg = email.message_from_bytes(envelope.original_content)
    subject = str(make_header(decode_header(msg["Subject"])))
    text = html = None
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return subject, text, html


def landed_pdf(seed: str, landing_dir) -> tuple[Record, str]:
    """Sample `seed` rendered as a PDF (tables across pages), put in a real landing store at
    `landing_dir` and extracted: (the record, with each cell's page; the landing path of the PDF)."""
    from extractors.api import extract
    from gongkai.demo.fixtures.corpus import seed_specs
    from gongkai.demo.fixtures.render import render_pdf
    from gongkai.fetch.landing import LandingStore

    spec, _source = seed_specs()[seed]
    store = LandingStore(str(landing_dir))
    key, _created = store.put_bytes(render_pdf(spec), "pdf", {"url": SEED_URLS[int(seed)]})
    path = store.full_path(key)
    return extract(path), path


@dataclass
class Smtp:
    port: int
    messages: list = field(default_factory=list)

    @property
    def conn_uri(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?disable_tls=true&disable_ssl=true&timeout=10&retry_limit=0"


@contextmanager
def smtp_server() -> Iterator[Smtp]:
    """A real SMTP server (aiosmtpd) on a free loopback port, keeping every message it receives."""
    from aiosmtpd.controller import Controller

    from gongkai.demo.localservers import free_port

    sink = Smtp(port=free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            sink.messages.append(envelope)
            return "250 OK"

    ctl = Controller(Handler(), hostname="127.0.0.1", port=sink.port)
    ctl.start()
    try:
        yield sink
    finally:
        ctl.stop()
