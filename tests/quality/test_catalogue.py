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
