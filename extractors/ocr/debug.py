"""Draw what the OCR reader sees on one page: the straightened page image, the table grid found on
it (cells green, merged cells blue), and at each cell the text read with the recogniser's
confidence (dark red when sure, orange below the threshold), the lines read outside the tables
boxed in grey — so a person can see why a scanned number was read, or not.

    >>> summary = render_ocr_debug("scan.pdf", page=2, out="grid.png")
    >>> print(summary.text())
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from extractors import sniff


@dataclass
class OcrDebugSummary:
    path: str
    page: int
    pages: int
    geometry: dict
    text_h: float
    cpu_s: float
    tables: list[str] = field(default_factory=list)
    low: int = 0
    output: str | None = None
    size: tuple[int, int] = (0, 0)

    def text(self) -> str:
        g = ", ".join(f"{k} {v}" for k, v in self.geometry.items() if k != "perspective")
        if "perspective" in self.geometry:
            g = ("perspective undone, " + g).rstrip(", ")
        lines = [f"{self.path} page {self.page}/{self.pages} (OCR, {self.cpu_s:.1f} CPU-s): "
                 f"{g or 'level, no perspective'}; glyph height {self.text_h:.0f} px; {len(self.tables)} table(s); "
                 f"{self.low} cell(s) below the confidence threshold"]
        lines += [f"  {t}" for t in self.tables]
        if self.output:
            lines.append(f"  grid drawn to {self.output} ({self.size[0]}×{self.size[1]} px)")
        return "\n".join(lines)


def _page_image(path: Path, page: int):
    from extractors.ocr import raster

    data = path.read_bytes()
    media = sniff.sniff(data[:4096])
    if media == sniff.PDF:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path))
        try:
            n = len(doc)
            if not 1 <= page <= n:
                raise ValueError(f"page {page} is out of range: the document has {n} page(s)")
            return raster.pdf_page(doc, page - 1), n
        finally:
            doc.close()
    if media in sniff.IMAGES:
        frames = list(raster.image_pages(data))
        if not 1 <= page <= len(frames):
            raise ValueError(f"page {page} is out of range: the image has {len(frames)} page(s)")
        return frames[page - 1], len(frames)
    raise ValueError(f"{path.name} is not a PDF or an image ({media})")


def render_ocr_debug(path: str | Path, page: int = 1, out: str | Path | None = None) -> OcrDebugSummary:
    """OCR page ``page`` (1-based) of a PDF or image and draw the grid and readings (PNG to ``out``)."""
    import cv2
    from PIL import Image, ImageDraw

    from extractors import ocr
    from extractors.debug import _font
    from extractors.ocr.confirm import THRESHOLD
    from extractors.ocr.reader import ScanSession

    ocr.require()
    path = Path(path)
    image, n = _page_image(path, page)
    session = ScanSession(budget_s=float("inf"))
    scan = session.scan(image, page)
    assert scan is not None
    summary = OcrDebugSummary(str(path), page, n, scan.geometry, scan.text_h, scan.cpu_s)
    for i, (t, rd) in enumerate(zip(scan.tables, scan.readings, strict=True), 1):
        merged = sum(1 for c in t.cells if c.rowspan * c.colspan > 1)
        low = sum(1 for r in rd.values() if r.confidence is not None and r.confidence < THRESHOLD)
        summary.low += low
        first = " | ".join(rd[(c.row, c.col)].text.replace("\n", "") for c in t.cells if c.row == 0)
        summary.tables.append(f"table {i}: {t.shape[0]}×{t.shape[1]} grid at {t.box}, {len(t.cells)} cells "
                              f"({merged} merged), {low} below {THRESHOLD:g}; first row: {first[:80]}")
    if out is not None:
        img = Image.fromarray(cv2.cvtColor(scan.grey, cv2.COLOR_GRAY2RGB)).convert("RGBA")
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        font = _font(max(9, int(scan.text_h * 0.7)))
        for t, rd in zip(scan.tables, scan.readings, strict=True):
            for c in t.cells:
                x0, y0, x1, y1 = c.box
                colour = (30, 90, 230, 255) if c.rowspan * c.colspan > 1 else (0, 160, 60, 255)
                draw.rectangle((x0 + 1, y0 + 1, x1 - 1, y1 - 1), outline=colour, width=2)
                r = rd[(c.row, c.col)]
                if not r.text:
                    continue
                sure = r.confidence is not None and r.confidence >= THRESHOLD
                label = r.text.replace("\n", "")
                label = (label[:10] + "…") if len(label) > 11 else label
                label += f" {r.confidence:.2f}" if r.confidence is not None else ""
                draw.text((x0 + 3, y0 + 2), label, font=font, fill=(170, 0, 0, 255) if sure else (255, 120, 0, 255))
        for box, _text, _s in scan.text_lines:
            draw.rectangle(box, outline=(120, 120, 120, 200), width=1)
        img = Image.alpha_composite(img, layer).convert("RGB")
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        img.save(out, format="PNG")
        summary.output, summary.size = str(out), img.size
    return summary
