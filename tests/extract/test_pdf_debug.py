"""`gongkai debug`: the PNG exists, has the page's aspect ratio, and differs from the plain page
render (the grid and the cell texts are drawn on it); the summary names the tables found."""

from __future__ import annotations

import random

import pdfplumber
import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops

from extractors.debug import render_debug
from gongkai.cli import main


def _check_png(pdf_path, page, png):
    with pdfplumber.open(pdf_path) as pdf:
        p = pdf.pages[page - 1]
        ratio = float(p.width) / float(p.height)
        plain = p.to_image(resolution=100).original.convert("RGB")
    img = Image.open(png).convert("RGB")
    assert abs(img.width / img.height - ratio) < 0.01
    assert img.size == plain.size
    diff = ImageChops.difference(img, plain)
    changed = diff.convert("L").point(lambda v: 255 if v > 20 else 0).histogram()[255]
    assert changed > 0.002 * img.width * img.height, f"only {changed} pixels differ from the plain render"


def test_cli_on_the_real_pdf(real_dir, tmp_path):
    pdf = real_dir / "hongzequ_2024.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found")
    out = tmp_path / "grid.png"
    res = CliRunner().invoke(main, ["debug", str(pdf), "--page", "3", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "2 table(s)" in res.output and "16×10" in res.output and "申请人情况" in res.output
    assert "94 printed cells became 94 cells of the form (94 ok)" in res.output
    _check_png(pdf, 3, out)


def test_fixture_pdf(tmp_path):
    from gongkai.demo.fixtures import render
    from gongkai.demo.fixtures.spec import random_spec

    pdf = tmp_path / "fixture.pdf"
    pdf.write_bytes(render.render(random_spec(random.Random(3)), "pdf", fake_bold=True))
    out = tmp_path / "g.png"
    s = render_debug(pdf, 1, out)
    assert s.tables and s.duplicate_chars > 0 and s.output == str(out)
    assert any(t.numbers > 0 for t in s.tables)
    _check_png(pdf, 1, out)


def test_page_out_of_range_is_a_clear_error(real_dir, tmp_path):
    pdf = real_dir / "hongzequ_2024.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found")
    res = CliRunner().invoke(main, ["debug", str(pdf), "--page", "9", "-o", str(tmp_path / "x.png")])
    assert res.exit_code != 0 and "out of range" in res.output


def test_corrupt_pdf_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot really")
    res = CliRunner().invoke(main, ["debug", str(bad), "-o", str(tmp_path / "x.png")])
    assert res.exit_code != 0 and "corrupt_pdf" in res.output


def test_each_box_names_the_cell_it_became(tmp_path):
    """The boxes of the page are traced to the cells of the form they became, across pages."""
    from gongkai.demo.fixtures.render import render
    from gongkai.demo.fixtures.spec import random_spec

    spec = random_spec(random.Random(8), "2021")
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(render(spec, "pdf"))
    s = render_debug(pdf, 3)  # the applications table continued after the page break
    assert s.mapped and s.output is None
    for m in s.mapped:
        (cell,) = m.cells
        assert cell.value == spec.cells[cell.key()].value and m.text == cell.raw
    assert {m.cells[0].row for m in s.mapped} >= {"unavailable_needs_creation", "carried_forward"}


def test_a_document_that_is_not_a_pdf_is_named_as_what_it_is(tmp_path):
    html = tmp_path / "report.pdf"  # the name says PDF; the bytes say HTML
    html.write_text("<html><body><table><tr><td>本年新收</td></tr></table></body></html>", encoding="utf-8")
    res = CliRunner().invoke(main, ["debug", str(html), "-o", str(tmp_path / "x.png")])
    assert res.exit_code == 1 and "gongkai debug reads PDFs" in res.output and "an HTML page" in res.output
    assert f"gongkai extract {html}" in res.output and not (tmp_path / "x.png").exists()
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    res = CliRunner().invoke(main, ["debug", str(empty)])
    assert res.exit_code == 1 and "is empty" in res.output
