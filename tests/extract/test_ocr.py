"""Scanned and image-only reports, read by OCR into the same grid as every other medium.

The sample reports are printed to PDF and *scanned* by the fixture generator (``gongkai.demo.fixtures.scan``:
rasterised, askew, blurred, dusty, JPEG, a red seal over a table, a photographed page); the records read
back must give the printed cells — never a wrong number. OCR costs ~3 CPU-s a page, so the full matrix of
degradations is in ``benchmarks/ocr_bench.py``; here a few pages per degradation.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from extractors import errors, sniff
from extractors.api import extract
from gongkai.demo.fixtures import corpus
from gongkai.demo.fixtures.render import render
from gongkai.demo.fixtures.scan import render_scan
from gongkai.demo.fixtures.spec import random_spec

pytest.importorskip("cv2", reason="the OCR extra is not installed (uv sync --extra ocr)")
pytest.importorskip("rapidocr", reason="the OCR extra is not installed (uv sync --extra ocr)")

ROOT = Path(__file__).resolve().parents[2]


def _num(v):
    return None if v is None else Decimal(str(v))


def _compare(spec, rec, only_found: bool = False) -> tuple[int, list[str], list[str]]:
    """(exact, unreadable, wrong) against the spec; ``only_found``: cells the record did not find
    (a page not scanned) are left out."""
    want = spec.record().cell_map()
    exact, unreadable, wrong = 0, [], []
    for c in rec.cells:
        w = want.get(c.key())
        if only_found and (w is None or c.status == "missing" and w.status != "missing"):
            continue  # not on the pages scanned (a page without the title: the form's version unknown)
        where = f"{'.'.join(c.key())}: read {c.raw!r} → {c.value!r}/{c.status}, printed {w.raw!r}/{w.status}"
        if c.status == w.status and _num(c.value) == _num(w.value):
            exact += 1
        elif (c.value is not None and _num(c.value) != _num(w.value)) or \
                (w.value is not None and c.status in ("blank", "marker")) or \
                ({c.status, w.status} == {"blank", "marker"}):
            wrong.append(where)
        else:
            unreadable.append(where)
    return exact, unreadable, wrong


@pytest.fixture(scope="module")
def seeds():
    return {sid: spec for sid, (spec, _src) in corpus.seed_specs().items()}


@pytest.fixture(scope="module")
def varied():
    """A balanced 2019 report with large, varied counts (the seeds are mostly zeros)."""
    return random_spec(random.Random(71), "2019", max_count=3000)


# ------------------------------------------------------------------ cheap: no recognition


def test_images_are_documents():
    assert sniff.sniff(b"\x89PNG\r\n\x1a\n" + b"\0" * 20) == sniff.PNG
    assert sniff.sniff(b"\xff\xd8\xff\xe0" + b"\0" * 20) == sniff.JPEG
    assert sniff.sniff(b"II*\x00" + b"\0" * 20) == sniff.sniff(b"MM\x00*" + b"\0" * 20) == sniff.TIFF
    assert sniff.sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == sniff.WEBP
    assert sniff.sniff(b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00") == sniff.BMP
    assert sniff.sniff("BMW 报告 2020年".encode()) == sniff.TEXT  # text that starts like a bitmap


def test_which_documents_need_ocr(seeds, tmp_path):
    from extractors.ocr import needs_ocr, ocr_pages, time_allowance

    spec = seeds["001"]
    text_pdf = render(spec, "pdf")
    assert ocr_pages(text_pdf) == [] and not needs_ocr(text_pdf)
    assert ocr_pages(render_scan(spec)) == [1, 2, 3]
    assert ocr_pages(render_scan(spec, container="tif")) == [1, 2, 3]
    assert ocr_pages(render_scan(spec, container="jpg")) == [1]
    # fonts without a ToUnicode map: the text layer is mojibake, only OCR can read the pages
    assert ocr_pages(corpus.without_tounicode(text_pdf)) == [1, 2, 3]
    p = tmp_path / "scan.pdf"
    p.write_bytes(render_scan(spec, pages=[2]))
    assert needs_ocr(p) and time_allowance(p) > 0
    assert ocr_pages(b"<html><table><tr><td>1</td></tr></table></html>") == []


def test_the_image_grid_is_the_text_layer_grid(seeds):
    """On a rasterised page, the grid found on the image has the cells pdfplumber finds in the text
    layer: the same boxes (within 5 px at 150 dpi: pdfplumber snaps lines 3 pt apart into one), merged
    cells included."""
    import pdfplumber
    import pypdfium2 as pdfium

    from extractors.ocr import geometry, grid, raster

    pdf = render(seeds["000"], "pdf")
    doc = pdfium.PdfDocument(pdf)
    f = raster.DPI / 72
    with pdfplumber.open(io.BytesIO(pdf)) as plumb:
        for i, page in enumerate(plumb.pages):
            grey, done = geometry.straighten(raster.pdf_page(doc, i))
            assert "perspective" not in done and abs(done.get("deskew_deg", 0)) < 0.1
            found = grid.find_tables(grey)
            tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            assert len(found) == len(tables), f"page {i + 1}"
            for t, g in zip(tables, found, strict=True):
                boxes = [tuple(round(v * f) for v in c) for c in t.cells]
                mine = [c.box for c in g.cells]
                assert len(mine) == len(boxes), f"page {i + 1}: {len(mine)} cells, pdfplumber {len(boxes)}"
                for b in boxes:
                    assert any(all(abs(x - y) <= 5 for x, y in zip(b, m, strict=True)) for m in mine), b
                assert any(c.rowspan > 1 or c.colspan > 1 for c in g.cells)
    doc.close()


@pytest.mark.parametrize("angle", [1.0, -1.0, 2.5, -0.4])
def test_skew_is_measured(seeds, angle):
    import pypdfium2 as pdfium

    from extractors.ocr import geometry, raster

    doc = pdfium.PdfDocument(render(seeds["002"], "pdf"))
    page = raster.pdf_page(doc, 1)
    doc.close()
    turned = geometry.rotate(page, angle)
    assert geometry.skew_angle(turned) == pytest.approx(-angle, abs=0.08)


def test_a_photographed_page_is_cut_out_and_unwarped(seeds):
    import numpy as np

    from extractors.ocr import geometry, grid, raster

    frames = list(raster.image_pages(render_scan(seeds["002"], photo=True, jpeg=75, container="tif", seed=5)))
    assert len(frames) == 3
    assert geometry.page_quad(frames[1]) is not None
    grey, done = geometry.straighten(frames[1])
    assert "perspective" in done and grey.shape == (1754, 1240)
    (table,) = grid.find_tables(grey)
    assert table.shape == (16, 10)
    # a flat scan of the same page is not taken for a photograph
    flat = next(iter(raster.image_pages(render_scan(seeds["002"], pages=[2], container="png"))))
    assert geometry.page_quad(flat) is None and np.mean(flat) > 200


def test_red_seal_ink_is_taken_out():
    import numpy as np

    from extractors.ocr.raster import to_grey

    bgr = np.full((4, 4, 3), 255, np.uint8)
    bgr[0, 0] = (40, 32, 214)  # the seal's red on white paper (BGR)
    bgr[1, 1] = (0, 0, 0)  # black print
    bgr[2, 2] = (0, 0, 0)  # black print under the seal stays black
    g = to_grey(bgr)
    assert g[0, 0] > 240 and g[1, 1] < 10 and g[2, 2] < 10 and g[3, 3] == 255


# ------------------------------------------------------------------ round trips through the recogniser


SINGLE_PAGE = {  # one degradation each, the applications table's first page of the varied report
    "rotate+1": {"rotate": 1.0},
    "rotate-1": {"rotate": -1.0},
    "blur": {"blur": 0.9},
    "specks": {"specks": 120},
    "jpeg40": {"jpeg": 40},
    "300dpi": {"dpi": 300},
}


@pytest.fixture(scope="module")
def single_pages(varied):
    out = {}
    for i, (name, variant) in enumerate(SINGLE_PAGE.items()):
        out[name] = extract(render_scan(varied, pages=[2], container="png", seed=i, **variant), name=f"{name}.png")
    return out


@pytest.fixture(scope="module")
def whole_reports(seeds):
    """Whole reports: seed 003 (its printed totals do not balance) scanned clean as a PDF; seed 004 with
    every degradation at once (askew, blurred, dusty, JPEG, a seal over a table); seed 002 photographed."""
    return {
        "003 clean": (seeds["003"], extract(render_scan(seeds["003"]), name="seed_003.scan.pdf")),
        "004 all": (seeds["004"], extract(render_scan(seeds["004"], rotate=0.8, blur=0.7, specks=120, jpeg=50,
                                                      stamp=True, seed=4), name="seed_004.scan.pdf")),
        "002 photo": (seeds["002"], extract(render_scan(seeds["002"], photo=True, jpeg=75, container="tif",
                                                        seed=2), name="seed_002.photo.tif")),
    }


@pytest.mark.slow
def test_whole_scanned_reports_round_trip(whole_reports):
    problems = []
    for name, (spec, rec) in whole_reports.items():
        assert rec.error is None, f"{name}: {rec.error}"
        # metadata from the OCR'd title and signature, by the same rules as text
        assert (rec.report.publisher, rec.report.year, rec.report.published_on) == \
            (spec.publisher, spec.year, spec.published_on), name
        assert rec.report.format_version == spec.format_version
        assert rec.source.pages == 3 and all(c.ocr for c in rec.cells if c.status != "missing")
        exact, unreadable, wrong = _compare(spec, rec)
        assert not wrong, f"{name}: silently wrong cells:\n" + "\n".join(wrong)
        if unreadable:
            problems.append(f"{name}: {len(unreadable)} unreadable: {unreadable[:3]}")
        assert exact >= 0.98 * len(rec.cells), problems
    # the seal sits on the last table of seed 004: its cells are read through it
    rec = whole_reports["004 all"][1]
    assert all(c.status == "ok" for c in rec.cells if c.table == "review_litigation")


@pytest.mark.slow
def test_degraded_pages_round_trip(varied, single_pages):
    """Each degradation alone: every cell read is the printed one (0 wrong), ≥ 99 % of them exact
    over all degradations; confidences recorded."""
    total = exact_all = 0
    report = []
    for name, rec in single_pages.items():
        assert rec.error is None, f"{name}: {rec.error}"
        exact, unreadable, wrong = _compare(varied, rec, only_found=True)
        assert not wrong, f"{name}: silently wrong cells:\n" + "\n".join(wrong)
        n = exact + len(unreadable)
        assert n >= 80, f"{name}: only {n} cells found on the page"
        total += n
        exact_all += exact
        report.append(f"{name}: {exact}/{n} exact {unreadable[:2]}")
        read = [c for c in rec.cells if c.status == "ok"]
        assert all(c.ocr and 0 < c.confidence <= 1 for c in read)
    assert exact_all >= 0.99 * total, "\n".join(report)


def test_an_image_only_report_in_the_demo_corpus_loads_with_cells(seeds):
    """The corpus' scanned PDF (a seal, dust, JPEG, askew): one page of it is enough to show it loads."""
    spec = seeds["002"]
    data = render_scan(spec, rotate=0.7, blur=0.6, specks=80, jpeg=60, stamp=True, seed=2, pages=[1])
    rec = extract(data, name="seed_002_scanned.p1.pdf")
    assert rec.error is None
    assert (rec.report.publisher, rec.report.year) == (spec.publisher, spec.year)
    exact, unreadable, wrong = _compare(spec, rec, only_found=True)
    assert not wrong and not unreadable and exact == sum(1 for c in rec.cells if c.table == "proactive")
    as_json = rec.to_json()
    assert '"ocr": true' in as_json and '"confidence": ' in as_json


