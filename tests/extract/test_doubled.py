"""Text printed twice, word by word (bold faked by drawing each glyph twice, through a converter that
prints both copies: ``pdftotext -raw``): read once, exactly as the text printed once; ordinary text is
never taken for it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from test_layout_classes import COVERED, SLOW, reports
from test_roundtrip import build_spec

from extractors import errors
from extractors.api import extract
from extractors.doubled import undouble
from extractors.text import decode_bytes
from gongkai.demo.fixtures.classes import CLASSES
from gongkai.demo.fixtures.render import render

TEXT_CLASSES = [c for c in CLASSES if c.fmt not in COVERED and c.fmt not in SLOW]
# renderings whose cells are told apart by their order, not by spacing: printed twice and read once,
# they must read exactly as printed once (spacing does not survive the doubling)
BY_ORDER = ["txt-lines", "cms-paragraphs", "cms-spaced"]


def doubled(text: str) -> str:
    """As ``pdftotext -raw`` prints a fake-bold page: each line holds the second copy of the words of
    the line before, then its own words."""
    out, prev = [], ""
    for line in text.split("\n"):
        out.append(f"{prev} {line}".strip())
        prev = line
    out.append(prev)
    return "\n".join(out)


def _cells(rec):
    return [(c.key(), c.status, c.value) for c in rec.cells]


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(report=reports())
def test_ordinary_text_is_never_taken_for_doubled(report):
    *params, _noise = report
    spec = build_spec(*params)
    for cls in TEXT_CLASSES:
        text = decode_bytes(render(spec, cls.fmt, **cls.kwargs))
        assert undouble(text) is None, cls.name


# the renderings a converter could print twice: plain text (Markdown converters emit structure; a
# Markdown page with HTML tables goes the HTML road, and is not recognised doubled)
PLAIN = [c for c in TEXT_CLASSES if c.fmt in ("txt", "flat")]


@pytest.mark.parametrize("cls", PLAIN, ids=[c.name for c in PLAIN])
def test_doubled_text_reads_as_the_text_once(cls):
    """Printed twice, any text rendering reads as printed once — exactly where cells are told apart by
    their order; where spacing told them apart (aligned columns, tabs), a cell may be flagged, never
    given another value."""

    @settings(max_examples=4, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(report=reports())
    def check(report):
        *params, _noise = report
        text = decode_bytes(render(build_spec(*params), cls.fmt, **cls.kwargs))
        once = extract(text.encode("utf-8"), name="once.txt")
        twice = extract(doubled(text).encode("utf-8"), name="twice.txt")
        assert any(i.code == errors.DOUBLED_TEXT for i in twice.issues)
        assert not any(i.code == errors.DOUBLED_TEXT for i in once.issues)
        assert (twice.report.publisher, twice.report.year) == (once.report.publisher, once.report.year)
        if cls.name in BY_ORDER:
            assert _cells(twice) == _cells(once)
            return
        for (key, status, value), (_k, status1, value1) in zip(_cells(twice), _cells(once), strict=True):
            assert (status, value) == (status1, value1) or status in ("unreadable", "missing"), key

    check()


def test_a_word_without_its_copy_is_not_doubled_text():
    text = "\n".join(f"第{i}行 政府信息公开 {i}" for i in range(30))
    twice = doubled(text)
    assert undouble(twice) is not None
    assert undouble(twice.replace("第7行", "", 1)) is None  # one copy of one word gone
    assert undouble(text) is None


def test_pages_are_kept():
    page = "\n".join(f"第{i}行 政府信息公开 {i}" for i in range(15))
    once = undouble(doubled(page + "\n\f" + page))
    assert once is not None and once.count("\f") == 1
