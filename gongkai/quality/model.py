"""Plain data of a check run: one result per rule application, the run itself.

The rules, their severities and suites are catalogued in ``expectations/catalogue.py``; the results are
computed in the warehouse and stored in ``dq.rule_results``. A :class:`CheckRun` holds the run's totals
and the results loaded for people (every FAIL, the UNCERTAIN ones up to a limit, PASS on request).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from expectations.catalogue import CRITICAL, RULES

PASS, FAIL, UNCERTAIN = "PASS", "FAIL", "UNCERTAIN"
STATUSES = (PASS, FAIL, UNCERTAIN)


@dataclass(frozen=True)
class Term:
    """One cell a rule instance adds up: its side of the identity, its place in the form, its value and the
    page it was read on (None: not a paged document). `years_back` = 1: the report of the year before (R7)."""

    side: str
    table: str
    row: str
    column: str
    value: float | None
    page: int | None = None
    years_back: int = 0


@dataclass
class RuleResult:
    rule: str
    rule_scope: str
    status: str
    report_key: str | None = None
    document_id: int | None = None
    publisher: str | None = None
    report_year: int | None = None
    left_value: float | None = None
    right_value: float | None = None
    source_url: str | None = None
    message: str | None = None
    severity: str = ""
    # loaded for the critical failures (the digest): where the stored copy is, the cells that make up
    # each side (only when they add up to the stored sides)
    landing_path: str | None = None
    terms: tuple[Term, ...] = ()

    def __post_init__(self) -> None:
        if not self.severity:
            self.severity = RULES[self.rule].severity

    @property
    def pages(self) -> list[int]:
        """The pages of the report the rule's cells were read on (this year's report)."""
        return sorted({t.page for t in self.terms if t.page is not None and not t.years_back})

    @property
    def is_critical_failure(self) -> bool:
        return self.status == FAIL and self.severity == CRITICAL


@dataclass
class CheckRun:
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    years: list[int] | None = None
    results: list[RuleResult] = field(default_factory=list)
    docs_path: str | None = None
    # over the whole run (from dq.rule_results); None: count `results`
    totals: dict[str, int] | None = None
    reports_checked: int | None = None
    report_years: list[int] | None = None  # the report years that had results
    # which results were loaded into `results` (runner.run_checks), and how many FAIL/UNCERTAIN ones were
    # left in the store
    detail: str = "all"
    problems_not_loaded: int = 0
    by_rule: dict[str, dict[str, int]] | None = None  # {rule: {status: n}} over the whole run

    def rule_counts(self) -> dict[str, dict[str, int]]:
        """{rule: {PASS: n, FAIL: n, UNCERTAIN: n}} in catalogue order (over the run when known)."""
        counts = self.by_rule
        if counts is None:
            counts = {}
            for r in self.results:
                counts.setdefault(r.rule, dict.fromkeys(STATUSES, 0))[r.status] += 1
        order = list(RULES)
        return {k: {s: counts[k].get(s, 0) for s in STATUSES}
                for k in sorted(counts, key=lambda k: order.index(k) if k in order else len(order))}

    @property
    def critical_failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.is_critical_failure]

    @property
    def status(self) -> str:
        """`failed` when a critical rule fails, else `passed`."""
        return "failed" if self.critical_failures else "passed"

    def counts(self) -> dict[str, int]:
        if self.totals is not None:
            return {s: self.totals.get(s, 0) for s in STATUSES}
        out = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            out[r.status] += 1
        return out

    @property
    def total(self) -> int:
        return sum(self.counts().values())

    def report_count(self) -> int:
        if self.reports_checked is not None:
            return self.reports_checked
        return len({r.report_key for r in self.results})

    def for_report(self, report_key: str) -> list[RuleResult]:
        return [r for r in self.results if r.report_key == report_key]
