"""Helpers of the data-quality tests: a source URL per sample, synthetic reports, reading a received e-mail."""

from __future__ import annotations

import random

from extractors.model import OK, Cell
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
