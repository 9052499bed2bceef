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

from extractors.model import Issue

GRID, FIELDS, X, FLOW = "grid", "fields", "x", "flow"


@dataclass
class RawCell:
    text: str
    page: int | None = None
    origin: bool = True  # False for a position covered by a merged cell (rowspan/colspan)
    bbox: tuple[float, float, float, float] | None = None  # PDF only: x0, top, x1, bottom


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
