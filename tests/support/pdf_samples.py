"""Small PDFs that exercise what a PDF parser must get right to place glyphs and ruling lines the way
pdfminer does, drawn here with reportlab (and re-saved with pypdfium2 where reportlab cannot set a
page property). Shared by the PDFium parser's unit tests and the parser-equality test.

Each builder returns the PDF's bytes; :data:`SAMPLES` names them all.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tests.support import ROOT

TTF = ROOT / "gongkai" / "demo" / "fixtures" / "fonts" / "wqy-microhei-subset.ttf"
CID = "STSong-Light"  # non-embedded CID font, UniGB-UCS2-H (pdfminer and PDFium map it themselves)
W, H = A4

pdfmetrics.registerFont(UnicodeCIDFont(CID))
pdfmetrics.registerFont(TTFont("WQY", str(TTF)))


def _canvas() -> tuple[canvas.Canvas, io.BytesIO]:
    buf = io.BytesIO()
    return canvas.Canvas(buf, pagesize=A4, invariant=1), buf


def _table(c: canvas.Canvas, x0: float, top: float, cols: list[float], rows: list[float], font: str = CID,
           texts: list[list[str]] | None = None, size: float = 9) -> None:
    """A ruled grid (one stroked rectangle per cell) with text in its cells."""
    y = H - top
    for i, rh in enumerate(rows):
        x = x0
        for j, cw in enumerate(cols):
            c.rect(x, y - rh, cw, rh, stroke=1, fill=0)
            if texts:
                c.setFont(font, size)
                c.drawString(x + 3, y - rh + 4, texts[i][j])
            x += cw
        y -= rh


def fonts() -> bytes:
    """One line each in a standard-14 font, an embedded TrueType subset (fractional widths) and a
    non-embedded CID font; a fake-bold title; a ruled table."""
    c, buf = _canvas()
    c.setFont("Helvetica", 11)
    c.drawString(72, 780, "Helvetica: Annual report 2024, table 3 (total 1,234)")
    c.setFont("WQY", 12)
    c.drawString(72, 750, "微米黑：本年新收政府信息公开申请数量 12 件")
    c.setFont(CID, 10.5)
    c.drawString(72, 720, "宋体：二、主动公开政府信息情况 总计 345")
    c.setFont(CID, 16)
    for dx in (0.0, 0.3):  # fake bold: drawn twice, a hair apart
        c.drawString(72 + dx, 660, "某某镇人民政府2024年度报告")
    _table(c, 72, 240, [120, 60, 60], [20, 20], texts=[["项目", "本年", "上年"], ["收到申请", "12", "9"]])
    c.showPage()
    c.save()
    return buf.getvalue()


def text_state() -> bytes:
    """Horizontal scaling, character and word spacing, rise, kerning in TJ, text render modes."""
    c, buf = _canvas()
    t = c.beginText(72, 780)
    t.setFont("WQY", 11)
    t.setHorizScale(80)
    t.textLine("横向缩放百分之八十 scaled 80%")
    t.setHorizScale(100)
    t.setCharSpace(1.5)
    t.textLine("字距加宽 char spacing 12")
    t.setCharSpace(0)
    t.setWordSpace(6)
    t.textLine("word spacing in a line of words 34")
    t.setWordSpace(0)
    t.setRise(4)
    t.textOut("上标")
    t.setRise(0)
    t.textLine(" 基线 rise")
    t.setTextRenderMode(3)  # invisible text, as OCR layers are
    t.textLine("不可见文字 invisible 56")
    t.setTextRenderMode(0)
    c.drawText(t)
    c.setFont("Helvetica", 10)
    c._code.append("BT /F1 10 Tf 72 600 Td [(T) 120 (a) -40 (ble) 500 (7)] TJ ET")  # kerning
    c.showPage()
    c.save()
    return buf.getvalue()


def rotated() -> bytes:
    """Glyphs turned 90°, 180° and 270°, a slanted line of text, and a ruled table whose header cell
    holds counter-clockwise text (as publishers set 三、本年度办理结果)."""
    c, buf = _canvas()
    for angle, (x, y), font in ((90, (120, 500), CID), (180, (400, 700), "WQY"), (270, (480, 300), CID),
                                (30, (100, 150), "Helvetica")):
        c.saveState()
        c.translate(x, y)
        c.rotate(angle)
        c.setFont(font, 11)
        c.drawString(0, 0, "本年度办理结果 2024" if font != "Helvetica" else "slanted 2024")
        c.restoreState()
    _table(c, 200, 420, [30, 80, 80], [90], texts=[["", "申请", "12"]])
    c.saveState()
    c.translate(221, H - 500)
    c.rotate(90)
    c.setFont(CID, 9)
    c.drawString(0, 0, "办理结果")
    c.restoreState()
    c.showPage()
    c.save()
    return buf.getvalue()


def _polygon(c: canvas.Canvas, pts: list[tuple[float, float]]) -> None:
    """A closed polygon, stroked: ``m l … h S``."""
    p = c.beginPath()
    p.moveTo(*pts[0])
    for pt in pts[1:]:
        p.lineTo(*pt)
    p.close()
    c.drawPath(p, stroke=1, fill=0)


def paths() -> bytes:
    """Rectangles drawn with ``re`` and with four lines, lines, a hairline, curves (a rounded box,
    a circle), a slanted quadrilateral, two rectangles in one path, a clipping path, fills only."""
    c, buf = _canvas()
    c.setLineWidth(0.5)
    c.rect(72, 700, 200, 40, stroke=1, fill=0)  # re
    _polygon(c, [(300, 700), (500, 700), (500, 740), (300, 740)])  # the same rectangle as four lines
    c.line(72, 680, 520, 680)
    c.line(72, 660, 72, 600)
    c.setLineWidth(0)
    c.line(100, 650, 400, 650.0001)  # almost horizontal: a curve-free line pdfplumber calls vertical
    c.setLineWidth(1)
    c.roundRect(72, 520, 200, 60, 10, stroke=1, fill=0)
    c.circle(400, 550, 30, stroke=1, fill=0)
    _polygon(c, [(72, 420), (272, 430), (262, 480), (62, 470)])  # slanted: a curve, not a rect
    p = c.beginPath()  # two subpaths in one painted path
    p.rect(300, 420, 80, 30)
    p.rect(400, 420, 80, 30)
    c.drawPath(p, stroke=0, fill=1)
    c.saveState()
    p = c.beginPath()
    p.rect(72, 300, 100, 50)
    c.clipPath(p, stroke=0, fill=0)  # clipping only: not a drawn object
    c.setFillGray(0.8)
    c.rect(60, 290, 200, 80, stroke=0, fill=1)  # a shaded cell
    c.restoreState()
    _table(c, 300, 500, [60, 60, 60], [18, 18, 18])
    c.showPage()
    c.save()
    return buf.getvalue()


def forms() -> bytes:
    """A form XObject (text and a ruled grid) placed twice, scaled and moved."""
    c, buf = _canvas()
    c.beginForm("grid")
    _table(c, 0, H - 60, [80, 40], [20, 20], texts=[["公开申请", "7"], ["办结", "5"]])
    c.endForm()
    c.doForm("grid")
    c.saveState()
    c.translate(200, 300)
    c.scale(0.8, 0.8)
    c.doForm("grid")
    c.restoreState()
    c.setFont(CID, 10)
    c.drawString(72, 780, "表单对象之外的文字")
    c.showPage()
    c.save()
    return buf.getvalue()


def vertical() -> bytes:
    """CID text in vertical writing (``UniGB-UCS2-V``): a column header and a page title, as some
    publishers set 三、本年度办理结果."""
    c, buf = _canvas()
    c.setFont(CID, 12)
    c.drawString(500, 760, "竖排标题")
    c.drawString(90, 500, "本年度办理结果")
    _table(c, 80, 300, [24, 120], [150])
    c.showPage()
    c.save()
    # reportlab writes the horizontal encoding; the vertical one has a name of the same length
    return buf.getvalue().replace(b"/UniGB-UCS2-H", b"/UniGB-UCS2-V")


def _resave(data: bytes, edit: Callable) -> bytes:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        for i in range(len(doc)):
            edit(doc[i])
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
    finally:
        doc.close()


def rotated_page() -> bytes:
    """The fonts sample on pages turned 90° (``/Rotate``)."""
    return _resave(fonts(), lambda page: page.set_rotation(90))


def shifted_page() -> bytes:
    """The paths-and-text sample with a media box that does not start at (0, 0)."""
    return _resave(rotated(), lambda page: page.set_mediabox(-30, 20, W - 10, H + 40))


def actual_text() -> bytes:
    """Glyphs inside ``/Span << /ActualText >>`` marked content (PDFium reads the replacement text)."""
    c, buf = _canvas()
    c.setFont(CID, 12)
    c.drawString(72, 780, "普通文字 plain")
    c._code.append("/Span <</ActualText (fi)>> BDC")
    c.drawString(72, 760, "替换文字")
    c._code.append("EMC")
    c.showPage()
    c.save()
    return buf.getvalue()


SAMPLES: dict[str, Callable[[], bytes]] = {
    "fonts": fonts, "vertical": vertical, "text_state": text_state, "rotated": rotated, "paths": paths, "forms": forms,
    "rotated_page": rotated_page, "shifted_page": shifted_page, "actual_text": actual_text,
}
