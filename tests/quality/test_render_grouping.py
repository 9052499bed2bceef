"""`gongkai check`'s table: a report's UNCERTAIN results of one rule with one note are one row naming
their columns, not one row each; a FAIL keeps its own row (its figures are its own)."""

from __future__ import annotations

from datetime import UTC, datetime

from gongkai.quality.model import FAIL, PASS, UNCERTAIN, CheckRun, RuleResult
from gongkai.quality.render import result_rows, results_table

COLUMNS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total"]


def _result(rule: str, scope: str, status: str, message: str, left=None, right=None) -> RuleResult:
    return RuleResult(rule=rule, rule_scope=scope, status=status, publisher="兴庆区通贵乡人民政府", report_year=2020,
                      report_key="k", left_value=left, right_value=right, message=message)


def test_uncertain_results_of_a_rule_share_one_row():
    rs = [_result("R1", c, UNCERTAIN, "blank or missing: total_handled, carried_forward", left=0) for c in COLUMNS]
    rs += [_result("R2", c, UNCERTAIN, "blank or missing: 20 cells") for c in COLUMNS]
    rows = result_rows(rs)
    assert len(rows) == 2
    assert rows[0][:3] == ["R1", "(7) natural_person, commercial_enterprise, …", UNCERTAIN]
    assert rows[0][4:] == ["0", "—", "blank or missing: total_handled, carried_forward"]  # the same left: shown


def test_failures_keep_their_rows_and_different_notes_are_not_merged():
    rs = [_result("R1", "natural_person", FAIL, "5 ≠ 0", 5, 0), _result("R1", "total", FAIL, "5 ≠ 0", 5, 0),
          _result("R3", "granted", UNCERTAIN, "blank or missing: total"),
          _result("R3", "total_handled", UNCERTAIN, "blank or missing: natural_person")]
    rows = result_rows(rs)
    assert [(r[0], r[1]) for r in rows] == [("R1", "natural_person"), ("R1", "total"), ("R3", "granted"),
                                            ("R3", "total_handled")]


def test_the_report_block_is_short():
    rs = [_result(rule, c, UNCERTAIN, f"blank or missing: {rule}") for rule in ("R1", "R2", "R3") for c in COLUMNS]
    rs += [_result("R4", "administrative_review", PASS, "")]
    run = CheckRun(run_id="r", started_at=datetime.now(UTC), results=rs)
    text = results_table(run)
    block = text.split("\n\n")[0].splitlines()
    assert block[0].startswith("兴庆区通贵乡人民政府 2020:") and "21 uncertain" in block[0]
    assert len(block) == 1 + 2 + 3  # the report's line, the header and its rule, one row per rule
