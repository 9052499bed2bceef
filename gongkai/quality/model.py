"""Plain data of a check run: rule metadata, one result per rule application, the run itself.

Severity policy (documented in ``expectations/README.md``):

* ``critical`` — R1–R6 (the printed balancing identities), ``VALIDITY`` (a negative or fractional count is
  a wrong number in the warehouse), ``YEAR_RANGE`` and ``UNIQUENESS`` (two current reports for one
  publisher and year double-count in BI). A critical FAIL makes ``gongkai check`` exit non-zero and
  triggers the alert digest.
* ``warning`` — R7 (cross-year carry-over is plausibility, not part of the format) and ``COMPLETENESS``
  (absent cells already surface as UNCERTAIN in the identities that need them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PASS, FAIL, UNCERTAIN = "PASS", "FAIL", "UNCERTAIN"
STATUSES = (PASS, FAIL, UNCERTAIN)
CRITICAL, WARNING = "critical", "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: str
    suite: str
    scope: str  # what rule_scope names: an applicant column, an applications row, a proceeding …


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("R1", "new_received + carried_over = total_handled + carried_forward", CRITICAL, "balancing",
         "applications column"),
    Rule("R2", "total_handled = sum of the outcome rows", CRITICAL, "balancing", "applications column"),
    Rule("R3", "total = sum of the six applicant columns", CRITICAL, "balancing", "applications row"),
    Rule("R4", "行政复议: total = upheld + corrected + other_result + pending", CRITICAL, "balancing",
         "proceeding"),
    Rule("R5", "行政诉讼 未经复议直接起诉: total = upheld + corrected + other_result + pending", CRITICAL,
         "balancing", "proceeding"),
    Rule("R6", "行政诉讼 复议后起诉: total = upheld + corrected + other_result + pending", CRITICAL,
         "balancing", "proceeding"),
    Rule("R7", "carried_over of year N = carried_forward of year N-1 (same publisher)", WARNING,
         "carry_over", "applications column"),
    Rule("COMPLETENESS", "every cell of the report's format version is present", WARNING, "completeness",
         "report"),
    Rule("VALIDITY", "counts are non-negative integers (items_change: integers), amounts >= 0", CRITICAL,
         "validity", "cell"),
    Rule("YEAR_RANGE", "report year within 2019..current year", CRITICAL, "reports", "report"),
    Rule("UNIQUENESS", "one current report per publisher and year", CRITICAL, "reports", "report"),
)}
BALANCING_RULES = ("R1", "R2", "R3", "R4", "R5", "R6")


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

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

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

    @property
    def critical_failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.is_critical_failure]

    @property
    def status(self) -> str:
        """`failed` when a critical rule fails, else `passed`."""
        return "failed" if self.critical_failures else "passed"

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            out[r.status] += 1
        return out

    def for_report(self, report_key: str) -> list[RuleResult]:
        return [r for r in self.results if r.report_key == report_key]