# ------------------------------------------------------------------ identities and confidence


@pytest.fixture(scope="module")
def one_page_raw(varied):
    """The varied report with its applications and review tables on one page (R1–R6 all on it), as
    the OCR reader reads it (before the assembler)."""
    from extractors.ocr.reader import read_image

    return read_image(render_scan(varied, pages=[2], container="png", split=False, seed=9), sniff.PNG)


@pytest.fixture
def one_page(one_page_raw):
    """A fresh copy of that reading, for a test to tamper with."""
    import copy

    return copy.deepcopy(one_page_raw)


def _reassemble(raw, name="inject.png"):
    from extractors.assemble import assemble
    from extractors.model import Source
    from extractors.ocr.confirm import confirm

    return confirm(assemble(raw, Source(path=name, sha256="")), raw)


def _raw_cell(raw, row_label: str, col: int):
    """The printed cell of the row whose label contains ``row_label``, ``col`` positions after it."""
    for t in raw.tables:
        for r in t.rows:
            texts = [c.text if c is not None else "" for c in r]
            hits = [j for j, s in enumerate(texts) if row_label in s]  # a merged label repeats
            if hits:
                return r[hits[-1] + col]
    raise AssertionError(f"no row {row_label!r}")


def _erase(raw, cell) -> None:
    """Paint the cell white on the page image the re-readings look at (a hole in the page)."""
    grey = raw.ocr.image(cell.page).copy()
    x0, y0, x1, y1 = (int(v) for v in cell.bbox)
    grey[y0 + 3:y1 - 2, x0 + 3:x1 - 2] = 255
    raw.ocr.pages[cell.page].grey = grey


