"""Plain-text tables of rule results (CLI output and the plain-text digest). CJK-aware widths."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from gongkai.quality.model import FAIL, PASS, UNCERTAIN, CheckRun, RuleResult


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, w: int) -> str:
    return s + " " * max(0, w - width(s))


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    rows = [list(map(str, r)) for r in rows]
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


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


def results_table(run: CheckRun, *, show_pass: bool = False) -> str:
    """Per report: a summary line, then its rule results (non-PASS only unless `show_pass`)."""
    blocks = []
    for (year, publisher, _key), rs in report_groups(run.results).items():
        n = {s: sum(r.status == s for r in rs) for s in (PASS, FAIL, UNCERTAIN)}
        head = (f"{publisher or '(unknown publisher)'} {year or '(unknown year)'}: "
                f"{n[PASS]} pass, {n[FAIL]} fail, {n[UNCERTAIN]} uncertain")
        shown = [r for r in rs if show_pass or r.status != PASS]
        order = {FAIL: 0, UNCERTAIN: 1, PASS: 2}
        shown.sort(key=lambda r: (order[r.status], r.rule, r.rule_scope))
        if shown:
            body = table(["rule", "column", "status", "severity", "left", "right", "note"],
                         [[r.rule, r.rule_scope, r.status, r.severity, num(r.left_value), num(r.right_value),
                           (r.message or "")[:70]] for r in shown])
            blocks.append(head + "\n" + "\n".join("  " + ln for ln in body.splitlines()))
        else:
            blocks.append(head)
    c = run.counts()
    blocks.append(f"run {run.run_id}: {len(run.results)} results — {c[PASS]} pass, {c[FAIL]} fail, "
                  f"{c[UNCERTAIN]} uncertain; {len(run.critical_failures)} critical failures")
    return "\n\n".join(blocks)
