"""``extractors.pdfium`` against pdfminer (through pdfplumber), object by object: the glyphs
(text, order, box, orientation, size, font) and the painted paths (rect, line or curve, and their
geometry) of small PDFs that exercise placement (``pdf_samples``: fonts, text state, rotated glyphs,
vertical writing, forms, rotated and shifted pages, path shapes) and of the real report; and the
pages it leaves to pdfminer, with the reason."""

from __future__ import annotations

import pdfplumber
import pytest

from extractors import pdf as reader
from extractors.pdfium import PdfiumDocument, Unsupported
from tests.support.pdf_samples import SAMPLES

GEOMETRY = ("x0", "x1", "top", "bottom", "doctop", "y0", "y1")


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    root = tmp_path_factory.mktemp("pdf-samples")
    out = {}
    for name, build in SAMPLES.items():
        out[name] = root / f"{name}.pdf"
        out[name].write_bytes(build())
    return out


def _both(path):
    """(pdfminer's objects, PDFium's objects) of every page."""
    with pdfplumber.open(path) as pdf, PdfiumDocument(path) as doc:
        return [(reader.fast_objects(p), doc.page_objects(p)) for p in pdf.pages]


def _base(fontname: str) -> str:
    # PDFium names simple fonts without their subset tag; the char then carries the bare name
    return fontname.split("+", 1)[-1]


def assert_same_chars(ref: list[dict], got: list[dict], tol: float = 1e-3) -> None:
    ref = [c for c in reader.dedupe_chars(ref) if c["text"].strip()]
    got = [c for c in reader.dedupe_chars(got) if c["text"].strip()]
    assert [c["text"] for c in got] == [c["text"] for c in ref]
    for a, b in zip(ref, got, strict=True):
        assert b["upright"] == a["upright"], a
        assert _base(b["fontname"]) == _base(a["fontname"])
        for k in (*GEOMETRY, "size", "width", "height"):
            assert b[k] == pytest.approx(a[k], abs=tol), (a["text"], k, a[k], b[k])
        # the writing direction (the matrix's first column) decides how rotated cells are read
        assert (b["matrix"][0] > 0, b["matrix"][1] > 0) == (a["matrix"][0] > 0, a["matrix"][1] > 0)


def assert_same_paths(ref: dict, got: dict, tol: float = 1e-6) -> None:
    for kind in ("rect", "line", "curve", "image"):
        a, b = ref.get(kind, []), got.get(kind, [])
        assert len(b) == len(a), kind
        for x, y in zip(a, b, strict=True):
            for k in (*GEOMETRY, "width", "height"):
                assert y[k] == pytest.approx(x[k], abs=tol), (kind, k, x[k], y[k])
            if kind != "image":
                assert [c for pt in y["pts"] for c in pt] == pytest.approx([c for pt in x["pts"] for c in pt], abs=tol)
                assert (y["stroke"], y["fill"]) == (x["stroke"], x["fill"])


@pytest.mark.parametrize("name", [n for n in SAMPLES if n != "actual_text"])
def test_objects_match_pdfminers(samples, name):
    for ref, got in _both(samples[name]):
        assert_same_chars(ref.get("char", []), got.get("char", []))
        assert_same_paths(ref, got)


def test_the_real_report_matches_pdfminer(real_dir):
    path = real_dir / "hongzequ_2024.pdf"
    if not path.exists():
        pytest.skip(f"{path} not found")
    pages = _both(path)
    for ref, got in pages:
        assert_same_chars(ref["char"], got["char"])
        assert_same_paths(ref, got)
    # its vertical headers are set in a vertical-writing font (Identity-V): stacked glyphs
    stacked = [c for c in pages[2][1]["char"] if c["text"] in "三本年度办理结果"
               and abs(c["x0"] - 85.541) < 0.01]
    assert len(stacked) >= 8 and all(c["upright"] for c in stacked)


def test_paths_are_classified_as_pdfminer_does(samples):
    (ref, got), = _both(samples["paths"])
    counts = {k: len(got.get(k, [])) for k in ("rect", "line", "curve")}
    assert counts == {k: len(ref.get(k, [])) for k in ("rect", "line", "curve")}
    # re, four lines closed, two rects in one path, the shaded cell, the 3×3 table: rects;
    # three lines; the rounded box, the circle and the slanted quadrilateral: curves
    assert counts["rect"] == 1 + 1 + 2 + 1 + 9 and counts["line"] == 3 and counts["curve"] == 3
    slanted = [c for c in got["curve"] if c["x0"] == pytest.approx(62)]
    assert len(slanted) == 1 and len(slanted[0]["pts"]) == 5  # four corners and the close
    # the clipping path is not a drawn object
    assert not any(r["x0"] == pytest.approx(72) and r["x1"] == pytest.approx(172) for r in got["rect"])


def test_rotated_glyphs_keep_their_writing_direction(samples):
    (_ref, got), = _both(samples["rotated"])
    by_dir = {}
    for c in got["char"]:
        if c["text"] in "本年度":
            a, b = c["matrix"][:2]
            by_dir.setdefault((round(a), round(b)), []).append(c)
    # turned 90° (b > 0: reads bottom to top), 180°, 270° (b < 0), and the horizontal table text
    assert set(by_dir) >= {(0, 1), (-1, 0), (0, -1)}
    assert not any(c["upright"] for c in by_dir[(0, 1)] + by_dir[(0, -1)])
    up = sorted(by_dir[(0, 1)], key=lambda c: -c["top"])  # bottom to top
    assert "".join(c["text"] for c in up)[:3] == "本年度"
    # the reader turns the rotated header cell back into its label
    doc = reader.read_pdf(samples["rotated"], parser="pdfium")
    assert any("办理结果" in (c.text if c else "") for t in doc.tables for r in t.rows for c in r)


def test_pages_pdfium_cannot_match_go_to_pdfminer(samples, tmp_path):
    from gongkai.demo.fixtures.corpus import without_tounicode

    path = samples["actual_text"]
    with pdfplumber.open(path) as pdf, PdfiumDocument(path) as doc, pytest.raises(Unsupported, match="ActualText"):
        doc.page_objects(pdf.pages[0])
    cid = tmp_path / "cid.pdf"
    cid.write_bytes(without_tounicode(samples["fonts"].read_bytes()))
    with pdfplumber.open(cid) as pdf, PdfiumDocument(cid) as doc:
        with pytest.raises(Unsupported, match="Unicode mapping|unmapped glyph"):
            doc.page_objects(pdf.pages[0])
        # through the reader's switch: pdfminer reads the page, and says why
        objs = reader.page_objects(pdf.pages[0], doc)
        assert any("(cid:" in c["text"] for c in objs["char"])
        assert doc.fallbacks and any(w in doc.fallbacks[0][1] for w in ("unmapped", "Unicode"))


def test_fake_bold_glyphs_pdfium_leaves_out_are_counted(samples):
    """PDFium drops the second of two identical text objects drawn a hair apart; the reader's
    de-duplication drops the same glyphs from pdfminer's page."""
    path = samples["fonts"]
    with pdfplumber.open(path) as pdf, PdfiumDocument(path) as doc:
        page = pdf.pages[0]
        got = doc.page_objects(page)["char"]
        ref = reader.fast_objects(page)["char"]
        assert len(ref) - len(reader.dedupe_chars(ref)) == doc.duplicates[1] + (len(got) - len(reader.dedupe_chars(got)))
        assert doc.duplicates[1] == len("某某镇人民政府2024年度报告")
