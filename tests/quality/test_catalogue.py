"""The rule catalogue and the suites in expectations/: self-contained (no import from gongkai.quality),
every rule in exactly one suite, every suite on one check model."""

from __future__ import annotations

import ast
from pathlib import Path

from expectations import catalogue, suites

EXPECTATIONS = Path(catalogue.__file__).parent


def test_expectations_do_not_import_gongkai():
    for path in EXPECTATIONS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if m.startswith("gongkai")], f"{path.name} imports {imported}"


def test_each_suite_validates_its_catalogued_rules():
    import great_expectations as gx

    gx.get_context(mode="ephemeral")  # a suite is built in a context (alone, this test had none)
    assert list(suites.SUITES) == ["gongkai_balancing", "gongkai_carry_over", "gongkai_prose",
                                   "gongkai_completeness", "gongkai_validity", "gongkai_reports"]
    seen = []
    for name, build in suites.SUITES.items():
        suite = build()
        rules = [e.meta["rule"] for e in suite.expectations]
        assert rules == [r.code for r in catalogue.rules_of(name)]
        assert suites.relation_of(name) in (catalogue.RULE_CHECKS, catalogue.INTEGRITY_CHECKS)
        seen += rules
    assert sorted(seen) == sorted(catalogue.RULES)


def test_balancing_rules_are_the_critical_printed_identities():
    assert catalogue.BALANCING_RULES == ("R1", "R2", "R3", "R4", "R5", "R6")
    assert all(catalogue.RULES[r].severity == catalogue.CRITICAL for r in catalogue.BALANCING_RULES)
    assert catalogue.RULES["R7"].severity == catalogue.WARNING
    assert catalogue.RULES["R8"].severity == catalogue.WARNING and not catalogue.RULES["R8"].balancing


def test_every_rule_is_stated_in_the_forms_chinese_with_the_vocabularys_labels():
    from extractors import vocab

    for rule in catalogue.RULES.values():
        assert rule.statement and any("\u4e00" <= ch <= "\u9fff" for ch in rule.statement), rule.code
    assert catalogue.RULES["R1"].statement == "第一项加第二项之和，等于第三项加第四项之和"  # table 三's header
    total_handled = next(c.row_label for c in vocab.cells("2021") if c.row == "total_handled")
    assert catalogue.RULES["R2"].statement.startswith(total_handled)
    assert catalogue.scope_label("R1", "natural_person") == "自然人"
    assert catalogue.scope_label("R5", "litigation_direct") == "行政诉讼 未经复议直接起诉"
    assert catalogue.scope_label("R3", "withheld_state_secret") == "（三）不予公开 1.属于国家秘密"
    assert catalogue.scope_label("VALIDITY", "applications.granted.total") == "（一）予以公开 · 总计"
    assert catalogue.scope_label("UNIQUENESS", "report") == ""
