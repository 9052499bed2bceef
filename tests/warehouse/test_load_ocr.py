"""OCR-read cells keep their flag and confidence in raw.cells (migration 0040) and in staging; a
cell OCR could not read is loaded as what it is — null, unreadable, its readings in raw_text."""

from __future__ import annotations

from gongkai.warehouse.load import load_records
from tests.support.golden import golden_records


def test_ocr_flag_and_confidence_are_loaded(wh):
    rec = golden_records()[0]
    rec.source.sha256 = "ocr-" + rec.source.sha256
    first, second = [c for c in rec.cells if c.status == "ok"][:2]
    blank = next((c for c in rec.cells if c.status == "blank"), None)
    for c in rec.cells:
        c.ocr = True
    first.confidence = 0.987
    second.value, second.status, second.raw, second.confidence = None, "unreadable", "Q | a", 0.46
    load_records(wh, [(rec, None)])
    rows = {(t, r, c): (v, raw, st, ocr, conf) for t, r, c, v, raw, st, ocr, conf in wh.execute(
        "select table_code, row_code, column_code, value, raw_text, status, ocr, confidence from raw.cells")}
    v, _raw, st, ocr, conf = rows[first.key()]
    assert st == "ok" and ocr is True and abs(conf - 0.987) < 1e-6
    v, raw, st, ocr, conf = rows[second.key()]
    assert v is None and st == "unreadable" and raw == "Q | a" and abs(conf - 0.46) < 1e-6
    if blank is not None:
        assert rows[blank.key()][3] is True and rows[blank.key()][4] is None
    assert wh.execute("select count(*) from raw.cells where ocr is distinct from true").fetchone()[0] == 0


def test_text_layer_cells_have_no_ocr_fields(wh):
    rec = golden_records()[1]
    load_records(wh, [(rec, None)])
    assert wh.execute("select count(*) from raw.cells where ocr is not null or confidence is not null"
                      ).fetchone()[0] == 0
