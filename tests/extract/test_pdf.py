"""The PDF reader on small ruled PDFs drawn here with reportlab (CID font STSong-Light, which
pdfminer decodes): merged cells, vertical and rotated header text, fake-bold doubled glyphs, a table
split across pages with page numbers, and the byte-level stream check."""

from __future__ import annotations

import random
import zlib

import pytest
from pdfplumber.utils import dedupe_chars as plumber_dedupe
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extractors import errors
from extractors.pdf import ExtractionFailure, check_streams, dedupe_chars, is_page_number, read_pdf

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
W, H = 595, 842


def draw_table(c, x0, top, col_w, row_h, cells, size=9):
    """cells: (row, col, rowspan, colspan, text, mode); mode "h" normal, "v" one glyph per line,
    "rot" glyphs turned counter-clockwise, "bold" every glyph drawn twice 0.3pt apart."""
    xs = [x0]
    for w in col_w:
        xs.append(xs[-1] + w)
    ys = [top]
    for h in row_h:
        ys.append(ys[-1] + h)
    for r, col, rs, cs, text, mode in cells:
        bx0, bx1 = xs[col], xs[col + cs]
        bt, bb = ys[r], ys[r + rs]
        c.rect(bx0, H - bb, bx1 - bx0, bb - bt, stroke=1, fill=0)
        c.setFont(FONT, size)
        cx, cy = (bx0 + bx1) / 2, H - (bt + bb) / 2
        if mode == "v":
            n = len(text)
            for i, ch in enumerate(text):
                c.drawCentredString(cx, cy + (n / 2 - i - 1) * (size + 1) + 2, ch)
        elif mode == "rot":
            c.saveState()
            c.translate(cx + size / 3, cy - len(text) * size / 2)
            c.rotate(90)
            c.drawString(0, 0, text)
            c.restoreState()
        elif mode == "bold":
            c.drawCentredString(cx - 2, cy - 3, text)
            c.drawCentredString(cx - 2 + 0.3, cy - 3 + 0.2, text)
        else:
            c.drawCentredString(cx, cy - 3, text)


def grid_texts(table):
    return [[(cell.text if cell else None) for cell in row] for row in table.rows]


@pytest.fixture(scope="module")
def merged_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "merged.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.setFont(FONT, 14)
    c.drawString(80, H - 60, "某某镇人民政府2023年政府信息公开工作年度报告")
    cells = [
        (0, 0, 2, 2, "申请情况", "h"),
        (0, 2, 1, 3, "法人或其他组织", "bold"),
        (1, 2, 1, 1, "商业企业", "h"),
        (1, 3, 1, 1, "科研机构", "h"),
        (1, 4, 1, 1, "其他", "h"),
        (2, 0, 3, 1, "本年度办理结果", "v"),
        (2, 1, 1, 1, "予以公开", "h"),
        (3, 1, 1, 1, "部分公开", "h"),
        (4, 1, 1, 1, "不予公开", "h"),
        (5, 0, 3, 1, "其他结果", "rot"),
        (5, 1, 1, 1, "维持", "h"),
        (6, 1, 1, 1, "纠正", "h"),
        (7, 1, 1, 1, "总计", "h"),
    ]
    vals = {2: ["5", "0", "12"], 3: ["1", "", "3"], 4: ["0", "7", "—"], 5: ["2", "2", "2"],
            6: ["9", "8", "7"], 7: ["11", "10", "9"]}
    for r, vs in vals.items():
        for j, v in enumerate(vs):
            cells.append((r, 2 + j, 1, 1, v, "bold" if r == 2 and j == 0 else "h"))
    draw_table(c, 80, 100, [40, 90, 80, 80, 80], [22, 22, 30, 30, 30, 30, 30, 30], cells)
    c.setFont(FONT, 10)
    c.drawCentredString(W / 2, 40, "- 1 -")
    c.showPage()
    c.save()
    return path


def test_merged_cells_are_expanded_with_origin_flags(merged_pdf):
    doc = read_pdf(merged_pdf)
    assert doc.media_type == "application/pdf" and doc.pages == 1
    assert "某某镇人民政府" in doc.text
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.width == 5 and len(t.rows) == 8
    g = grid_texts(t)
    # 2×2 merge at the top left: one origin, three covered copies
    assert [g[0][0], g[0][1], g[1][0], g[1][1]] == ["申请情况"] * 4
    assert t.rows[0][0].origin and not t.rows[0][1].origin and not t.rows[1][0].origin
    # horizontal merge, drawn fake-bold: read once, copied to the covered positions
    assert g[0][2:] == ["法人或其他组织"] * 3
    assert [c.origin for c in t.rows[0][2:]] == [True, False, False]
    assert g[1][2:] == ["商业企业", "科研机构", "其他"]


