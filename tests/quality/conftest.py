"""Fixtures of the data-quality tests: golden seed records, synthetic reports, a real SMTP sink."""

from __future__ import annotations

import hashlib
import json
import random
import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from extractors.model import OK, Cell, Record
from gongkai.demo.fixtures.spec import ReportSpec, random_spec

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
SEED_URLS = {i: f"https://gongkai.example.org/seeds/seed_00{i}.html" for i in range(5)}


def golden_record(i: int) -> Record:
    """tests/golden/seed_00N.json as a Record (tolerates golden files without sha256/raw/message)."""
    path = GOLDEN / f"seed_00{i}.json"
    if not path.exists():
        pytest.skip(f"{path} not written yet")
    d = json.loads(path.read_text(encoding="utf-8"))
    d.pop("notes", None)
    d["source"].setdefault("sha256", hashlib.sha256(path.read_bytes()).hexdigest())
    for c in d.get("cells", []):
        c.setdefault("raw", None if c.get("value") is None else str(c["value"]))
    for x in d.get("issues", []):
        x.setdefault("message", "")
    return Record.from_dict(d)


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


@dataclass
class Smtp:
    port: int
    messages: list = field(default_factory=list)

    @property
    def conn_uri(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?disable_tls=true&disable_ssl=true&timeout=10&retry_limit=0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink(monkeypatch):
    """A real SMTP server (aiosmtpd) on loopback; AIRFLOW_CONN_SMTP_DEFAULT points at it."""
    from aiosmtpd.controller import Controller

    sink = Smtp(port=free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            sink.messages.append(envelope)
            return "250 OK"

    ctl = Controller(Handler(), hostname="127.0.0.1", port=sink.port)
    ctl.start()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", sink.conn_uri)
    try:
        yield sink
    finally:
        ctl.stop()


@pytest.fixture
def dead_smtp(monkeypatch) -> str:
    """AIRFLOW_CONN_SMTP_DEFAULT pointing at a loopback port nobody listens on."""
    uri = f"smtp://127.0.0.1:{free_port()}?disable_tls=true&disable_ssl=true&timeout=5&retry_limit=0"
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", uri)
    return uri


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