def test_a_misreading_that_breaks_an_identity_is_read_again_and_flagged(varied, one_page):
    """The recogniser misreads the 自然人 count of 本年新收 (R1 and R3 then fail): the cell is read
    again at another scale, the printed figure comes back and the identities confirm it; the
    misread number is never the record's, and the issue says what happened."""
    raw = one_page
    cell = _raw_cell(raw, "本年新收", 1)
    printed = cell.text
    want = varied.cells[("applications", "new_received", "natural_person")]
    assert printed == want.raw
    cell.text = str(int(printed) + 30)  # a misreading, as sure of itself as a right one
    cell.confidence = 0.99
    rec = _reassemble(raw)
    got = rec.cell_map()[("applications", "new_received", "natural_person")]
    assert got.value != int(printed) + 30
    assert (got.value, got.status) == (want.value, "ok")
    flags = [i for i in rec.issues if i.code == errors.OCR_IDENTITY_CONFLICT and i.row == "new_received"]
    assert flags and "confirm" in flags[0].message


def test_a_misreading_nothing_can_settle_is_unreadable_not_a_number(varied, one_page):
    """Misread, and the print under it is gone (a hole in the page): the re-readings find nothing, no
    reading balances the identities → the cell is null and unreadable, the readings kept in raw."""
    raw = one_page
    cell = _raw_cell(raw, "本年新收", 1)
    misread = str(int(cell.text) + 30)
    cell.text, cell.confidence = misread, 0.99
    _erase(raw, cell)
    rec = _reassemble(raw)
    got = rec.cell_map()[("applications", "new_received", "natural_person")]
    assert got.value is None and got.status == "unreadable" and misread in got.raw
    assert any(i.code == errors.OCR_IDENTITY_CONFLICT and i.row == "new_received" for i in rec.issues)
    # the other cells of the page are untouched
    exact, _unreadable, wrong = _compare(varied, rec, only_found=True)
    assert not wrong and exact >= 150