def test_vertical_and_rotated_headers_read_top_to_bottom(merged_pdf):
    g = grid_texts(read_pdf(merged_pdf).tables[0])
    assert [g[r][0] for r in (2, 3, 4)] == ["本年度办理结果"] * 3
    # glyphs turned counter-clockwise are stored bottom-up: read in writing order, not reversed
    assert [g[r][0] for r in (5, 6, 7)] == ["其他结果"] * 3


def test_values_blank_and_markers_kept_in_place(merged_pdf):
    t = read_pdf(merged_pdf).tables[0]
    g = grid_texts(t)
    assert g[2][1:] == ["予以公开", "5", "0", "12"]  # "5" was drawn twice (fake bold): read once
    assert g[3][1:] == ["部分公开", "1", "", "3"]  # a blank cell stays blank, nothing shifts
    assert g[4][1:] == ["不予公开", "0", "7", "—"]
    assert all(c.page == 1 and c.bbox is not None for row in t.rows for c in row)


@pytest.fixture(scope="module")
def split_pdf(tmp_path_factory):
    """A table whose rows continue on page 2 under the page number "- 1 -" / "第 2 页"."""
    path = tmp_path_factory.mktemp("pdf") / "split.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H))
    head = [(0, 0, 1, 1, "项目", "h"), (0, 1, 1, 1, "自然人", "h"), (0, 2, 1, 1, "总计", "h")]
    rows1 = [(1 + i, 0, 1, 1, f"第{i + 1}行", "h") for i in range(20)]
    vals1 = [(1 + i, j, 1, 1, str(i * 10 + j), "h") for i in range(20) for j in (1, 2)]
    draw_table(c, 80, 150, [150, 80, 80], [26] * 21, head + rows1 + vals1)
    c.setFont(FONT, 10)
    c.drawCentredString(W / 2, 40, "- 1 -")
    c.showPage()
    rows2 = [(i, 0, 1, 1, f"第{i + 21}行", "h") for i in range(5)]
    vals2 = [(i, j, 1, 1, str((i + 20) * 10 + j), "h") for i in range(5) for j in (1, 2)]
    # a page-number-only row ruled into the table, as some exports do
    rows2.append((5, 0, 1, 3, "第 2 页", "h"))
    draw_table(c, 80, 60, [150, 80, 80], [26] * 6, rows2 + vals2)
    c.setFont(FONT, 10)
    c.drawCentredString(W / 2, 40, "第 2 页")
    c.showPage()
    c.save()
    return path


def test_table_split_across_pages_is_continued(split_pdf):
    doc = read_pdf(split_pdf)
    assert doc.pages == 2
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.source == "pdf:lines+continued" and t.page == 1
    labels = [r[0].text for r in t.rows]
    assert labels == ["项目"] + [f"第{i}行" for i in range(1, 26)]  # page-number row dropped
    assert [r[1].text for r in t.rows[1:]] == [str(i * 10 + 1) for i in range(25)]
    assert {r[0].page for r in t.rows[-5:]} == {2} and t.rows[1][0].page == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("- 4 -", True), ("— 12 —", True), ("第 4 页", True), ("第4页 共9页", True), ("3/9", True),
     ("4", False), ("95", False), ("第二十条第（一）项", False), ("-15", False)],
)
def test_page_number_lines(text, expected):
    assert is_page_number(text) is expected


def _char(text, x0, top, size=9.0):
    return {"text": text, "x0": x0, "x1": x0 + size, "top": top, "bottom": top + size, "doctop": top,
            "upright": True, "size": size, "fontname": "F"}


