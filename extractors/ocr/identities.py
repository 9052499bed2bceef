"""The printed balancing identities R1–R6 (docs/format.md) over one record's cells, as the
OCR check needs them: which cells each identity instance adds up on either side, and whether it
holds. The warehouse checks the same rules on the marts (``gongkai.quality.frames``); here they
only decide which OCR readings to read again — never a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from extractors import vocab
from extractors.model import Cell

Key = tuple[str, str, str]
BASE_OUTCOMES = tuple(r for r in vocab.OUTCOME_ROWS if r != "other_handling" and r not in vocab.OTHER_SUBROWS)
PROCEEDINGS = {"administrative_review": "R4", "litigation_direct": "R5", "litigation_after_review": "R6"}


@dataclass(frozen=True)
class Instance:
    rule: str
    scope: str
    left: tuple[Key, ...]
    right: tuple[Key, ...]

    @property
    def keys(self) -> tuple[Key, ...]:
        return self.left + self.right


def _single_other(cells: Mapping[Key, Cell], fv: str) -> bool:
    """R2 uses the single （六）其他处理 row: the 2019 format, or a 2021 report that kept it."""
    if fv == "2019":
        return True
    sub = any(cells.get(("applications", r, c.code)) is not None and cells[("applications", r, c.code)].value
              is not None for r in vocab.OTHER_SUBROWS for c in vocab.APPLICANT_COLUMNS)
    single = any(cells.get(("applications", "other_handling", c.code)) is not None
                 and cells[("applications", "other_handling", c.code)].value is not None
                 for c in vocab.APPLICANT_COLUMNS)
    return not sub and single


def instances(cells: Mapping[Key, Cell], fv: str) -> list[Instance]:
    """Every R1–R6 instance of a record of format version ``fv``."""
    out: list[Instance] = []
    single = _single_other(cells, fv)
    outcomes = [*BASE_OUTCOMES, *(["other_handling"] if single else vocab.OTHER_SUBROWS)]
    cols = [c.code for c in vocab.APPLICANT_COLUMNS]
    for col in cols:
        a = lambda r, col=col: ("applications", r, col)  # noqa: E731
        out.append(Instance("R1", col, (a("new_received"), a("carried_over")),
                            (a("total_handled"), a("carried_forward"))))
        out.append(Instance("R2", col, (a("total_handled"),), tuple(a(r) for r in outcomes)))
    rows = [c.row for c in vocab.cells(fv) if c.table == "applications" and c.column == "total"]
    for row in dict.fromkeys(rows):
        if (single and row in vocab.OTHER_SUBROWS) or (not single and row == "other_handling"):
            continue
        out.append(Instance("R3", row, (("applications", row, "total"),),
                            tuple(("applications", row, p) for p in vocab.APPLICANT_PARTS)))
    for row, rule in PROCEEDINGS.items():
        out.append(Instance(rule, row, (("review_litigation", row, "total"),),
                            tuple(("review_litigation", row, p) for p in vocab.RESULT_PARTS)))
    return out


def _sum(keys: tuple[Key, ...], values: Mapping[Key, object]) -> Decimal | None:
    total = Decimal(0)
    for k in keys:
        v = values.get(k)
        if v is None:
            return None
        total += Decimal(str(v))
    return total


def holds(inst: Instance, values: Mapping[Key, object]) -> bool | None:
    """True / False when every cell has a value; None (uncertain) when one is missing or blank."""
    left, right = _sum(inst.left, values), _sum(inst.right, values)
    if left is None or right is None:
        return None
    return left == right


def values_of(cells: Mapping[Key, Cell]) -> dict[Key, object]:
    return {k: c.value for k, c in cells.items() if c.value is not None}
