"""Great Expectations Core 1.x suites, defined in code, validated in the warehouse.

Every check is computed once, by dbt, into a *check model* (``marts.fct_rule_checks`` for R1–R8,
``marts.fct_integrity_checks`` for the integrity checks; see :mod:`expectations.catalogue`): one row per
report × rule × scope with ``left_value``, ``right_value``, ``status`` and ``reason``. Each suite
validates the rows of its rules in its check model (a table asset of GX's Postgres datasource), so every
expectation is a query and memory stays flat whatever the number of reports.

Tri-state, the same for every rule: one ``ExpectColumnPairValuesToBeEqual(left_value, right_value)`` (as
:class:`ExpectRuleSidesToBeEqual`, which only renders its failures differently) per rule with ``ignore_row_if="either_value_is_missing"`` and the row condition
``rule_id == <rule> and cells_recovered == 0``. GX reports as *unexpected* exactly the rows whose two
sides are known and differ — **FAIL**; rows with a missing side (a cell not read) or relying on cells
recovered by the identities are left out — **UNCERTAIN**; the others **PASS**. The check run compares
these counts with the model's statuses and stops if they disagree.

Each expectation carries ``meta = {"rule", "severity", "title", "statement"}`` from the catalogue; the Data
Docs name every failing row by publisher, year, rule and scope (the form's label beside the code).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column as Col
from great_expectations.render import LegacyDiagnosticRendererType, RenderedTableContent
from great_expectations.render.renderer.renderer import renderer

from expectations.catalogue import RULES, Rule, rules_of, scope_label

# how the Data Docs and the results name a failing row: publisher, year, rule and scope (the check models'
# columns; GX returns them for every unexpected row)
ROW_NAMES = ["publisher_name", "report_year", "rule_id", "rule_scope"]
FAILURE_HEADER = ["发布机关 publisher", "年度 year", "规则 rule", "范围 scope", "左边 left side", "右边 right side"]


def _number(x) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return "—" if x is None else str(x)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def failure_rows(result: dict) -> list[list[str]]:
    """One row per failing check-model row of a validation result (COMPLETE, with ROW_NAMES as index
    columns): publisher, year, rule, scope (the form's label beside the code), both sides."""
    rows = []
    for u in result.get("unexpected_index_list") or []:
        if not isinstance(u, dict):
            continue
        rule, scope = str(u.get("rule_id") or ""), str(u.get("rule_scope") or "")
        label = scope_label(rule, scope)
        rows.append([str(u.get("publisher_name") or "—"), str(u.get("report_year") or "—"), rule,
                     f"{label} · {scope}" if label else scope, _number(u.get("left_value")),
                     _number(u.get("right_value"))])
    return rows


class ExpectRuleSidesToBeEqual(gxe.ExpectColumnPairValuesToBeEqual):
    """GX's ``ExpectColumnPairValuesToBeEqual``, validated the same way, whose Data Docs list every failing
    row by publisher, year, rule and scope with both sides (GX's own table groups the failures by their
    values and runs their names together)."""

    @classmethod
    @renderer(renderer_type=LegacyDiagnosticRendererType.UNEXPECTED_TABLE)
    def _diagnostic_unexpected_table_renderer(cls, configuration=None, result=None, runtime_configuration=None):
        res = (result.result if result is not None else None) or {}
        rows = failure_rows(res)
        if not rows:  # no index columns (another result format): GX's own table
            return super()._diagnostic_unexpected_table_renderer(
                configuration=configuration, result=result, runtime_configuration=runtime_configuration)
        shown = "" if len(rows) >= int(res.get("unexpected_count") or 0) else (
            f" (the first {len(rows)} of {res.get('unexpected_count')}: every one is in dq.rule_results)")
        return [RenderedTableContent(
            content_block_type="table", table=rows, header_row=FAILURE_HEADER,
            header={"content_block_type": "string_template",
                    "string_template": {"template": "Failing rows" + shown, "tag": "h6"}},
            styling={"body": {"classes": ["table-bordered", "table-sm", "mt-3", "gongkai-failures"]}})]


def tri_state_expectation(rule: Rule, years: Sequence[int] | None = None) -> ExpectRuleSidesToBeEqual:
    """left_value = right_value for the rows of `rule` (of report `years`, default all) that do not rely on
    recovered cells; rows with a missing side are ignored (UNCERTAIN)."""
    condition = (Col("rule_id") == rule.code) & (Col("cells_recovered") == 0)
    if years:
        condition = condition & Col("report_year").is_in([int(y) for y in years])
    return ExpectRuleSidesToBeEqual(
        column_A="left_value", column_B="right_value", ignore_row_if="either_value_is_missing",
        row_condition=condition,
        meta={"rule": rule.code, "severity": rule.severity, "title": rule.title, "statement": rule.statement},
        description=f"{rule.code} ({rule.severity}): {rule.statement} — {rule.title}",
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
