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

from dataclasses import dataclass, replace

from extractors import vocab

CRITICAL, WARNING = "critical", "warning"
FIRST_YEAR = 2019  # the first report year under the revised 条例 (国务院令第711号)

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
    statement: str = ""  # the rule in the form's Chinese (alerts, Data Docs), labels from the vocabulary


def _row(table: str, code: str) -> str:
    return ROW_LABELS[(table, code)]


def _col(table: str, code: str) -> str:
    return COLUMN_LABELS[(table, code)]


def _labels() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """{(table, row): label}, {(table, column): label} over both format versions; a numbered sub-row
    (1.属于国家秘密) and a 行政诉讼 row carry their group (（三）不予公开 1.属于国家秘密)."""
    rows: dict[tuple[str, str], str] = {}
    cols: dict[tuple[str, str], str] = {}
    for fv in vocab.FORMAT_VERSIONS:
        for block in vocab.BLOCKS[fv]:
            for r in block.rows:
                grouped = r.group and (r.label[:1].isdigit() or block.table == "review_litigation")
                rows.setdefault((block.table, r.code), f"{r.group} {r.label}" if grouped else r.label)
            for c in block.columns:
                cols.setdefault((block.table, c.code), c.label)
    return rows, cols


ROW_LABELS, COLUMN_LABELS = _labels()
_A, _RL = "applications", "review_litigation"
_PARTS = "、".join(_col(_RL, c) for c in vocab.RESULT_PARTS)
_APPLICANT_GROUP = next(c.group for c in vocab.APPLICANT_COLUMNS if c.group)
# The rules as the form states them, in its own words: R1 is printed in the header cell of table 三; the
# others are worded with the form's labels (extractors/vocab.py), never retyped. A rule without an entry
# here can give its `statement` itself.
STATEMENTS = {
    "R1": "第一项加第二项之和，等于第三项加第四项之和",  # as printed in the table's header cell
    "R2": f"{_row(_A, 'total_handled')}等于{_row(_A, 'granted')}至{_row(_A, vocab.OTHER_SINGLE_ROW)}各项之和",
    "R3": f"{_col(_A, 'total')}等于{_col(_A, 'natural_person')}与{_APPLICANT_GROUP}各项之和",
    **{code: f"{_row(_RL, row)}：{_col(_RL, 'total')}等于{_PARTS}之和" for code, row in (
        ("R4", "administrative_review"), ("R5", "litigation_direct"), ("R6", "litigation_after_review"))},
    "R7": f"本年“{_row(_A, 'carried_over')}”等于上年报告的“{_row(_A, 'carried_forward')}”",
    "R8": "报告正文中引用的数字等于表格中相应指标的数字",
    "COMPLETENESS": "报告格式的每个单元格都在记录中",
    "VALIDITY": "数量为非负整数（本年增/减为整数），金额不小于零",
    "YEAR_RANGE": f"报告年度在{FIRST_YEAR}年至入库年度之间",
    "UNIQUENESS": "同一机关同一年度只有一份现行报告",
}


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
RULES = {code: replace(r, statement=r.statement or STATEMENTS.get(code, "")) for code, r in RULES.items()}
BALANCING_RULES = tuple(code for code, r in RULES.items() if r.balancing)


def rules_of(suite: str) -> tuple[Rule, ...]:
    """The catalogued rules a suite validates, in catalogue order."""
    return tuple(r for r in RULES.values() if r.suite == suite)


def scope_label(rule: str, scope: str | None) -> str:
    """The form's Chinese label of what a result's `scope` names (自然人, 行政复议, （七）总计 …), or ""
    when it names no cell of the form (a whole report)."""
    kind = RULES[rule].scope if rule in RULES else ""
    if not scope:
        return ""
    if kind == "applications column":
        return COLUMN_LABELS.get((_A, scope), "")
    if kind == "applications row":
        return ROW_LABELS.get((_A, scope), "")
    if kind == "proceeding":
        return ROW_LABELS.get((_RL, scope), "")
    if kind == "cell" and scope.count(".") == 2:
        table, row, column = scope.split(".")
        if (table, row) in ROW_LABELS and (table, column) in COLUMN_LABELS:
            return f"{ROW_LABELS[(table, row)]} · {COLUMN_LABELS[(table, column)]}"
    return ""
