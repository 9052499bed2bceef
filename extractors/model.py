"""The canonical extraction record (the JSON contract of docs/format.md) as plain dataclasses."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

EXTRACTOR_VERSION = "0.3.0"  # 0.3.0: prose claims (`claims`)

# Cell statuses. `ok` has a value as printed; `recovered` has a value the printed text ran together
# with its neighbours ("640020470"), split the only way the balancing identities allow; the others
# say why `value` is null.
OK, BLANK, MARKER, UNREADABLE, MISSING = "ok", "blank", "marker", "unreadable", "missing"
RECOVERED = "recovered"
STATUSES = (OK, RECOVERED, BLANK, MARKER, UNREADABLE, MISSING)
VALUE_STATUSES = (OK, RECOVERED)  # the statuses whose cells carry a number


@dataclass
class Cell:
    table: str
    row: str
    column: str
    value: int | float | Decimal | None
    raw: str | None
    status: str
    page: int | None = None
    # OCR-read cells only (a page without a text layer): serialised only when set
    ocr: bool | None = None
    confidence: float | None = None  # the recogniser's confidence in ``raw`` (0..1); blank cells have none

    def key(self) -> tuple[str, str, str]:
        return (self.table, self.row, self.column)


@dataclass
class Issue:
    code: str
    message: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    page: int | None = None


@dataclass
class Claim:
    """A number the report's prose quotes about itself (extractors.claims): the measure it names (a code
    of extractors.claims.MEASURES), the value, the words as printed (normalised), the period it is
    about (report_year, previous_year, unclear), the sentence, the page (media with pages) and the
    character offset of the number in the document's text."""

    measure: str
    value: int | float | Decimal
    raw: str
    period: str
    sentence: str
    page: int | None = None
    offset: int | None = None


@dataclass
class Source:
    path: str
    sha256: str
    media_type: str | None = None
    pages: int | None = None
    size: int | None = None


@dataclass
class Report:
    publisher: str | None = None
    year: int | None = None
    format_version: str | None = None
    published_on: str | None = None  # ISO date


@dataclass
class ExtractionError:
    code: str
    message: str


@dataclass
class Record:
    source: Source
    report: Report = field(default_factory=Report)
    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    error: ExtractionError | None = None
    extractor_version: str = EXTRACTOR_VERSION
    claims: list[Claim] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["error"] is None:
            del d["error"]
        for c in d["cells"]:
            for k in _OPTIONAL_CELL_FIELDS:
                if c[k] is None:
                    del c[k]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=_json_default)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        err = d.get("error")
        return cls(
            source=Source(**d["source"]),
            report=Report(**(d.get("report") or {})),
            cells=[Cell(**c) for c in d.get("cells", [])],
            issues=[Issue(**i) for i in d.get("issues", [])],
            claims=[Claim(**c) for c in d.get("claims", [])],
            error=ExtractionError(**err) if err else None,
            extractor_version=d.get("extractor_version", EXTRACTOR_VERSION),
        )

    def cell_map(self) -> dict[tuple[str, str, str], Cell]:
        return {c.key(): c for c in self.cells}


_OPTIONAL_CELL_FIELDS = ("ocr", "confidence")


def _json_default(o: Any) -> Any:
    if isinstance(o, Decimal):
        # amounts: keep them exact but as JSON numbers
        return float(o) if o != o.to_integral_value() else int(o)
    raise TypeError(f"not JSON serialisable: {type(o)!r}")
