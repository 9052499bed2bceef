"""Great Expectations Core 1.x suites for the balancing rules (format.md R1–R7) and the integrity
checks, defined in code: one builder function per suite, no YAML.

Every suite validates one pandas DataFrame built by ``gongkai.quality.frames`` (the frame named in
:data:`SUITES`). Every expectation carries ``meta = {"rule": …, "severity": …}`` so a validation
result maps back to a rule of ``gongkai.quality.model.RULES``.

Tri-state: the rule frames hold ``left`` and ``right`` as NaN whenever an input cell is null, and the
pair expectations use ``ignore_row_if="either_value_is_missing"``: GX lists as *unexpected* only the
rows where both sides are known and differ (FAIL); rows with a null side are UNCERTAIN; the rest PASS.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column as Col

from gongkai.quality.model import RULES


def _meta(rule: str, **extra) -> dict:
    return {"rule": rule, "severity": RULES[rule].severity, "title": RULES[rule].title, **extra}


def _pair_equal(rule: str) -> gxe.ExpectColumnPairValuesToBeEqual:
    return gxe.ExpectColumnPairValuesToBeEqual(
        column_A="left", column_B="right", ignore_row_if="either_value_is_missing",
        row_condition=Col("rule") == rule, meta=_meta(rule),
        description=f"{rule}: {RULES[rule].title}",
    )


def build_balancing_suite() -> gx.ExpectationSuite:
    """R1–R6 (critical): the printed identities, one expectation per rule over `balancing_frame`."""
    suite = gx.ExpectationSuite(name="gongkai_balancing")
    for rule in ("R1", "R2", "R3", "R4", "R5", "R6"):
        suite.add_expectation(_pair_equal(rule))
    return suite


def build_carry_over_suite() -> gx.ExpectationSuite:
    """R7 (warning): cross-year carry-over, over `carry_over_frame`."""
    suite = gx.ExpectationSuite(name="gongkai_carry_over")
    suite.add_expectation(_pair_equal("R7"))
    return suite


def build_completeness_suite() -> gx.ExpectationSuite:
    """Every cell of the report's format version has a row in fct_report_cells (`completeness_frame`)."""
    suite = gx.ExpectationSuite(name="gongkai_completeness")
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(
        column="found", meta=_meta("COMPLETENESS"),
        description="COMPLETENESS: every cell of the format version is present in fct_report_cells"))
    return suite


def build_validity_suite() -> gx.ExpectationSuite:
    """Counts are non-negative integers, `items_change` an integer, amounts ≥ 0 (`validity_frame`)."""
    suite = gx.ExpectationSuite(name="gongkai_validity")
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(
        column="value", min_value=0, row_condition=Col("kind").is_in(["count", "amount"]),
        meta=_meta("VALIDITY", check="non_negative"),
        description="VALIDITY: counts and amounts are >= 0"))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(
        column="fraction", value_set=[0.0], row_condition=Col("kind").is_in(["count", "change"]),
        meta=_meta("VALIDITY", check="integer"),
        description="VALIDITY: counts and items_change are integers"))
    return suite


def build_reports_suite(max_year: int | None = None) -> gx.ExpectationSuite:
    """Per report: year within 2019..`max_year` (default: this year); one current report per publisher
    and year (`reports_frame`)."""
    suite = gx.ExpectationSuite(name="gongkai_reports")
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(
        column="report_year_f", min_value=2019, max_value=max_year or date.today().year,
        meta=_meta("YEAR_RANGE"), description="YEAR_RANGE: report year within 2019..current year"))
    suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(
        column_list=["publisher", "report_year_f"], ignore_row_if="any_value_is_missing",
        meta=_meta("UNIQUENESS"), description="UNIQUENESS: one current report per publisher and year"))
    return suite


# suite name -> (builder, name of the frame function in gongkai.quality.frames)
SUITES: dict[str, tuple[Callable[[], gx.ExpectationSuite], str]] = {
    "gongkai_balancing": (build_balancing_suite, "balancing_frame"),
    "gongkai_carry_over": (build_carry_over_suite, "carry_over_frame"),
    "gongkai_completeness": (build_completeness_suite, "completeness_frame"),
    "gongkai_validity": (build_validity_suite, "validity_frame"),
    "gongkai_reports": (build_reports_suite, "reports_frame"),
}
