"""The reader → assembler interface.

Every reader (PDF, HTML, DOCX, text) turns a document into a :class:`RawDocument`: its plain text
(for metadata and prose) and its tables as *expanded grids* — one list per visual row, one
:class:`RawCell` per grid position in column order, after rowspan/colspan expansion. A position
covered by a merged cell holds a RawCell with ``origin=False`` and the same text as the merged
cell's origin (so labels of merged headers are visible in every row/column they span, while values
are never counted twice). Positions with no cell at all hold ``None``.

The assembler (``extractors.assemble``) maps grids to canonical cells by their labels, never by
position alone, so readers do not need to know the vocabulary.

What a cell's position in its row says depends on the medium (:attr:`RawTable.positions`):

* ``grid`` — ruled or marked-up tables expanded as above (PDF lines, HTML, DOCX, OCR): index = column;
* ``fields`` — explicitly delimited text (tab rows, pipe rows, Markdown tables): one field per printed
  cell, so an empty field between values *is* a blank cell, but merged cells leave gaps and the row
  width varies from row to row;
* ``x`` — aligned text (``pdftotext -layout``, space-aligned columns): only the cells' horizontal
  extents (``bbox`` in character columns) say which column a value is under;
* ``flow`` — text in reading order (one cell per line, single spaces, cells run together): only the
  order of the values is known.

Text readers set ``bbox`` to ``(x0, line, x1, line + 1)`` in display columns (a CJK character is two
columns wide) so that the assembler sees column positions from every medium that keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractors import errors
from extractors.model import Issue

# Grid positions one table may expand to (rows × widest row, after rowspan/colspan), and all tables of a
# document together. The report's largest table has about 250; a page of 76 KB with nested
# rowspan/colspan would otherwise expand to billions. Checked *before* a grid is built.
MAX_TABLE_CELLS = 200_000
MAX_DOCUMENT_CELLS = 1_000_000


class GridTooLarge(Exception):
    """A table whose expanded grid would exceed the limits: the document's error is ``too_large``."""

    code = errors.TOO_LARGE

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_grid_size(row_lengths: list[int], spent: int = 0) -> int:
    """Raise :class:`GridTooLarge` when a table of these expanded row lengths (after spans) would hold
    more than MAX_TABLE_CELLS positions, or the document more than MAX_DOCUMENT_CELLS; return its size."""
    width = max(row_lengths, default=0)
    cells = len(row_lengths) * width
    if cells > MAX_TABLE_CELLS:
        raise GridTooLarge(f"a table would expand to {len(row_lengths)} rows × {width} columns = {cells} "
                           f"cells (rowspan/colspan), over the limit of {MAX_TABLE_CELLS}")
    if spent + cells > MAX_DOCUMENT_CELLS:
        raise GridTooLarge(f"the document's tables would expand to over {MAX_DOCUMENT_CELLS} cells")
    return cells


GRID, FIELDS, X, FLOW = "grid", "fields", "x", "flow"


@dataclass
class RawCell:
    text: str
    page: int | None = None
    origin: bool = True  # False for a position covered by a merged cell (rowspan/colspan)
    bbox: tuple[float, float, float, float] | None = None  # PDF: x0, top, x1, bottom (points; OCR: pixels)
    confidence: float | None = None  # OCR only: the recogniser's confidence in ``text`` (0..1)


@dataclass
class RawTable:
    rows: list[list[RawCell | None]]
    page: int | None = None  # first page the table is on
    source: str = ""  # how it was found: "pdf:lines", "html", "docx", "text:tabs", "text:lines" …
    positions: str | None = None  # GRID, FIELDS, X or FLOW (see the module doc); None: from `source`

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    @property
    def mode(self) -> str:
        """How cell positions relate to columns: ``positions`` when set, else ``flow`` for text
        sources and unruled PDF tables (``…:text``: column positions are guesses), ``grid`` otherwise."""
        if self.positions is not None:
            return self.positions
        return FLOW if self.source.startswith("text") or ":text" in self.source else GRID


@dataclass
class RawDocument:
    media_type: str
    text: str = ""
    tables: list[RawTable] = field(default_factory=list)
    pages: int | None = None
    issues: list[Issue] = field(default_factory=list)
    # the OCR session that read some of the pages (None: every page had a text layer); it keeps the
    # page images, so cells can be read again when an identity fails (extractors.ocr.confirm)
    ocr: Any = None
    # media with pages: the offset in ``text`` where each page's text begins (page 1 first); prose
    # claims (extractors.claims) are placed on their page by it
    page_starts: list[int] | None = None


def page_starts_of(texts: list[str], sep: str = "\n") -> list[int]:
    """The offsets where each of `texts` begins in ``sep.join(texts)``."""
    out, at = [], 0
    for t in texts:
        out.append(at)
        at += len(t) + len(sep)
    return out