def test_a_low_confidence_reading_is_unreadable_with_its_reading_kept(varied, one_page):
    raw = one_page
    cell = _raw_cell(raw, "属于国家秘密", 1)
    first = cell.text
    cell.confidence = 0.5
    _erase(raw, cell)  # read again: nothing there to confirm the reading
    rec = _reassemble(raw)
    got = rec.cell_map()[("applications", "withheld_state_secret", "natural_person")]
    assert got.status == "unreadable" and got.value is None and got.raw.startswith(first)
    assert any(i.code == errors.OCR_LOW_CONFIDENCE and i.row == "withheld_state_secret" for i in rec.issues)


def test_a_speck_at_the_end_of_a_count_is_not_part_of_it():
    """A count has no dot or comma before or after its digits: on a scan one there is a speck. Inside
    the digits it is not, and amounts and signed changes keep theirs."""
    from extractors.model import Cell
    from extractors.ocr.confirm import _parsed
    from extractors.values import parse_value
    from extractors.vocab import AMOUNT, CHANGE

    count = Cell("applications", "granted", "natural_person", None, None, "unreadable")
    change = Cell("proactive", "administrative_licensing", "items_change", None, None, "unreadable")
    amount = Cell("proactive", "centralized_procurement", "procurement_amount", None, None, "unreadable")
    assert [(_parsed(t, count).status, _parsed(t, count).value) for t in ("0.", ".45", "12,", "7")] == \
        [("ok", 0), ("ok", 45), ("ok", 12), ("ok", 7)]
    assert _parsed("1.5", count).status == "unreadable" and _parsed("-0", count).status == "unreadable"
    for text in ("0.", ".45", "12,"):  # the rule is a count's: a change or an amount parses as it always did
        assert _parsed(text, change) == parse_value(text, CHANGE)
        assert _parsed(text, amount) == parse_value(text, AMOUNT)


