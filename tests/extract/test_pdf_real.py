"""The real 2024 report of 淮安市洪泽区人民政府 (2021 format; ruled tables, vertical merged headers, the
applications table split over pages 3-4): every gold cell, read by eye from the rendered pages, must
come out with the same value and status. Skipped when ../shared/real is not beside the checkout."""

from __future__ import annotations

import json

import pytest

from extractors.assemble import assemble
from extractors.model import Source
from extractors.pdf import read_pdf


@pytest.fixture(scope="module")
def real(real_dir):
    pdf = real_dir / "hongzequ_2024.pdf"
    gold = real_dir / "hongzequ_2024.gold.json"
    if not pdf.exists() or not gold.exists():
        pytest.skip(f"{pdf.name} or its gold file is not in {real_dir}")
    raw = read_pdf(pdf)
    rec = assemble(raw, Source(path=str(pdf), sha256="", media_type=raw.media_type, pages=raw.pages))
    return raw, rec, json.loads(gold.read_text(encoding="utf-8"))


def test_raw_grids_hold_every_gold_value(real):
    raw, _, gold = real
    assert raw.pages == 5 and not raw.issues
    apps = [t for t in raw.tables if t.width == 10]
    assert len(apps) == 1, "the applications table split over pages 3-4 must come back as one grid"
    t = apps[0]
    assert t.source == "pdf:lines+continued" and len(t.rows) == 26
    assert {c.page for r in t.rows for c in r if c} == {3, 4}
    # the vertical merged header covers every outcome row, including those continued on page 4
    assert sum(1 for r in t.rows if r[0] and r[0].text == "三、本年度办理结果") == 20
    assert t.rows[3][3].text == "95" and t.rows[3][9].text == "95"


def test_record_matches_gold(real):
    _, rec, gold = real
    assert rec.error is None
    cells = rec.cell_map()
    wrong = []
    for g in gold["cells"]:
        c = cells.get((g["table"], g["row"], g["column"]))
        got = None if c is None else (c.status, c.value)
        if got != (g["status"], g["value"] if g["status"] == "ok" else None):
            wrong.append((g["table"], g["row"], g["column"], g["status"], g.get("value"), got))
    assert not wrong, f"{len(wrong)} of {len(gold['cells'])} gold cells differ: {wrong[:10]}"
    assert rec.report.publisher == gold["report"]["publisher"]
    assert rec.report.year == gold["report"]["year"]
    assert rec.report.format_version == gold["report"]["format_version"]
