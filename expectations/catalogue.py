"""The rule catalogue: every check gongkai runs, with its severity and the suite that validates it.

Each rule is *computed* once, in the warehouse (dbt): the balancing rules R1–R7 and R8 (prose against
tables, evaluated in ``int_prose_checks``) in ``marts.fct_rule_checks``, the integrity checks in ``marts.fct_integrity_checks``; one row per report ×
rule × scope with both sides, the status and its reason. The GX suites (``expectations.suites``)
validate those rows. Adding a rule is one CTE in the dbt model and one entry here.

Severity policy:

* ``critical`` — R1–R6 (the printed balancing identities), ``VALIDITY`` (a negative or fractional count is
  a wrong number in the warehouse), ``YEAR_RANGE`` and ``UNIQUENESS`` (two current reports for one
  publisher and year double-count in BI). A critical FAIL makes ``gongkai check`` exit non-zero and
  triggers the alert digest.
* ``warning`` — R7 (cross-year carry-over is plausibility, not part of the format), R8 (the prose's own
  numbers against the tables: plausibility, often broken; a prose claim is read by patterns, so it is
  evidence, not proof) and ``COMPLETENESS`` (absent cells already surface as UNCERTAIN in the identities
  that need them).
"""

from __future__ import annotations

from dataclasses import dataclass

CRITICAL, WARNING = "critical", "warning"

# the warehouse relations that hold the computed checks (dbt models, schema marts)
RULE_CHECKS = "marts.fct_rule_checks"
INTEGRITY_CHECKS = "marts.fct_integrity_checks"


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: str
    suite: str      # the suite that validates it (expectations.suites.SUITES)
    scope: str      # what rule_scope names: an applicant column, an applications row, a proceeding …
    relation: str   # the dbt model that computes it
    balancing: bool = False  # decides rpt_report_overview.balance_status (the printed identities)


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("R1", "new_received + carried_over = total_handled + carried_forward", CRITICAL, "gongkai_balancing",
         "applications column", RULE_CHECKS, balancing=True),
    Rule("R2", "total_handled = sum of the outcome rows", CRITICAL, "gongkai_balancing", "applications column",
         RULE_CHECKS, balancing=True),
    Rule("R3", "total = sum of the six applicant columns", CRITICAL, "gongkai_balancing", "applications row",
         RULE_CHECKS, balancing=True),
    Rule("R4", "行政复议: total = upheld + corrected + other_result + pending", CRITICAL, "gongkai_balancing",
         "proceeding", RULE_CHECKS, balancing=True),
    Rule("R5", "行政诉讼 未经复议直接起诉: total = upheld + corrected + other_result + pending", CRITICAL,
         "gongkai_balancing", "proceeding", RULE_CHECKS, balancing=True),
    Rule("R6", "行政诉讼 复议后起诉: total = upheld + corrected + other_result + pending", CRITICAL,
         "gongkai_balancing", "proceeding", RULE_CHECKS, balancing=True),
    Rule("R7", "carried_over of year N = carried_forward of year N-1 (same publisher)", WARNING,
         "gongkai_carry_over", "applications column", RULE_CHECKS),
    Rule("R8", "a number the prose of the report quotes = the measure's cells in its tables", WARNING,
         "gongkai_prose", "prose measure", RULE_CHECKS),
    Rule("COMPLETENESS", "every cell of the report's format version is present", WARNING, "gongkai_completeness",
         "report", INTEGRITY_CHECKS),
    Rule("VALIDITY", "counts are non-negative integers (items_change: integers), amounts >= 0", CRITICAL,
         "gongkai_validity", "cell", INTEGRITY_CHECKS),
    Rule("YEAR_RANGE", "report year within 2019..the year the document was loaded", CRITICAL, "gongkai_reports",
         "report", INTEGRITY_CHECKS),
    Rule("UNIQUENESS", "one current report per publisher and year", CRITICAL, "gongkai_reports", "report",
         INTEGRITY_CHECKS),
)}
BALANCING_RULES = tuple(code for code, r in RULES.items() if r.balancing)
FIRST_YEAR = 2019  # the first report year under the revised 条例 (国务院令第711号)


def rules_of(suite: str) -> tuple[Rule, ...]:
    """The catalogued rules a suite validates, in catalogue order."""
    return tuple(r for r in RULES.values() if r.suite == suite)