@pytest.mark.parametrize(("first", "again", "kept"), [
    (("3", 0.50), [("8", 0.95), ("8", 0.93)], "8"),      # both re-readings sure of one value
    (("0", 0.76), [("0", 0.998), ("0", 0.74)], "0"),     # three readings of one value, one of them sure
    (("0", 0.76), [("0", 0.85), ("0", 0.74)], None),     # three of one value, none sure
    (("8", 0.76), [("0", 0.998), ("0", 0.74)], None),    # one sure, the others disagree
    (("0.", 0.99), [("0.", 0.98), ("0.", 0.96)], "0."),  # a speck every time: a count's 0
    (("4", 0.80), [("4", 0.95), ("1", 0.97)], None),     # the re-readings disagree
])
def test_which_doubtful_readings_are_kept(first, again, kept):
    from extractors.model import Cell
    from extractors.ocr.confirm import THRESHOLD, _agreed

    cell = Cell("applications", "granted", "natural_person", None, first[0], "ok", ocr=True, confidence=first[1])
    got = _agreed(cell, again, THRESHOLD)
    assert (got[0] if got else None) == kept


def _value_cells(raw, want_same: bool):
    """Two printed cells of the applications table, each with the record cell it became, whose printed
    texts are equal (or differ)."""
    from extractors.ocr.confirm import link

    linked = sorted((k, rc) for k, rc in link(raw, _reassemble(raw)).items() if k[0] == "applications")
    for i, (ka, a) in enumerate(linked):
        for kb, b in linked[i + 1:]:
            if (a.text.strip() == b.text.strip()) == want_same and a is not b:
                return (a, ka), (b, kb)
    pytest.skip("no such pair on the page")


@pytest.mark.parametrize("same", [True, False], ids=["same-print", "different-prints"])
def test_cells_misread_alike_are_read_again_together(varied, one_page, same):
    """Two printed cells read as the same non-number ("a" for a speckled 0): which record cell came
    from which cannot be told, so both printed cells are read again; when both give one value, both
    record cells get it, and when they differ, neither does (no guess which is which)."""
    raw = one_page
    (a, key_a), (b, key_b) = _value_cells(raw, same)
    for c in (a, b):
        c.text, c.confidence = "a", 0.6
    rec = _reassemble(raw)
    got = rec.cell_map()
    want = varied.cells
    if same:
        assert [(got[k].status, got[k].value) for k in (key_a, key_b)] == \
            [("ok", want[key_a].value), ("ok", want[key_b].value)]
        assert any(i.code == errors.OCR_LOW_CONFIDENCE and "printed cells" in i.message for i in rec.issues)
    else:
        assert [got[k].status for k in (key_a, key_b)] == ["unreadable", "unreadable"]
        assert got[key_a].value is None and got[key_b].value is None