def test_dedupe_matches_pdfplumber_on_fake_bold():
    rnd = random.Random(7)
    chars = []
    for i in range(400):
        x, y = 50 + (i % 40) * 12.0, 60 + (i // 40) * 15.0
        t = "零一二三四五六七八九"[rnd.randrange(10)]
        chars.append(_char(t, x, y))
        if rnd.random() < 0.5:  # drawn a second time, a fraction of a point off
            chars.append(_char(t, x + rnd.uniform(-0.6, 0.6), y + rnd.uniform(-0.6, 0.6)))
    ours = dedupe_chars(chars, 1.0)
    theirs = plumber_dedupe(chars, tolerance=1)
    assert len(ours) == 400
    # the same glyphs in the same order (pdfplumber keeps the top-left copy, we keep the first drawn)
    assert [c["text"] for c in ours] == [c["text"] for c in theirs]
    assert all(abs(a["x0"] - b["x0"]) <= 1 and abs(a["top"] - b["top"]) <= 1 for a, b in zip(ours, theirs, strict=True))


def test_dedupe_keeps_repeated_glyphs_that_are_apart():
    chars = [_char("0", 100, 100), _char("0", 109, 100), _char("0", 100, 115), _char("1", 100.3, 100.2)]
    assert len(dedupe_chars(chars)) == 4


def test_check_streams_stops_a_bomb_before_inflating_it():
    comp = zlib.compress(b"\0" * (8 * 1024 * 1024), 9)
    data = (b"%PDF-1.4\n1 0 obj\n<< /Length " + str(len(comp)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + comp + b"\nendstream\nendobj\n")
    assert check_streams(data, max_stream_bytes=16 * 1024 * 1024) == 8 * 1024 * 1024
    with pytest.raises(ExtractionFailure) as e:
        check_streams(data, max_stream_bytes=1024 * 1024)
    assert e.value.code == errors.DECOMPRESSION_BOMB


def test_image_streams_are_not_inflated_by_the_check():
    comp = zlib.compress(b"\0" * (4 * 1024 * 1024), 9)
    data = (b"%PDF-1.4\n5 0 obj\n<< /Type /XObject /Subtype /Image /Width 2048 /Height 2048 /Length "
            + str(len(comp)).encode() + b" /Filter /FlateDecode >>\nstream\n" + comp + b"\nendstream\nendobj\n")
    assert check_streams(data, max_stream_bytes=1024 * 1024) == 0


def test_uncompressed_and_broken_streams_are_left_to_the_parser():
    data = (b"%PDF-1.4\n1 0 obj\n<< /Length 5 >>\nstream\nhello\nendstream\nendobj\n"
            b"2 0 obj\n<< /Length 5 /Filter /FlateDecode >>\nstream\nxxxxx\nendstream\nendobj\n")
    assert check_streams(data) == 0


def test_fast_objects_equal_pdfplumbers(merged_pdf, split_pdf):
    import pdfplumber

    from extractors.pdf import _CHAR_KEYS, fast_objects

    for path in (merged_pdf, split_pdf):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                ref = page.parse_objects()
                fast = fast_objects(page)
                assert set(ref) == set(fast)
                assert [tuple(c[k] for k in _CHAR_KEYS) for c in ref["char"]] == \
                       [tuple(c[k] for k in _CHAR_KEYS) for c in fast["char"]]
                for kind in set(ref) - {"char"}:
                    assert ref[kind] == fast[kind]


def test_unruled_table_falls_back_to_the_layout_text(tmp_path):
    """No ruling lines at all, but rows of numbers in aligned columns: the page's layout text, read
    as aligned text (every number whole, boxes in points)."""
    path = tmp_path / "unruled.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.setFont(FONT, 10)
    c.drawString(80, H - 60, "三、收到和处理政府信息公开申请情况")
    heads = ["自然人", "商业企业", "科研机构", "总计"]
    for j, h in enumerate(heads):
        c.drawString(260 + j * 70, H - 100, h)
    rows = [("本年新收", [5, 1, 0, 6]), ("上年结转", [2, 0, 0, 2]), ("予以公开", [3, 1, 0, 4]),
            ("总计", [7, 1, 0, 8])]
    for i, (label, vals) in enumerate(rows):
        y = H - 125 - i * 22
        c.drawString(80, y, label)
        for j, v in enumerate(vals):
            c.drawString(270 + j * 70, y, str(v))
    c.showPage()
    c.save()
    doc = read_pdf(path)
    assert [t.source for t in doc.tables] == ["pdf:layout:x"]
    g = [[x for x in r if x] for r in grid_texts(doc.tables[0])]
    assert ["本年新收", "5", "1", "0", "6"] in g and ["总计", "7", "1", "0", "8"] in g
    five = next(c for r in doc.tables[0].rows for c in r if c is not None and c.text == "5")
    assert five.page == 1 and 255 < five.bbox[0] < 285  # drawn at x = 270


def test_prose_pages_give_no_tables(tmp_path):
    path = tmp_path / "prose.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H))
    c.setFont(FONT, 11)
    for k in range(20):
        c.drawString(70, H - 80 - k * 22, f"2024年，全区政府信息公开工作取得一定成绩，第{k + 1}段。")
    c.rect(60, 60, W - 120, H - 120)  # a frame around the prose is not a table
    c.showPage()
    c.save()
    doc = read_pdf(path)
    assert doc.tables == [] and "全区政府信息公开工作" in doc.text
