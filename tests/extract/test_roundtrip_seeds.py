"""The five seed reports, rendered from their golden records in every format and variant, extract back
to the golden cells (value and status) — and seed 001's short rows give issues, not shifted values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors import errors
from extractors.api import extract
from gongkai.demo.fixtures import corpus
from gongkai.demo.fixtures.layout import is_short_row
from gongkai.demo.fixtures.render import render

CASES = [(fmt, {}) for fmt in ("pdf", "html", "docx", "txt")] + [
    ("pdf", {"spaced": True}), ("pdf", {"fake_bold": True}), ("pdf", {"kangxi": True}), ("pdf", {"rotated": True}),
    ("html", {"encoding": "gbk"}), ("txt", {"layout": "lines"}),
]


def _num(v):
    return None if v is None else Decimal(str(v))


@pytest.fixture(scope="module")
def golden():
    return {sid: spec for sid, (spec, _src) in corpus.seed_specs().items()}


@pytest.mark.slow
@pytest.mark.parametrize("sid", corpus.SEED_IDS)
def test_seed_in_every_format(golden, sid):
    spec = golden[sid]
    short_rows = {row for (t, row, _c) in spec.cells if t == "applications" and is_short_row(spec, t, row)}
    problems = []
    for fmt, variant in CASES:
        rec = extract(render(spec, fmt, **variant), name=f"seed_{sid}.{fmt}")
        if rec.error:
            problems.append(f"{fmt} {variant}: error {rec.error}")
            continue
        if rec.report.publisher != spec.publisher or rec.report.year != spec.year:
            problems.append(f"{fmt} {variant}: report {rec.report}")
        got = rec.cell_map()
        for c in spec.record().cells:
            g = got.get(c.key())
            if g is None or g.status != c.status or _num(g.value) != _num(c.value):
                problems.append(f"{fmt} {variant}: {'/'.join(c.key())} expected {c.value!r} ({c.status}), "
                                f"got {(g.value, g.status, g.raw) if g else None}")
        flagged = {i.row for i in rec.issues if i.code == errors.ROW_WIDTH_MISMATCH}
        if short_rows - flagged:
            problems.append(f"{fmt} {variant}: short rows without row_width_mismatch: {sorted(short_rows - flagged)}")
    assert not problems, f"seed {sid}: {len(problems)} problems\n" + "\n".join(problems[:40])


@pytest.mark.slow
def test_real_report_cells_in_every_format(real_dir):
    """The real 洪泽区 2024 report's published cells (2021 form), re-rendered in every format."""
    gold = real_dir / "hongzequ_2024.gold.json"
    if not gold.is_file():
        pytest.skip(f"{gold} not found")
    spec = corpus.spec_from_golden(gold)
    assert spec.format_version == "2021" and spec.publisher
    problems = []
    for fmt, variant in CASES:
        rec = extract(render(spec, fmt, **variant), name=f"hongzequ.{fmt}")
        assert rec.error is None, f"{fmt} {variant}: {rec.error}"
        got = rec.cell_map()
        for c in spec.record().cells:
            g = got.get(c.key())
            if g is None or g.status != c.status or _num(g.value) != _num(c.value):
                problems.append(f"{fmt} {variant}: {'/'.join(c.key())} expected {c.value!r} ({c.status}), "
                                f"got {(g.value, g.status, g.raw) if g else None}")
    assert not problems, "\n".join(problems[:40])