@pytest.mark.slow
def test_a_report_that_does_not_balance_stays_unbalanced(whole_reports):
    """Seed 003's printed totals break R1/R2. Read by OCR, its figures are the printed ones (re-read,
    the same): the identity still fails — it may confirm a reading, never overwrite one."""
    from extractors.identities import filled_rows, identities, values_of

    spec, rec = whole_reports["003 clean"]
    cells = rec.cell_map()
    values = values_of(cells)
    failing = [i for i in identities(rec.report.format_version, filled_rows(cells)) if i.check(values) is False]
    printed = spec.record().cell_map()
    printed_fail = [i for i in identities(spec.format_version, filled_rows(printed))
                    if i.check(values_of(printed)) is False]
    assert printed_fail and {(i.rule, i.scope) for i in failing} == {(i.rule, i.scope) for i in printed_fail}
    for i in failing:
        for k in i.keys:
            assert _num(cells[k].value) == _num(printed[k].value), k
    kept = [i for i in rec.issues if i.code == errors.OCR_IDENTITY_CONFLICT]
    assert kept and all("kept" in i.message for i in kept)


# ------------------------------------------------------------------ budgets, packages, tools


def test_a_page_over_its_budget_is_given_up(seeds, monkeypatch, tmp_path):
    monkeypatch.setenv("GONGKAI_OCR_PAGE_BUDGET_S", "0")
    rec = extract(render_scan(seeds["001"], pages=[1, 2]), name="slow.pdf")
    assert rec.error is not None and rec.error.code == errors.TIMEOUT and "budget" in rec.error.message
    rec = extract(render_scan(seeds["001"], pages=[1], container="png"), name="slow.png")
    assert rec.error is not None and rec.error.code == errors.TIMEOUT
    from extractors.ocr import time_allowance

    p = tmp_path / "s.pdf"
    p.write_bytes(render_scan(seeds["001"], pages=[1, 2]))
    monkeypatch.setenv("GONGKAI_OCR_PAGE_BUDGET_S", "30")
    assert time_allowance(p) == 60


_BLOCK_OCR = """
import sys
class _NoOcr:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("rapidocr", "onnxruntime", "cv2"):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, _NoOcr())
"""


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_without_the_ocr_packages_a_scan_is_ocr_unavailable(seeds, tmp_path):
    scan, text = tmp_path / "scan.pdf", tmp_path / "text.pdf"
    scan.write_bytes(render_scan(seeds["001"], pages=[1]))
    text.write_bytes(render(seeds["001"], "pdf"))
    png = tmp_path / "scan.png"
    png.write_bytes(render_scan(seeds["001"], pages=[1], container="png"))
    r = _python(_BLOCK_OCR + f"""
from extractors.api import extract
for p in ({str(scan)!r}, {str(png)!r}, {str(text)!r}):
    rec = extract(p)
    print(rec.error.code if rec.error else "ok", "|", rec.error.message if rec.error else len(rec.cells))
""")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("ocr_unavailable |") and "rapidocr" in lines[0] and "--extra ocr" in lines[0]
    assert lines[1].startswith("ocr_unavailable |")
    assert lines[2].startswith("ok |")


def test_reading_text_documents_imports_no_ocr_stack(seeds, tmp_path):
    text = tmp_path / "text.pdf"
    text.write_bytes(render(seeds["001"], "pdf"))
    r = _python(f"""
import sys
from extractors.api import extract
rec = extract({str(text)!r})
assert rec.error is None
print(sorted(m for m in ("cv2", "onnxruntime", "rapidocr") if m in sys.modules))
""")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


