"""The balancing identities of the form (勾稽关系, docs/format.md R1–R6) as sums over cells — the one
place the extractor states them.

Each identity instance says ``sum(lhs) == sum(rhs)`` over cell keys ``(table, row, column)``:

* R1 per ``applications`` column: new_received + carried_over = total_handled + carried_forward;
* R2 per column: total_handled = the outcome rows — ``other_handling`` or the three ``other_*``
  rows, decided once by :func:`single_other`;
* R3 per ``applications`` row: total = the six applicant columns;
* R4–R6 per ``review_litigation`` row: total = upheld + corrected + other_result + pending.

Two parts of the extractor use them, and neither judges a report with them: the run-together solver
(:mod:`extractors.solver`) splits values printed run together, and the OCR check
(:mod:`extractors.ocr.confirm`) chooses which readings to read again. Reports are judged by the same
rules in the warehouse, where each is computed once in dbt (``int_rule_terms`` → ``fct_rule_checks``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from extractors import vocab
from extractors.model import Cell

Key = tuple[str, str, str]
REVIEW_RULE = {"administrative_review": "R4", "litigation_direct": "R5", "litigation_after_review": "R6"}
BASE_OUTCOMES = tuple(r for r in vocab.OUTCOME_ROWS if r != vocab.OTHER_SINGLE_ROW and r not in vocab.OTHER_SUBROWS)


@dataclass(frozen=True)
class Identity:
    rule: str  # R1 … R6
    scope: str  # the row or column it runs along
    lhs: tuple[Key, ...]
    rhs: tuple[Key, ...]

    @property
    def keys(self) -> tuple[Key, ...]:
        return self.lhs + self.rhs

    @property
    def terms(self) -> list[tuple[int, Key]]:
        """The cells with their signs: Σ sign·cell = 0."""
        return [(1, k) for k in self.lhs] + [(-1, k) for k in self.rhs]

    @property
    def row_local(self) -> bool:
        """All its cells are in one printed row (R3–R6)."""
        return self.rule not in ("R1", "R2")

    def holds(self, values: Mapping[Key, int]) -> bool:
        """Both sides equal; every cell must have a value (see :meth:`check` for the tri-state)."""
        return sum(values[k] for k in self.lhs) == sum(values[k] for k in self.rhs)

    def check(self, values: Mapping[Key, object]) -> bool | None:
        """True / False when every cell has a value; None (uncertain) when one is absent or None —
        a blank is never 0."""
        left, right = _sum(self.lhs, values), _sum(self.rhs, values)
        if left is None or right is None:
            return None
        return left == right

    def label(self) -> str:
        return f"{self.rule} ({self.scope})"


def _sum(keys: tuple[Key, ...], values: Mapping[Key, object]) -> Decimal | None:
    total = Decimal(0)
    for k in keys:
        v = values.get(k)
        if v is None:
            return None
        total += Decimal(str(v))
    return total


def single_other(fv: str, present: Iterable[str]) -> bool:
    """Whether R2 sums the single （六）其他处理 row (``other_handling``) rather than its three
    sub-rows: always in the 2019 format; in 2021 when the report prints (`present`: the
    ``applications`` rows it has) the single row and none of the sub-rows, as some real 2021 reports do."""
    if fv == "2019":
        return True
    present = set(present)
    return vocab.OTHER_SINGLE_ROW in present and not any(r in present for r in vocab.OTHER_SUBROWS)


def outcome_rows(fv: str, present: Iterable[str]) -> list[str]:
    """The rows R2 sums to ``total_handled`` (see :func:`single_other`)."""
    return [*BASE_OUTCOMES, *((vocab.OTHER_SINGLE_ROW,) if single_other(fv, present) else vocab.OTHER_SUBROWS)]


def identities(fv: str, present: Iterable[str] = ()) -> list[Identity]:
    """Every identity instance of a format version; R2 over the outcome rows of the report's
    variant (`present`: the ``applications`` rows it prints or fills, :func:`single_other`)."""
    a = "applications"
    out: list[Identity] = []
    cols = [c.code for c in vocab.APPLICANT_COLUMNS]
    outcomes = outcome_rows(fv, present)
    for c in cols:
        out.append(Identity("R1", f"column {c}", ((a, "new_received", c), (a, "carried_over", c)),
                            ((a, "total_handled", c), (a, "carried_forward", c))))
        out.append(Identity("R2", f"column {c}", ((a, "total_handled", c),), tuple((a, r, c) for r in outcomes)))
    app_rows = dict.fromkeys(r.code for b in vocab.BLOCKS[fv] if b.table == a for r in b.rows)
    for r in app_rows:  # R3 holds along every printed row, whichever variant of （六） it belongs to
        out.append(Identity("R3", f"row {r}", ((a, r, "total"),), tuple((a, r, c) for c in vocab.APPLICANT_PARTS)))
    t = "review_litigation"
    for r, rule in REVIEW_RULE.items():
        out.append(Identity(rule, f"row {r}", ((t, r, "total"),), tuple((t, r, c) for c in vocab.RESULT_PARTS)))
    return out


def filled_rows(cells: Mapping[Key, Cell]) -> set[str]:
    """The ``applications`` rows of a record that hold at least one value: the `present` rows of
    :func:`identities` for a finished record."""
    return {k[1] for k, c in cells.items() if k[0] == "applications" and c.value is not None}


def values_of(cells: Mapping[Key, Cell]) -> dict[Key, object]:
    """Cell key → value, for the cells holding one."""
    return {k: c.value for k, c in cells.items() if c.value is not None}
