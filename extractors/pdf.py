"""PDF reader: a PDF with a text layer → :class:`~extractors.grid.RawDocument` (expanded table grids).

pdfplumber's ``lines`` strategy reconstructs the ruled forms of the reports. Around it:

* a pre-flight check of the raw bytes (size, and every FlateDecode stream inflated *incrementally*
  with a bounded ``zlib.decompressobj``, before pdfminer would inflate it) → ``decompression_bomb``;
  the real bound is in the decoder itself (:mod:`extractors.bounded`: every stream pdfminer decodes,
  every filter chain, indirect filters and encrypted streams included);
* fake-bold doubled glyphs removed in O(n) per page (hash buckets on a 1-pt grid) before the tables
  are found (pdfplumber's own ``dedupe_chars`` is O(n²) because of ``sorted(key=chars.index)``);
* merged cells expanded *geometrically*: every grid position covered by a merged cell gets a
  ``RawCell(origin=False)`` with the merged cell's text, both for row- and column-spans;
* vertical header text (one glyph per line) joined top→bottom; rotated glyphs ordered by their
  text matrix (reading bottom→top when the glyphs are turned counter-clockwise);
* page-number-only rows ("- 4 -", "第 4 页") dropped; a table at the top of a page whose first row
  is not a header and whose width equals the previous page's last table is appended to it (cells
  keep their own page numbers; ``source`` becomes ``"pdf:lines+continued"``);
* ``page.close()`` after each page so memory stays flat on long documents.

Errors raise :class:`ExtractionFailure` with a code of :mod:`extractors.errors`.
"""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from extractors import bounded, errors, pdfium, tablepages
from extractors.grid import RawCell, RawDocument, RawTable, page_starts_of
from extractors.model import Issue

MEDIA_TYPE = "application/pdf"

DEFAULT_MAX_PAGES = 400
DEFAULT_MAX_STREAM_BYTES = 256 * 1024 * 1024  # one inflated stream
DEFAULT_MAX_TOTAL_INFLATED = 1024 * 1024 * 1024  # all streams of the document together
DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024

# Tuned on ruled report forms: lines drawn as thin rectangles or segments, sometimes a hair apart.
TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "edge_min_length": 3,
    "intersection_tolerance": 3,
}