@pytest.mark.slow
def test_a_scan_is_read_in_an_isolated_worker_within_its_budgets(seeds, tmp_path):
    """OpenCV and onnxruntime map ~1 GB of address space: the worker grants it on top of the
    document's memory budget, and an OCR page gets its own time allowance."""
    from extractors.sandbox import extract_isolated

    p = tmp_path / "scan.png"
    p.write_bytes(render_scan(seeds["000"], pages=[1], container="png"))
    rec = extract_isolated(p, timeout_s=60, memory_mb=1024)
    assert rec.error is None, rec.error
    assert sum(1 for c in rec.cells if c.status == "ok" and c.ocr) == 22  # every cell of page 1


def test_debug_draws_the_image_grid_and_the_readings(seeds, tmp_path):
    from click.testing import CliRunner
    from PIL import Image

    from gongkai.commands.debug import command

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(render_scan(seeds["001"], pages=[2], rotate=1.0))
    out = tmp_path / "grid.png"
    res = CliRunner().invoke(command, [str(scan), "--page", "1", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "OCR" in res.output and "deskew_deg" in res.output and "16×10 grid" in res.output
    with Image.open(out) as im:
        assert im.size == (1240, 1754) or abs(im.size[0] - 1240) <= 2
        # the grid is drawn in green and blue, the readings in dark red
        colours = {c for _, c in im.convert("RGB").getcolors(1 << 20)}
        assert (0, 160, 60) in colours and (30, 90, 230) in colours


def test_debug_draws_on_an_image_file(seeds, tmp_path):
    """`gongkai debug` on a scanned page as a PNG image (issue 12): the grid found on the image and the
    readings with their confidence are drawn over it — the output is the page's size and differs from
    the input where the grid and the readings are."""
    from click.testing import CliRunner
    from PIL import Image, ImageChops

    from gongkai.commands.debug import command

    scan = tmp_path / "scan.png"
    scan.write_bytes(render_scan(seeds["001"], pages=[2], container="png"))
    out = tmp_path / "grid.png"
    res = CliRunner().invoke(command, [str(scan), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "page 1/1 (OCR" in res.output and "16×10 grid" in res.output and str(out) in res.output
    with Image.open(scan) as src, Image.open(out) as im:
        assert im.size == src.size
        drawn = ImageChops.difference(src.convert("RGB"), im.convert("RGB")).convert("L").point(lambda v: v > 60)
        assert drawn.getbbox() is not None and sum(drawn.histogram()[1:]) > 20_000  # lines and labels, not a copy
        colours = {c for _, c in im.convert("RGB").getcolors(1 << 20)}
        assert (0, 160, 60) in colours and (30, 90, 230) in colours  # cells green, merged cells blue


@pytest.mark.slow
def test_a_report_with_some_scanned_pages_is_read_whole(varied):
    """Text pages and scanned pages in one PDF (a report whose tables were pasted in as images): the
    text pages through pdfplumber, the others by OCR; the tables continue across both."""
    import pypdfium2 as pdfium

    text = pdfium.PdfDocument(render(varied, "pdf"))
    scanned = pdfium.PdfDocument(render_scan(varied, rotate=-0.6, jpeg=70, seed=3))
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(text, [0])
    mixed.import_pages(scanned, [1, 2])
    buf = io.BytesIO()
    mixed.save(buf)
    for d in (text, scanned, mixed):
        d.close()
    rec = extract(buf.getvalue(), name="mixed.pdf")
    assert rec.error is None, rec.error
    assert not any(i.code == errors.PARTIAL_TEXT_LAYER for i in rec.issues)
    by_page = {c.page: c.ocr for c in rec.cells if c.status == "ok"}
    assert by_page[1] is None and by_page[2] is True and by_page[3] is True
    exact, unreadable, wrong = _compare(varied, rec)
    assert not wrong and exact >= 0.99 * len(rec.cells), unreadable
