"""Plain-text tables of rule results (CLI output and the plain-text digest). CJK-aware widths."""

from __future__ import annotations

from collections.abc import Iterable

from gongkai.quality.model import FAIL, PASS, UNCERTAIN, CheckRun, RuleResult
from gongkai.termtable import table


def num(x: float | None) -> str:
    if x is None:
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def report_groups(results: Iterable[RuleResult]) -> dict[tuple, list[RuleResult]]:
    """Results grouped per report, ordered by year, publisher."""
    groups: dict[tuple, list[RuleResult]] = {}
    for r in results:
        groups.setdefault((r.report_year or 0, r.publisher or "", r.report_key or ""), []).append(r)
    return dict(sorted(groups.items()))


NOTE_WIDTH = 70


def _note(message: str | None) -> str:
    m = message or ""
    return m if len(m) <= NOTE_WIDTH else m[:NOTE_WIDTH - 1] + "…"


def _scopes(scopes: list[str], most: int = 2) -> str:
    """``(7) granted, partially_granted, …``: how many, and the first `most` of them."""
    return f"({len(scopes)}) " + ", ".join(scopes[:most]) + (", …" if len(scopes) > most else "")


def result_rows(results: list[RuleResult]) -> list[list[str]]:
    """Table rows for one report's results, in the order given: a FAIL has a row of its own (its figures
    are its own); the other results of one rule with one status and one note — the UNCERTAIN rows of a
    report with a blank section, typically — share one row naming their columns."""
    groups: dict[tuple, list[RuleResult]] = {}
    for r in results:
        key = (r.rule, r.status, r.message, id(r)) if r.status == FAIL else (r.rule, r.status, r.message)
        groups.setdefault(key, []).append(r)
    rows = []
    for rs in groups.values():
        r = rs[0]
        left = r.left_value if len({x.left_value for x in rs}) == 1 else None
        right = r.right_value if len({x.right_value for x in rs}) == 1 else None
        scope = r.rule_scope if len(rs) == 1 else _scopes([x.rule_scope for x in rs])
        rows.append([r.rule, scope, r.status, r.severity, num(left), num(right), _note(r.message)])
    return rows


def results_table(run: CheckRun, *, show_pass: bool = False) -> str:
    """Per report with results loaded: a summary line, then its rule results (non-PASS only unless
    `show_pass`); then the run's totals. Reports whose every rule passes are counted, not listed, unless
    the run loaded every result (detail "all")."""
    blocks = []
    with_pass = run.detail == "all"
    for (year, publisher, _key), rs in report_groups(run.results).items():
        n = {s: sum(r.status == s for r in rs) for s in (PASS, FAIL, UNCERTAIN)}
        head = (f"{publisher or '(unknown publisher)'} {year or '(unknown year)'}: "
                + (f"{n[PASS]} pass, " if with_pass else "") + f"{n[FAIL]} fail, {n[UNCERTAIN]} uncertain")
        shown = [r for r in rs if show_pass or r.status != PASS]
        order = {FAIL: 0, UNCERTAIN: 1, PASS: 2}
        shown.sort(key=lambda r: (order[r.status], r.rule, r.rule_scope))
        if shown:
            body = table(["rule", "column", "status", "severity", "left", "right", "note"], result_rows(shown))
            blocks.append(head + "\n" + "\n".join("  " + ln for ln in body.splitlines()))
        else:
            blocks.append(head)
    c = run.counts()
    if run.problems_not_loaded:
        blocks.append(f"… and {run.problems_not_loaded} more FAIL/UNCERTAIN results not listed (all are in "
                      f"dq.rule_results, run_id = '{run.run_id}')")
    blocks.append(f"run {run.run_id}: {run.report_count()} reports, {run.total} results — {c[PASS]} pass, "
                  f"{c[FAIL]} fail, {c[UNCERTAIN]} uncertain; {len(run.critical_failures)} critical failures")
    return "\n\n".join(blocks)
