"""Great Expectations Core 1.x suites, defined in code, validated in the warehouse.

Every check is computed once, by dbt, into a *check model* (``marts.fct_rule_checks`` for R1–R8,
``marts.fct_integrity_checks`` for the integrity checks; see :mod:`expectations.catalogue`): one row per
report × rule × scope with ``left_value``, ``right_value``, ``status`` and ``reason``. Each suite
validates the rows of its rules in its check model (a table asset of GX's Postgres datasource), so every
expectation is a query and memory stays flat whatever the number of reports.

Tri-state, the same for every rule: one ``ExpectColumnPairValuesToBeEqual(left_value, right_value)`` per
rule with ``ignore_row_if="either_value_is_missing"`` and the row condition
``rule_id == <rule> and cells_recovered == 0``. GX reports as *unexpected* exactly the rows whose two
sides are known and differ — **FAIL**; rows with a missing side (a cell not read) or relying on cells
recovered by the identities are left out — **UNCERTAIN**; the others **PASS**. The check run compares
these counts with the model's statuses and stops if they disagree.

Each expectation carries ``meta = {"rule", "severity", "title"}`` from the catalogue; the Data Docs name
the failing rows by publisher, year and scope.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column as Col

from expectations.catalogue import RULES, Rule, rules_of

# how the Data Docs and the results name a failing row
ROW_NAMES = ["publisher_name", "report_year", "rule_scope"]


def tri_state_expectation(rule: Rule, years: Sequence[int] | None = None) -> gxe.ExpectColumnPairValuesToBeEqual:
    """left_value = right_value for the rows of `rule` (of report `years`, default all) that do not rely on
    recovered cells; rows with a missing side are ignored (UNCERTAIN)."""
    condition = (Col("rule_id") == rule.code) & (Col("cells_recovered") == 0)
    if years:
        condition = condition & Col("report_year").is_in([int(y) for y in years])
    return gxe.ExpectColumnPairValuesToBeEqual(
        column_A="left_value", column_B="right_value", ignore_row_if="either_value_is_missing",
        row_condition=condition,
        meta={"rule": rule.code, "severity": rule.severity, "title": rule.title},
        description=f"{rule.code} ({rule.severity}): {rule.title}",
    )


def build_suite(name: str, years: Sequence[int] | None = None) -> gx.ExpectationSuite:
    """The suite `name`: one tri-state expectation per catalogued rule of that suite (for report `years`)."""
    suite = gx.ExpectationSuite(name=name)
    for rule in rules_of(name):
        suite.add_expectation(tri_state_expectation(rule, years))
    return suite


def relation_of(name: str) -> str:
    """The check model a suite validates (all its rules are computed in one model)."""
    (relation,) = {r.relation for r in rules_of(name)}
    return relation


# The suites, in the order a check run validates them: every suite the catalogue names; each builder
# takes the report years to check (None: all).
SUITES: dict[str, Callable[..., gx.ExpectationSuite]] = {
    name: partial(build_suite, name) for name in dict.fromkeys(r.suite for r in RULES.values())
}
