"""The reader → assembler interface.

Every reader (PDF, HTML, DOCX, text) turns a document into a :class:`RawDocument`: its plain text
(for metadata and prose) and its tables as *expanded grids* — one list per visual row, one
:class:`RawCell` per grid position in column order, after rowspan/colspan expansion. A position
covered by a merged cell holds a RawCell with ``origin=False`` and the same text as the merged
cell's origin (so labels of merged headers are visible in every row/column they span, while values
are never counted twice). Positions with no cell at all hold ``None``.

The assembler (``extractors.assemble``) maps grids to canonical cells by their labels, never by
position alone, so readers do not need to know the vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractors.model import Issue


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

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


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
