"""The OCR reader: a page image → the same expanded grids and page text every other reader gives
(:class:`extractors.grid.RawTable`, source ``"ocr:lines"``), each cell with the recogniser's
confidence.

A :class:`ScanSession` reads the pages of one document and keeps them (the straightened image,
its ink and rulings, where every cell is) so that :mod:`extractors.ocr.confirm` can read a cell
again at another scale when a balancing identity fails. Each page has a CPU-time budget
(:func:`extractors.ocr.page_budget`; OCR costs ~100× a text page): a page over it is
given up with an ``ocr_page_budget`` issue, its tables unread, and the document goes on.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from extractors import errors
from extractors.grid import RawCell, RawDocument, RawTable, page_starts_of
from extractors.model import Issue
from extractors.ocr import MIN_CONFIDENCE, geometry, grid, page_budget, raster, recognise

SOURCE = "ocr:lines"
DEFAULT_TEXT_H = 17.0  # glyph height in px at 150 dpi for ~9 pt print


_CJK = re.compile(r"[\u3400-\u9fff]")


class PageBudgetExceeded(Exception):
    pass


@dataclass
class CellReading:
    text: str
    confidence: float | None  # None: nothing printed (blank)
    box: tuple[int, int, int, int]
    lines: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class PageScan:
    page_no: int
    grey: np.ndarray | None  # the straightened page; None once released (then ``png`` holds it)
    ink: np.ndarray | None
    rulings: grid.Rulings | None
    tables: list[grid.GridTable]
    readings: list[dict[tuple[int, int], CellReading]]  # per table: (row, col) of a cell's origin → reading
    text_lines: list[tuple[tuple[int, int, int, int], str, float]]
    text_h: float
    geometry: dict
    cpu_s: float = 0.0
    height: float = 0.0
    png: bytes | None = None

    def release(self) -> None:
        """Keep only the page image, compressed (~0.2 MB instead of ~9 MB with its masks): enough to
        read a cell again."""
        if self.grey is not None:
            self.height = float(self.grey.shape[0])
            self.png = cv2.imencode(".png", self.grey)[1].tobytes()
        self.grey = self.ink = self.rulings = None


def _text_height(ink: np.ndarray, tables: list[grid.GridTable], lines_mask: np.ndarray) -> float:
    """Median height of the text runs inside the tables' cells (or of the page's lines)."""
    heights: list[int] = []
    for t in tables:
        for c in t.cells:
            x0, y0, x1, y1 = c.box
            sub = ink[y0 + 3:y1 - 3, x0 + 3:x1 - 3]
            if sub.size == 0:
                continue
            sub = cv2.bitwise_and(sub, cv2.bitwise_not(lines_mask[y0 + 3:y1 - 3, x0 + 3:x1 - 3]))
            heights += [b - a for a, b in recognise._runs(sub.sum(axis=1)) if 8 <= b - a <= 80]
    if len(heights) < 5:
        heights += [b - a for a, b in recognise._runs(ink.sum(axis=1)) if 8 <= b - a <= 80]
    return float(np.median(heights)) if heights else DEFAULT_TEXT_H


def _cell_text(parts: list[tuple[str, float]]) -> str:
    texts = [t.strip() for t, _ in parts if t.strip()]
    if len(texts) > 1 and all(len(t) == 1 for t in texts):
        return "".join(texts)  # a vertical header, one glyph per line
    return "\n".join(texts)


class ScanSession:
    """OCR of the pages of one document (see the module doc)."""

    def __init__(self, budget_s: float | None = None):
        self.budget_s = page_budget() if budget_s is None else budget_s
        self.pages: dict[int, PageScan] = {}
        self.issues: list[Issue] = []
        self.cpu_s = 0.0
        self._decoded: tuple[int, np.ndarray] | None = None

    def image(self, page_no: int) -> np.ndarray | None:
        """The straightened image of a page read (decoded again if released; the last one cached)."""
        page = self.pages.get(page_no)
        if page is None:
            return None
        if page.grey is not None:
            return page.grey
        if self._decoded is None or self._decoded[0] != page_no:
            self._decoded = (page_no, cv2.imdecode(np.frombuffer(page.png or b"", np.uint8), cv2.IMREAD_GRAYSCALE))
        return self._decoded[1]

    # ---------------------------------------------------------------- one page
    def scan(self, image: np.ndarray, page_no: int) -> PageScan | None:
        """Read one page image; None when the page ran over its budget (an issue says so)."""
        start = time.process_time()

        def check() -> None:
            if time.process_time() - start > self.budget_s:
                raise PageBudgetExceeded

        try:
            page = self._scan(image, page_no, check)
        except PageBudgetExceeded:
            spent = time.process_time() - start
            self.cpu_s += spent
            self.issues.append(Issue(errors.OCR_PAGE_BUDGET,
                                     f"OCR of page {page_no} stopped after {spent:.1f} CPU-s (budget "
                                     f"{self.budget_s:g} s): its tables are not read", page=page_no))
            return None
        page.cpu_s = time.process_time() - start
        self.cpu_s += page.cpu_s
        self.pages[page_no] = page
        return page

    def _scan(self, image: np.ndarray, page_no: int, check) -> PageScan:
        check()
        grey, done = geometry.straighten(image)
        r = grid.rulings(grey)
        tables = grid.find_tables(grey, r)
        lines_mask = r.lines
        text_h = _text_height(r.ink, tables, lines_mask)
        # every cell's lines, read in batches
        jobs: list[tuple[int, tuple[int, int], recognise.Line]] = []
        readings: list[dict[tuple[int, int], CellReading]] = []
        for ti, t in enumerate(tables):
            rd: dict[tuple[int, int], CellReading] = {}
            for c in t.cells:
                rd[(c.row, c.col)] = CellReading("", None, c.box)
                for ln in recognise.cell_lines(grey, r.ink, lines_mask, c.box, text_h):
                    jobs.append((ti, (c.row, c.col), ln))
            readings.append(rd)
        results = self._read(jobs, text_h, check)
        for (ti, key, _ln), res in zip(jobs, results, strict=True):
            readings[ti][key].lines.append(res)
        for rd in readings:
            for cr in rd.values():
                if cr.lines:
                    cr.text = _cell_text(cr.lines)
                    cr.confidence = min(s for _, s in cr.lines)
        page = PageScan(page_no, grey, r.ink, r, tables, readings, [], text_h, done, height=float(grey.shape[0]))
        self._settle_near_values(page, check)
        # text outside the tables: title, prose, signature and date
        outside = r.ink.copy()
        for t in tables:
            x0, y0, x1, y1 = t.box
            outside[max(0, y0 - 4):y1 + 5, max(0, x0 - 4):x1 + 5] = 0
        outside = recognise.clean_ink(cv2.morphologyEx(outside, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)), text_h) \
            if outside.any() else outside
        bands = recognise.band_segments(grey, outside, text_h)
        band_res = self._read([(-1, (0, 0), b) for b in bands], text_h, check)
        page.text_lines = [(b.box, t, s) for b, (t, s) in zip(bands, band_res, strict=True) if t.strip()]
        return page

    def _settle_near_values(self, page: PageScan, check) -> None:
        """A reading that is nearly a number ("4.", "Q" for a 0 with a speck on it) would be taken for
        a label and shift its row's values: read such a cell again two other ways, and take the
        reading both agree on when it is a value read with confidence; else leave it (the assembler
        then reports the row)."""
        from extractors.values import looks_like_value

        self.pages[page.page_no] = page  # reread() looks the page up
        for rd in page.readings:
            for cr in rd.values():
                t = cr.text.strip()
                if not t or looks_like_value(t) or len(t) > 12 or _CJK.search(t):
                    continue
                check()
                again = reread(self, page.page_no, cr.box)
                texts = {a.strip() for a, _ in again}
                if len(again) == 2 and len(texts) == 1 and looks_like_value(again[0][0]) \
                        and min(sc for _, sc in again) >= MIN_CONFIDENCE:
                    cr.lines = [(again[0][0], min(sc for _, sc in again))]
                    cr.text, cr.confidence = again[0][0].strip(), min(sc for _, sc in again)

    def _read(self, jobs, text_h: float, check) -> list[tuple[str, float]]:
        out: list[tuple[str, float] | None] = [None] * len(jobs)
        plain = [i for i, j in enumerate(jobs) if not j[2].vertical]
        for k in range(0, len(plain), 16):
            check()
            chunk = plain[k:k + 16]
            for i, res in zip(chunk, recognise.read_lines([jobs[i][2].crop for i in chunk]), strict=True):
                out[i] = res
        for i, j in enumerate(jobs):
            if j[2].vertical:
                check()
                out[i] = recognise.read_vertical(j[2], text_h)
        return out  # type: ignore[return-value]

    # ---------------------------------------------------------------- what the assembler reads
    def raw_tables(self, page: PageScan) -> list[RawTable]:
        """The page's tables as expanded grids (``bbox`` in page pixels, as the PDF reader's
        continuation merge expects)."""
        out = []
        for t, rd in zip(page.tables, page.readings, strict=True):
            rows: list[list[RawCell | None]] = []
            for i, line in enumerate(t.positions()):
                row: list[RawCell | None] = []
                for j, c in enumerate(line):
                    if c is None:
                        row.append(None)
                        continue
                    cr = rd[(c.row, c.col)]
                    row.append(RawCell(text=cr.text, page=page.page_no, origin=(i, j) == (c.row, c.col),
                                       bbox=tuple(float(v) for v in c.box), confidence=cr.confidence))
                rows.append(row)
            rows = [r for r in rows if not _page_number_row(r)]
            if not rows or max(len(r) for r in rows) < 2:
                continue
            rt = RawTable(rows=rows, page=page.page_no, source=SOURCE)
            rt.bbox = tuple(float(v) for v in t.box)  # type: ignore[attr-defined]
            out.append(rt)
        return out

    def page_text(self, page: PageScan) -> str:
        """The page's text in reading order: lines outside the tables and each table row's cells."""
        items: list[tuple[float, float, str]] = [(b[1], b[0], t) for b, t, _ in page.text_lines]
        for t, rd in zip(page.tables, page.readings, strict=True):
            for i in range(t.shape[0]):
                cells = [rd[(c.row, c.col)] for c in t.cells if c.row == i]
                texts = [cr.text.replace("\n", "") for cr in cells if cr.text]
                if texts:
                    items.append((float(t.ys[i]), float(t.xs[0]), " ".join(texts)))
        items.sort()
        lines: list[tuple[float, list[tuple[float, str]]]] = []
        for y, x, s in items:
            if lines and abs(y - lines[-1][0]) < 0.6 * page.text_h:
                lines[-1][1].append((x, s))
            else:
                lines.append((y, [(x, s)]))
        return "\n".join(" ".join(s for _, s in sorted(parts)) for _, parts in lines)

    # ---------------------------------------------------------------- documents
    def read_pdf_page(self, doc: Any, index: int) -> tuple[str, list[RawTable], float]:
        """Page ``index`` (0-based) of an open pypdfium2 document: (text, tables, page height)."""
        page = self.scan(raster.pdf_page(doc, index), index + 1)
        if page is None:
            return "", [], 1.0
        page.release()
        return self.page_text(page), self.raw_tables(page), page.height


def _page_number_row(row: list[RawCell | None]) -> bool:
    from extractors.pdf import _is_page_number_row

    return _is_page_number_row(row)


def read_image(data: bytes, media_type: str) -> RawDocument:
    """An image file (every frame of a TIFF is a page) → RawDocument, its session kept on ``ocr``."""
    from extractors.pdf import ExtractionFailure, _merge_continuations

    session = ScanSession()
    texts: list[str] = []
    per_page: list[tuple[int, float, list[RawTable]]] = []
    n = 0
    for n, image in enumerate(raster.image_pages(data), 1):
        page = session.scan(image, n)
        if page is None:
            texts.append("")
            continue
        page.release()
        texts.append(session.page_text(page))
        per_page.append((n, page.height, session.raw_tables(page)))
    if n == 0:
        raise ExtractionFailure(errors.UNSUPPORTED_FORMAT, f"the {media_type} image cannot be decoded")
    if not session.pages:
        raise ExtractionFailure(errors.TIMEOUT, f"OCR ran over its budget of {session.budget_s:g} CPU-s on "
                                f"{n} page(s)")
    return RawDocument(media_type=media_type, text="\n".join(texts), tables=_merge_continuations(per_page),
                       pages=n, issues=list(session.issues), ocr=session, page_starts=page_starts_of(texts))


def reread(session: ScanSession, page_no: int, box: tuple[float, float, float, float]) -> list[tuple[str, float]]:
    """Read one cell again, two other ways: its region upscaled ×1.6 and cut into lines afresh, and
    the cell's own crop — tight around its ink, a wide white margin, rulings painted out but no dust
    removed. (text, confidence) of each; ("", 1.0) when a way finds nothing printed."""
    page = session.pages.get(page_no)
    grey = session.image(page_no)
    if page is None or grey is None:
        return []
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    h, w = grey.shape
    m = 8
    rx0, ry0, rx1, ry1 = max(0, x0 - m), max(0, y0 - m), min(w, x1 + m), min(h, y1 + m)
    out: list[tuple[str, float]] = []
    for f in (1.6, 1.0):
        region = grey[ry0:ry1, rx0:rx1]
        if f != 1.0:
            region = cv2.resize(region, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
        r = grid.rulings(region)
        inner = (round((x0 - rx0) * f), round((y0 - ry0) * f), round((x1 - rx0) * f), round((y1 - ry0) * f))
        text_h = page.text_h * f
        if f != 1.0:
            lines = recognise.cell_lines(region, r.ink, r.lines, inner, text_h, inset=5, margin=8)
            res = [recognise.read_vertical(ln, text_h) if ln.vertical else recognise.read_lines([ln.crop])[0]
                   for ln in lines]
            out.append((_cell_text(res), min(s for _, s in res)) if res else ("", 1.0))
            continue
        crop = _bare_crop(region, r, inner, text_h)
        out.append(recognise.read_lines([crop])[0] if crop is not None else ("", 1.0))
    return out


def _bare_crop(region: np.ndarray, r: grid.Rulings, inner: tuple[int, int, int, int], text_h: float):
    """The cell's ink, tight, with a margin of half a glyph; rulings painted white; None if empty."""
    x0, y0, x1, y1 = inner[0] + 4, inner[1] + 4, inner[2] - 3, inner[3] - 3
    rule = cv2.dilate(r.lines[y0:y1, x0:x1], np.ones((5, 5), np.uint8))
    ink = cv2.bitwise_and(r.ink[y0:y1, x0:x1], cv2.bitwise_not(rule))
    ys, xs = np.nonzero(ink)
    if ys.size == 0:
        return None
    g = region[y0:y1, x0:x1].copy()
    g[rule > 0] = 255
    pad = round(0.5 * text_h)
    a, b = max(0, int(ys.min()) - pad), min(g.shape[0], int(ys.max()) + 1 + pad)
    c, d = max(0, int(xs.min()) - pad), min(g.shape[1], int(xs.max()) + 1 + pad)
    return cv2.copyMakeBorder(g[a:b, c:d], 8, 8, 8, 8, cv2.BORDER_CONSTANT, value=255)
