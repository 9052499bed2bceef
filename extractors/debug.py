"""Draw what the PDF reader sees on one page: the table grid pdfplumber detected (edges, cells,
intersections — pdfplumber's ``debug_tablefinder``), in red the text read into each cell at the
cell's box, and at the bottom of each box the cell of the form it became (column · row code, and
the value as read: green ok, orange recovered, blue blank/marker, magenta unreadable), so a person
can see why a number was read (or not) and where it went.

    >>> summary = render_debug("report.pdf", page=3, out="grid.png")
    >>> print(summary.text())
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors import pdf as pdfreader
from extractors.grid import RawTable
from extractors.model import BLANK, MARKER, RECOVERED, UNREADABLE, Cell, Source
from extractors.render import _SHORT_COL, show

STATUS_COLOUR = {RECOVERED: (230, 120, 0, 255), BLANK: (0, 90, 220, 255), MARKER: (0, 90, 220, 255),
                 UNREADABLE: (200, 0, 200, 255)}

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    str(Path(__file__).resolve().parents[1] / "gongkai" / "demo" / "fixtures" / "fonts" / "wqy-microhei-subset.ttf"),
)


@dataclass
class TableSummary:
    index: int
    source: str
    rows: int
    cols: int
    bbox: tuple[float, float, float, float]
    header: list[str]
    numbers: int


@dataclass
class MappedBox:
    """A printed cell on the page and the cell(s) of the form it became."""

    bbox: tuple[float, float, float, float]
    text: str
    cells: list[Cell]

    def label(self) -> str:
        c = self.cells[0]
        value = show(c) if len(self.cells) == 1 else f"{len(self.cells)} cells"
        return f"{_SHORT_COL.get(c.column, c.column)}·{c.row} {value}"


@dataclass
class DebugSummary:
    path: str
    page: int
    pages: int
    size: tuple[int, int]  # the PNG's pixels
    chars: int
    duplicate_chars: int
    tables: list[TableSummary] = field(default_factory=list)
    output: str | None = None
    mapped: list[MappedBox] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"{self.path} page {self.page}/{self.pages}: {self.chars} chars "
                 f"({self.duplicate_chars} fake-bold duplicates removed), {len(self.tables)} table(s)"]
        for t in self.tables:
            x0, top, x1, bottom = t.bbox
            lines.append(f"  table {t.index} [{t.source}] {t.rows}×{t.cols} at ({x0:.0f},{top:.0f})-({x1:.0f},"
                         f"{bottom:.0f}), {t.numbers} numeric cells")
            lines.append("    first row: " + " | ".join(h.replace("\n", "") for h in t.header))
        if self.mapped:
            by = Counter(c.status for m in self.mapped for c in m.cells)
            lines.append(f"  {len(self.mapped)} printed cells became {sum(by.values())} cells of the form ("
                         + ", ".join(f"{n} {s}" for s, n in sorted(by.items())) + ")")
        if self.output:
            lines.append(f"  grid drawn to {self.output} ({self.size[0]}×{self.size[1]} px)")
        return "\n".join(lines)


def _font(size: int) -> Any:
    from PIL import ImageFont

    for cand in FONT_CANDIDATES:
        if Path(cand).exists():
            try:
                return ImageFont.truetype(cand, size)
            except OSError:
                continue
    return ImageFont.load_default()


def render_debug(path: str | Path, page: int = 1, out: str | Path | None = None, *, resolution: int = 100,
                 table_settings: dict | None = None, parser: str | None = None) -> DebugSummary:
    """Render page ``page`` (1-based) of ``path`` with the detected table grid and the cell texts
    read into it; write a PNG to ``out`` when given. Raises ``ExtractionFailure`` for unreadable
    PDFs (the same pre-flight checks as the reader) and ``ValueError`` for a page out of range.
    The page is parsed as the reader parses it (``parser``, see ``extractors.pdf.read_pdf``)."""
    path = Path(path)
    settings = dict(table_settings or pdfreader.TABLE_SETTINGS)
    pdfreader.check_streams(path.read_bytes())
    doc = pdfreader._open(path)
    pdfium_doc = pdfreader.open_parser(path, parser)
    try:
        n = len(doc.pages)
        if not 1 <= page <= n:
            raise ValueError(f"page {page} is out of range: the document has {n} page(s)")
        p = doc.pages[page - 1]
        p._objects = pdfreader.page_objects(p, pdfium_doc)
        raw_chars = p.chars
        chars = pdfreader.dedupe_chars(raw_chars)
        real = [c for c in chars if pdfreader._is_real_char(c)]
        dp = pdfreader._with_chars(p, real)
        tables: list[RawTable] = pdfreader.page_tables(dp, page, real, dp.extract_text() or "")
        left_out = pdfium_doc.duplicates.get(page, 0) if pdfium_doc is not None else 0
        summary = DebugSummary(path=str(path), page=page, pages=n, size=(0, 0), chars=len(real),
                               duplicate_chars=len(raw_chars) - len(chars) + left_out)
        for i, t in enumerate(tables, 1):
            boxes = [c.bbox for r in t.rows for c in r if c is not None and c.bbox]
            bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                    max(b[3] for b in boxes)) if boxes else (0.0, 0.0, 0.0, 0.0)
            numbers = sum(1 for r in t.rows for c in r if c is not None and c.origin and pdfreader._is_numeric(c.text))
            header = [c.text if c is not None else "" for c in t.rows[0]] if t.rows else []
            summary.tables.append(TableSummary(i, t.source, len(t.rows), t.width, bbox, header, numbers))
        summary.mapped = mapped_boxes(path, page)
        if out is not None:
            im = p.to_image(resolution=resolution)
            im.debug_tablefinder(dp.debug_tablefinder(settings))
            scale = im.scale
            font = _font(max(8, int(7 * scale)))
            draw = im.draw
            for t in tables:
                for r in t.rows:
                    for c in r:
                        if c is None or not c.origin or c.bbox is None or not c.text.strip():
                            continue
                        x0, top, x1, _bottom = c.bbox
                        label = c.text.replace("\n", "")
                        if len(label) > 12:
                            label = label[:11] + "…"
                        draw.text((x0 * scale + 2, top * scale + 1), label, fill=(220, 0, 0, 255), font=font)
            small = _font(max(7, int(5 * scale)))
            for m in summary.mapped:
                x0, _top, x1, bottom = m.bbox
                colour = STATUS_COLOUR.get(m.cells[0].status, (0, 140, 0, 255))
                draw.text((x0 * scale + 2, bottom * scale - 6 * scale), _fit(m.label(), (x1 - x0) * scale - 3, small),
                          fill=colour, font=small)
            out = Path(out)
            out.parent.mkdir(parents=True, exist_ok=True)
            im.save(str(out), format="PNG")
            summary.size = im.annotated.size
            summary.output = str(out)
        p.close()
        return summary
    finally:
        if pdfium_doc is not None:
            pdfium_doc.close()
        doc.close()


def _fit(text: str, width: float, font: Any) -> str:
    """`text` cut (with "…") to fit `width` pixels."""
    if not hasattr(font, "getlength") or font.getlength(text) <= width:
        return text
    while len(text) > 1 and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def mapped_boxes(path: str | Path, page: int) -> list[MappedBox]:
    """The printed cells of `page` that became cells of the form: the whole document is read and
    assembled (sections and headers span pages) with a trace of where each value went."""
    from extractors.assemble import assemble

    raw = pdfreader.read_pdf(path)
    trace: dict[int, list[Cell]] = {}
    assemble(raw, Source(str(path), ""), trace)
    out = []
    for t in raw.tables:
        for row in t.rows:
            for c in row:
                if c is not None and c.page == page and c.bbox is not None and id(c) in trace:
                    out.append(MappedBox(c.bbox, c.text, trace[id(c)]))
    return out
