"""The balancing identities of the form (勾稽关系, shared/docs/format.md R1–R6) as sums over cells.

Each identity instance says ``sum(lhs) == sum(rhs)`` over cell keys ``(table, row, column)``. The
extractor uses them only to split values that were printed run together (:mod:`extractors.solver`);
the quality checks judge reports by the same rules in the warehouse.

* R1 per ``applications`` column: new_received + carried_over = total_handled + carried_forward;
* R2 per column: total_handled = the outcome rows (``other_handling`` or the three ``other_*`` rows);
* R3 per ``applications`` row: total = the six applicant columns;
* R4–R6 per ``review_litigation`` row: total = upheld + corrected + other_result + pending.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from extractors import vocab

Key = tuple[str, str, str]
REVIEW_RULE = {"administrative_review": "R4", "litigation_direct": "R5", "litigation_after_review": "R6"}


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

    def holds(self, values: dict[Key, int]) -> bool:
        return sum(values[k] for k in self.lhs) == sum(values[k] for k in self.rhs)

    def label(self) -> str:
        return f"{self.rule} ({self.scope})"


def outcome_rows(fv: str, printed: Iterable[str]) -> list[str]:
    """The rows R2 sums: ``other_handling`` stands in for the three ``other_*`` rows when those are
    not printed (2019, and 2021 reports keeping the single （六） row)."""
    printed = set(printed)
    rows = [r for r in vocab.OUTCOME_ROWS if r != "other_handling" and r not in vocab.OTHER_SUBROWS]
    if fv == "2021" and any(r in printed for r in vocab.OTHER_SUBROWS):
        return rows + list(vocab.OTHER_SUBROWS)
    return rows + ["other_handling"]


def identities(fv: str, printed_app_rows: Iterable[str] = ()) -> list[Identity]:
    """Every identity instance of a format version (R2 over the outcome rows the report prints)."""
    a = "applications"
    out: list[Identity] = []
    cols = [c.code for c in vocab.APPLICANT_COLUMNS]
    outcomes = outcome_rows(fv, printed_app_rows)
    for c in cols:
        out.append(Identity("R1", f"column {c}", ((a, "new_received", c), (a, "carried_over", c)),
                            ((a, "total_handled", c), (a, "carried_forward", c))))
        out.append(Identity("R2", f"column {c}", ((a, "total_handled", c),), tuple((a, r, c) for r in outcomes)))
    app_rows = {r.code for b in vocab.BLOCKS[fv] if b.table == a for r in b.rows}
    for r in app_rows:
        out.append(Identity("R3", f"row {r}", ((a, r, "total"),), tuple((a, r, c) for c in vocab.APPLICANT_PARTS)))
    t = "review_litigation"
    for r, rule in REVIEW_RULE.items():
        out.append(Identity(rule, f"row {r}", ((t, r, "total"),), tuple((t, r, c) for c in vocab.RESULT_PARTS)))
    return out