class ExtractionFailure(Exception):
    """A document that cannot be read: ``code`` is one of the error codes of :mod:`extractors.errors`."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- pre-flight byte checks

_STREAM_RE = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_OBJ_RE = re.compile(rb"\d+\s+\d+\s+obj")


def check_streams(
    data: bytes,
    *,
    max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_INFLATED,
    chunk: int = 1 << 16,
) -> int:
    """Inflate every FlateDecode stream of the raw PDF bytes with a bounded decompressor.

    Raises ``ExtractionFailure(decompression_bomb)`` as soon as one stream would inflate past
    ``max_stream_bytes`` or all together past ``max_total_bytes``; never holds more than ``chunk``
    inflated bytes at once. Image XObjects are skipped: reading text never inflates them, and a
    long scan with Flate-compressed pages must not look like a bomb. Returns the total inflated size. Streams that are not valid zlib data
    (encrypted documents, broken streams) are skipped: pdfminer judges them later.
    """
    total = 0
    for m in _STREAM_RE.finditer(data):
        head_start = max(0, m.start() - 4096)
        head = data[head_start : m.start() + 2]
        objs = list(_OBJ_RE.finditer(head))
        if objs:
            head = head[objs[-1].end() :]
        if b"/FlateDecode" not in head and b"/Fl " not in head and b"/Fl]" not in head and b"/Fl/" not in head:
            continue
        if re.search(rb"/Subtype\s*/Image", head):
            continue  # image data is never inflated to read text (pdfminer keeps it as a stream)
        d = zlib.decompressobj()
        pos = m.end()
        size = 0
        try:
            while pos < len(data) and not d.eof:
                buf = data[pos : pos + chunk]
                pos += len(buf)
                out = d.decompress(buf, chunk)
                size += len(out)
                while d.unconsumed_tail and not d.eof:
                    out = d.decompress(d.unconsumed_tail, chunk)
                    size += len(out)
                    if size > max_stream_bytes or total + size > max_total_bytes:
                        break
                if size > max_stream_bytes or total + size > max_total_bytes:
                    raise ExtractionFailure(
                        errors.DECOMPRESSION_BOMB,
                        f"a FlateDecode stream at byte {m.end()} inflates past "
                        f"{min(max_stream_bytes, max_total_bytes - total) // (1024 * 1024)} MB "
                        f"(from {pos - m.end()} compressed bytes)",
                    )
        except zlib.error:
            continue
        total += size
    return total


# --------------------------------------------------------------------------- characters

def dedupe_chars(chars: Sequence[dict], tolerance: float = 1.0) -> list[dict]:
    """Drop fake-bold duplicates: a glyph with the same text, orientation and size as an earlier
    one whose x0 and top are both within ``tolerance`` points. O(n): chars are hashed into a grid of
    ``tolerance``-sized buckets and only the 3×3 neighbouring buckets are compared. Keeps order."""
    if tolerance <= 0:
        return list(chars)
    buckets: dict[tuple, list[dict]] = {}
    out: list[dict] = []
    for c in chars:
        key0 = (c["text"], c.get("upright", True), round(c.get("size", 0), 1))
        bx, by = int(c["x0"] // tolerance), int(c["top"] // tolerance)
        dup = False
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for o in buckets.get((key0, bx + dx, by + dy), ()):
                    if abs(o["x0"] - c["x0"]) <= tolerance and abs(o["top"] - c["top"]) <= tolerance:
                        dup = True
                        break
                if dup:
                    break
            if dup:
                break
        if dup:
            continue
        buckets.setdefault((key0, bx, by), []).append(c)
        out.append(c)
    return out


_CID_RE = re.compile(r"^\(cid:\d+\)$")


def _is_real_char(c: dict) -> bool:
    t = c.get("text", "")
    return bool(t.strip()) and not _CID_RE.match(t)


def _is_cjk(t: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u2e80" <= ch <= "\u2fdf" for ch in t)


def text_layer_usable(chars: Sequence[dict]) -> bool:
    """Whether a page's characters are readable text. Fonts without a ToUnicode map come out as
    ``(cid:N)`` glyphs or as Latin-1 mojibake ("ð½¾Ú") while digits often survive: a page whose
    undecodable glyphs make up over a fifth of its characters, or outnumber its CJK characters,
    has no usable text layer."""
    n = bad = cjk = 0
    for c in chars:
        t = c.get("text", "")
        if not t.strip():
            continue
        n += 1
        if _CID_RE.match(t) or any("\u0080" <= ch <= "\u02ff" for ch in t):
            bad += 1
        elif _is_cjk(t):
            cjk += 1
    if n == 0:
        return False
    return bad <= 0.2 * n and (bad == 0 or cjk > bad)


_CHAR_KEYS = ("text", "x0", "x1", "top", "bottom", "doctop", "upright", "size", "fontname", "matrix")


def fast_objects(page: Any) -> dict[str, list[dict]]:
    """The page's objects as pdfplumber's ``page.objects`` would give them, built faster: chars
    (the bulk) become plain dicts with the geometry, text, font, size, matrix and orientation
    directly; rects, lines, curves and images still go through pdfplumber's ``process_object``.
    About 3× cheaper than pdfplumber's generic attribute copy for text-heavy pages. Colours and
    colour spaces of chars are not kept (nothing here uses them)."""
    from pdfminer.layout import LTAnno, LTChar, LTContainer

    height = float(page.height)
    mb_x0, mb_top = page.mediabox[0], page.mediabox[1]
    doctop0 = page.initial_doctop
    pn = page.page_number
    norm = page.pdf.unicode_norm
    objects: dict[str, list[dict]] = {}
    chars: list[dict] = []

    def walk(objs: Iterable[Any]) -> None:
        for obj in objs:
            if isinstance(obj, LTChar):
                top = height - obj.y1 + mb_top
                text = obj.get_text()
                if norm is not None:
                    text = unicodedata.normalize(norm, text)
                fontname = obj.fontname
                if isinstance(fontname, bytes):  # pragma: no cover - rare byte-encoded names
                    fontname = fontname.decode("latin-1")
                chars.append({
                    "object_type": "char", "page_number": pn, "text": text, "fontname": fontname,
                    "size": obj.size, "adv": obj.adv, "upright": obj.upright, "matrix": tuple(obj.matrix),
                    "x0": obj.x0 + mb_x0, "x1": obj.x1 + mb_x0, "y0": obj.y0, "y1": obj.y1,
                    "width": obj.width, "height": obj.height,
                    "top": top, "bottom": height - obj.y0 + mb_top, "doctop": doctop0 + top,
                })
            elif isinstance(obj, LTContainer):
                walk(obj._objs)
            elif isinstance(obj, LTAnno):
                continue
            else:
                o = page.process_object(obj)
                objects.setdefault(o["object_type"], []).append(o)

    walk(page.layout._objs)
    if chars:
        objects["char"] = chars
    return objects


# --------------------------------------------------------------------------- which parser reads a page

# "pdfium" (default): PDFium reads the page (extractors.pdfium), pdfminer where PDFium cannot give
# it as pdfminer would; "pdfminer": pdfminer reads every page (the reference the equality test holds
# the PDFium path to). Either gives pdfplumber the same objects, so the output is the same.
PARSERS = ("pdfium", "pdfminer")


def parser_name(parser: str | None = None) -> str:
    """``parser``, else ``$GONGKAI_PDF_PARSER``, else "pdfium"; checked against :data:`PARSERS`."""
    parser = parser or os.environ.get("GONGKAI_PDF_PARSER") or "pdfium"
    if parser not in PARSERS:
        raise ValueError(f"unknown PDF parser {parser!r}: one of {', '.join(PARSERS)}")
    return parser


def open_parser(path: Path, parser: str | None = None) -> pdfium.PdfiumDocument | None:
    """The PDFium document for :func:`page_objects`, or None when pdfminer reads every page."""
    if parser_name(parser) == "pdfminer":
        return None
    try:
        return pdfium.PdfiumDocument(path)
    except pdfium.Unsupported:
        return None


def page_objects(page: Any, pdfium_doc: pdfium.PdfiumDocument | None) -> dict[str, list[dict]]:
    """A pdfplumber page's objects (chars, rects, lines, curves, images): read by PDFium when
    ``pdfium_doc`` is given and PDFium can give them as pdfminer would, else by pdfminer. The PDFium
    path only ever saves time: any failure of it sends the page to pdfminer (the reason is kept in
    ``pdfium_doc.fallbacks``)."""
    if pdfium_doc is not None:
        try:
            return pdfium_doc.page_objects(page)
        except pdfium.Unsupported as e:
            pdfium_doc.fallbacks.append((page.page_number, e.reason))
        except MemoryError:
            raise
        except Exception as e:  # noqa: BLE001 - a PDFium-path defect must not fail a readable page
            pdfium_doc.fallbacks.append((page.page_number, f"the PDFium path failed: {e!r}"[:300]))
    return fast_objects(page)


def _with_chars(page: Any, chars: list[dict]) -> Any:
    """A derived pdfplumber page whose chars are ``chars`` (other objects unchanged)."""
    from pdfplumber.page import FilteredPage

    p = FilteredPage(page, lambda obj: True)
    p._objects = {kind: objs for kind, objs in page.objects.items()}
    p._objects["char"] = chars
    return p


def _ordered_text(chars: list[dict]) -> str:
    """Text of a cell's characters; vertical runs (one glyph per line) joined top→bottom, rotated
    glyphs ordered along their writing direction."""
    if not chars:
        return ""
    rotated = [c for c in chars if not c.get("upright", True)]
    if len(rotated) * 2 > len(chars):
        return _rotated_text(rotated)
    from pdfplumber.utils import extract_text

    text = extract_text([c for c in chars if c.get("upright", True)])
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) > 1 and all(len(ln) == 1 for ln in lines):
        return "".join(lines)  # vertical text, one glyph per line
    return "\n".join(lines)


def _rotated_text(chars: list[dict]) -> str:
    """Rotated glyphs: the text matrix (a, b, c, d) gives the writing direction. b > 0: the glyph
    advance goes up the page (turned counter-clockwise) → read bottom→top; b < 0: top→bottom.
    Columns of such text are read right→left for b < 0 (clockwise turn), left→right otherwise."""
    def mat(c: dict) -> tuple[float, float]:
        m = c.get("matrix") or (1, 0, 0, 1, 0, 0)
        return m[0], m[1]

    b_sum = sum(mat(c)[1] for c in chars)
    up = b_sum > 0
    # group into columns by x center
    cols: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (c["x0"] + c["x1"]) / 2):
        xc = (c["x0"] + c["x1"]) / 2
        if cols and abs((cols[-1][0]["x0"] + cols[-1][0]["x1"]) / 2 - xc) <= max(2.0, (c["x1"] - c["x0"]) / 2):
            cols[-1].append(c)
        else:
            cols.append([c])
    if not up:
        cols.reverse()
    parts = []
    for col in cols:
        col.sort(key=lambda c: c["top"], reverse=up)
        parts.append("".join(c["text"] for c in col))
    return "\n".join(parts)


# --------------------------------------------------------------------------- tables

_PAGE_NO_RE = re.compile(
    r"^(?:[-—–]\s*\d{1,4}\s*[-—–]"  # - 4 -
    r"|第\s*\d{1,4}\s*页(?:\s*[,/]?\s*共\s*\d{1,4}\s*页)?"  # 第 4 页 / 第4页 共9页
    r"|\d{1,4}\s*/\s*\d{1,4})$"  # 4/9
)


def is_page_number(text: str) -> bool:
    """A page-number line ("- 4 -", "第 4 页", "第4页 共9页", "4/9"); a bare number is not one."""
    t = unicodedata.normalize("NFKC", text).strip()
    return bool(_PAGE_NO_RE.match(t))


def _is_page_number_row(row: list[RawCell | None]) -> bool:
    texts = {c.text.strip() for c in row if c is not None and c.text.strip()}
    return len(texts) == 1 and is_page_number(next(iter(texts)))


_NUMERIC_RE = re.compile(r"^[-+减]?\s*\d[\d,，.]*\s*(?:万元|元|%)?$")


def _is_numeric(t: str) -> bool:
    return bool(_NUMERIC_RE.match(unicodedata.normalize("NFKC", t).strip()))


def _looks_like_header_row(row: list[RawCell | None]) -> bool:
    """A header (first) row: its first position carries a label, and it is not mostly numbers."""
    texts = [c.text.strip() for c in row if c is not None and c.origin]
    if not texts:
        return False
    first = row[0]
    if first is None or not first.text.strip():
        return False
    nums = sum(1 for t in texts if t and _is_numeric(t))
    return nums * 2 < len([t for t in texts if t])


def table_grid(page: Any, table: Any, chars: list[dict], page_no: int) -> list[list[RawCell | None]]:
    """Expand a pdfplumber table into a full grid: positions covered by merged cells get a
    ``RawCell(origin=False)`` with the covering cell's text, found geometrically. Characters are
    put into cells by their midpoints in O(n log m) (bisect on the grid lines)."""
    rows = table.rows
    if not rows:
        return []
    cells = table.cells
    # column boundaries: the distinct x0 of cells (as pdfplumber's Row.cells are indexed by x0)
    col_x0 = sorted({b[0] for b in cells})
    col_x1 = [*col_x0[1:], max(b[2] for b in cells)]
    row_top = [r.bbox[1] for r in rows]
    # a row's own height is that of its shortest cell (a row-spanning cell reaches further down)
    row_bottom = [min(b[3] for b in r.cells if b is not None) for r in rows]
    cover: list[list[tuple | None]] = []
    for i, row in enumerate(rows):
        cy = (row_top[i] + row_bottom[i]) / 2
        line: list[tuple | None] = []
        for j, b in enumerate(row.cells):
            if b is None:
                cx = (col_x0[j] + col_x1[j]) / 2
                b = next((c for c in cells if c[0] <= cx < c[2] and c[1] <= cy < c[3]), None)
            line.append(b)
        cover.append(line)
    x0, top, x1, bottom = table.bbox
    cell_chars: dict[tuple, list[dict]] = {}
    for ch in chars:
        hx, vy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if not (x0 <= hx < x1 and top <= vy < bottom):
            continue
        i = bisect.bisect_right(row_top, vy) - 1
        j = bisect.bisect_right(col_x0, hx) - 1
        b = cover[i][j] if 0 <= i < len(cover) and 0 <= j < len(cover[i]) else None
        if b is None or not (b[0] <= hx < b[2] and b[1] <= vy < b[3]):
            b = next((c for c in cells if c[0] <= hx < c[2] and c[1] <= vy < c[3]), None)
        if b is not None:
            cell_chars.setdefault(b, []).append(ch)
    texts = {b: _ordered_text(cell_chars.get(b, [])) for b in cells}
    grid: list[list[RawCell | None]] = []
    for i, row in enumerate(rows):
        out: list[RawCell | None] = []
        for j, b in enumerate(row.cells):
            c = cover[i][j]
            if c is None:
                out.append(None)
            else:
                out.append(RawCell(text=texts[c], page=page_no, origin=b is not None, bbox=tuple(c)))
        grid.append(out)
    return grid


def _holds_numbers(text: str, min_lines: int = 3, min_numbers: int = 3) -> bool:
    """Cheap test on the page text: at least ``min_lines`` lines with ``min_numbers`` separate
    numeric tokens each (rows of an unruled table)."""
    hits = 0
    for line in text.split("\n"):
        if sum(1 for tok in line.split() if _is_numeric(tok)) >= min_numbers:
            hits += 1
            if hits >= min_lines:
                return True
    return False


_TABLE_HINT = re.compile(r"第二十条|申请人情况|本年新收|行政复议")  # a page printing one of the report's tables

# pdfplumber's layout text: one character column per X_DENSITY points, one line per Y_DENSITY points
X_DENSITY, Y_DENSITY = 7.25, 13


def _layout_tables(page: Any, page_no: int) -> list[RawTable]:
    """Fallback for unruled tables (no rules, or horizontal rules only): the page's text laid out as
    ``pdftotext -layout`` would (pdfplumber's ``layout=True``) and read like any aligned text, so
    each number stays whole and is placed by the column it stands under. (pdfplumber's "text" table
    strategy cuts columns at word edges: a centred "588" under a "5" became "5" + "88".) Cell boxes
    are mapped back to points for ``gongkai debug``."""
    from extractors.textrows import line_tables

    try:
        text = page.extract_text(layout=True, x_density=X_DENSITY, y_density=Y_DENSITY)
    except Exception:
        return []
    x0, top = float(page.bbox[0]), float(page.bbox[1])
    tables = line_tables(text.split("\n"), page_start=page_no, aligned=True, wide=False)
    for t in tables:
        t.source, t.page = f"pdf:layout:{t.mode}", page_no
        for row in t.rows:
            for c in row:
                if c is not None and c.bbox is not None:
                    a, line, b, _ = c.bbox
                    c.bbox = (x0 + a * X_DENSITY, top + line * Y_DENSITY, x0 + b * X_DENSITY, top + (line + 1) * Y_DENSITY)
                    c.page = page_no
    return tables


def page_tables(page: Any, page_no: int, chars: list[dict] | None = None, text: str | None = None) -> list[RawTable]:
    """The tables of one (already de-duplicated) pdfplumber page, top to bottom. ``text`` (the
    page's text) lets the unruled fallback run only on pages that clearly hold rows of numbers."""
    chars = page.chars if chars is None else chars
    found = sorted(page.find_tables(TABLE_SETTINGS), key=lambda t: (t.bbox[1], t.bbox[0]))
    out: list[RawTable] = []
    for t in found:
        grid = [r for r in table_grid(page, t, chars, page_no) if not _is_page_number_row(r)]
        width = max((len(r) for r in grid), default=0)
        if width < 2 or not grid:
            continue  # a frame around prose, not a table
        rt = RawTable(rows=grid, page=page_no, source="pdf:lines")
        rt.bbox = t.bbox  # type: ignore[attr-defined]
        out.append(rt)
    if not out and (text is None or _holds_numbers(text) or _TABLE_HINT.search(text)):
        out.extend(_layout_tables(page, page_no))
    return out


def _merge_continuations(pages: list[tuple[int, float, list[RawTable]]]) -> list[RawTable]:
    """Append a table that continues at the top of a page to the previous page's last table."""
    result: list[RawTable] = []
    prev_last: RawTable | None = None
    for _page_no, height, tables in pages:
        for i, t in enumerate(tables):
            tb = getattr(t, "bbox", None)
            is_cont = (
                i == 0
                and prev_last is not None
                and tb is not None
                and t.source in ("pdf:lines", "ocr:lines")
                and tb[1] < height * 0.25
                and t.width == prev_last.width
                and not _looks_like_header_row(t.rows[0])
            )
            if not is_cont:
                result.append(t)
                continue
            assert prev_last is not None and tb is not None
            _continue_cut_labels(prev_last.rows[-1], t.rows, tb[1])
            prev_last.rows.extend(t.rows)
            if not prev_last.source.endswith("+continued"):
                prev_last.source += "+continued"
        if tables:
            prev_last = result[-1] if result else None
    for t in result:
        if hasattr(t, "bbox"):
            del t.bbox
    return result


def _continue_cut_labels(last: list[RawCell | None], rows: list[list[RawCell | None]], top: float) -> None:
    """A merged label cell cut by the page break (a vertical header, a （四）无法提供 group) shows up
    on the next page as an empty cell starting at the table's top: give it the label printed above.
    Only label columns (left of the first number in the previous row) and only empty cells whose
    box starts at the table's top edge are filled, so a blank value is never given a text."""
    first_num = next((j for j, c in enumerate(last) if c is not None and _is_numeric(c.text)), len(last))
    for r in rows:
        for j in range(min(first_num, len(r))):
            c, above = r[j], last[j] if j < len(last) else None
            if (
                c is not None and not c.text.strip() and c.bbox is not None and abs(c.bbox[1] - top) < 1.0
                and above is not None and above.text.strip()
            ):
                r[j] = RawCell(text=above.text, page=c.page, origin=False, bbox=c.bbox)


# --------------------------------------------------------------------------- the reader

def _open(path: Path, password: str = "") -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        return pdfplumber.open(path, password=password)
    except Exception as e:  # pdfplumber wraps pdfminer errors in PdfminerException
        inner = e.args[0] if e.args and isinstance(e.args[0], Exception) else e
        if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError) or "password" in repr(inner).lower():
            raise ExtractionFailure(errors.ENCRYPTED_PDF, "the PDF is encrypted and needs a password") from e
        raise ExtractionFailure(errors.CORRUPT_PDF, f"cannot parse the PDF: {inner!r}"[:300]) from e


def read_pdf(path: str | Path, *, max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
             max_total_inflated: int = DEFAULT_MAX_TOTAL_INFLATED, **kwargs: Any) -> RawDocument:
    """Read a PDF into a RawDocument (see :func:`_read_pdf`), every stream pdfminer decodes bounded by
    ``max_stream_bytes`` / ``max_total_inflated`` (:mod:`extractors.bounded`) → ``decompression_bomb``."""
    from extractors import bounded

    with bounded.budget(max_stream_bytes, max_total_inflated) as b:
        try:
            return _read_pdf(path, max_stream_bytes=max_stream_bytes, max_total_inflated=max_total_inflated,
                             **kwargs)
        except Exception as e:
            if b.exceeded:  # whatever the parser turned it into on the way up
                raise ExtractionFailure(errors.DECOMPRESSION_BOMB, b.exceeded) from e
            raise


def _read_pdf(
    path: str | Path,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
    max_total_inflated: int = DEFAULT_MAX_TOTAL_INFLATED,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    dedupe_tolerance: float = 1.0,
    progress: Any = None,
    parser: str | None = None,
    ocr: Any = None,
) -> RawDocument:
    """Read a PDF into a RawDocument (text of every page + expanded table grids).

    ``ocr(page_index) -> (text, tables, page_height)`` reads a page without a usable text layer
    (:meth:`extractors.ocr.reader.ScanSession.read_pdf_page`); without it such pages are skipped.
    Raises :class:`ExtractionFailure` with ``corrupt_pdf``, ``encrypted_pdf``, ``too_large``,
    ``decompression_bomb``, ``no_text_layer`` or ``empty_file``. ``parser`` ("pdfium" or
    "pdfminer", default ``GONGKAI_PDF_PARSER`` or "pdfium") chooses who reads the pages.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise ExtractionFailure(errors.EMPTY_FILE, "the file is empty (0 bytes)")
    if size > max_file_bytes:
        raise ExtractionFailure(errors.TOO_LARGE, f"{size} bytes is over the limit of {max_file_bytes}")
    data = path.read_bytes()
    if b"%PDF-" not in data[:1024]:
        raise ExtractionFailure(errors.CORRUPT_PDF, "no %PDF- header in the first 1024 bytes")
    check_streams(data, max_stream_bytes=max_stream_bytes, max_total_bytes=max_total_inflated)
    del data

    pdf = _open(path)
    pdfium_doc = None
    try:
        # PDFium (the page parser, and the rasteriser of scanned pages for OCR) inflates streams itself
        # with no cap: every stream is decoded once, bounded, before anything else reads the document
        try:
            bounded.preflight(pdf.doc, max_stream_bytes, max_total_inflated)
        except bounded.DecompressionBomb as e:
            raise ExtractionFailure(errors.DECOMPRESSION_BOMB, e.message) from e
        pdfium_doc = open_parser(path, parser)
        try:
            n = len(pdf.pages)
        except Exception as e:
            raise ExtractionFailure(errors.CORRUPT_PDF, f"cannot read the page tree: {e!r}"[:300]) from e
        if n == 0:
            raise ExtractionFailure(errors.CORRUPT_PDF, "the PDF has no pages")
        if n > max_pages:
            raise ExtractionFailure(errors.TOO_LARGE, f"{n} pages is over the limit of {max_pages}")
        texts: list[str] = []
        per_page: list[tuple[int, float, list[RawTable]]] = []
        no_text: list[int] = []
        for i in range(n):
            page = pdf.pages[i]
            page_no = i + 1
            try:
                page._objects = page_objects(page, pdfium_doc)
                raw_chars = page.chars
                chars = dedupe_chars(raw_chars, dedupe_tolerance)
                real = [c for c in chars if _is_real_char(c)]
                if not text_layer_usable(chars):
                    if (page.images or chars) and ocr is not None:  # a scanned page: OCR it
                        page_text, tables, height = ocr(i)
                        texts.append(page_text)
                        per_page.append((page_no, height, tables))
                        continue
                    if page.images or chars:  # images only, or (cid:N) / mojibake glyphs
                        no_text.append(page_no)
                    texts.append("")
                    continue
                dp = _with_chars(page, real)
                page_text = dp.extract_text() or ""
                texts.append(page_text)
                # a page not ruled into columns, with no rows of numbers, has no table: skip the finder
                ruled = tablepages.may_hold_ruled_table(page.objects, TABLE_SETTINGS["snap_tolerance"])
                tables = page_tables(dp, page_no, real, page_text) if ruled or _holds_numbers(page_text) else []
                per_page.append((page_no, float(page.height), tables))
            except ExtractionFailure:
                raise
            except Exception as e:
                raise ExtractionFailure(errors.CORRUPT_PDF, f"page {page_no} cannot be parsed: {e!r}"[:300]) from e
            finally:
                page.close()
                # drop the parsed layout of this page (pdfplumber caches it on the Page object)
                for attr in ("_layout", "_objects"):
                    if hasattr(page, attr):
                        delattr(page, attr)
            if progress:
                progress(page_no, n)
        if not any(t.strip() for t in texts):
            raise ExtractionFailure(
                errors.NO_TEXT_LAYER,
                "no page has a text layer (scanned images or (cid:N) glyphs only): it needs OCR",
            )
        issues: list[Issue] = []
        if no_text:
            issues.append(Issue(
                code=errors.PARTIAL_TEXT_LAYER,
                message=f"pages without a text layer (images or (cid:N) glyphs): {_ranges(no_text)}",
                page=no_text[0],
            ))
        return RawDocument(
            media_type=MEDIA_TYPE,
            text="\n".join(texts),
            tables=_merge_continuations(per_page),
            pages=n,
            issues=issues,
            page_starts=page_starts_of(texts),
        )
    finally:
        if pdfium_doc is not None:
            pdfium_doc.close()
        pdf.close()


def _ranges(nums: Iterable[int]) -> str:
    nums = sorted(nums)
    parts, start, prev = [], None, None
    for x in nums:
        if start is None:
            start = prev = x
        elif x == prev + 1:  # type: ignore[operator]
            prev = x
        else:
            parts.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = x
    if start is not None:
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ", ".join(parts)
