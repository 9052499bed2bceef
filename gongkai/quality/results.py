"""The ``dq`` schema (migrations 0010, 0011): check runs, their rule results and per-report summaries,
written and read in the warehouse. Results go from the check models to ``dq.rule_results`` in one ``insert … select`` (nothing
passes through Python), so a run's memory does not grow with the number of reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from expectations.catalogue import CRITICAL, RULE_CHECKS, RULES, WARNING, Rule
from gongkai.quality.model import FAIL, PASS, STATUSES, UNCERTAIN, CheckRun, RuleResult, Term
from gongkai.warehouse.stats import RESULT_TABLES, refresh_statistics

REPORTS = "marts.rpt_report_overview"  # source_url of each report
RULE_TERMS = "intermediate.int_rule_terms"  # the cells each side of each rule adds up (dbt)
CELLS = "marts.fct_report_cells"  # every cell of the current reports, with its page
_COLUMNS = ("run_id", "checked_at", "document_id", "report_key", "publisher", "report_year", "rule",
            "rule_scope", "status", "left_value", "right_value", "severity", "source_url", "message")


def ensure_schema(conn) -> None:
    """Apply pending migrations (creates dq.* when missing)."""
    from gongkai.warehouse.migrate import migrate

    migrate(conn)
    conn.commit()


def start_run(conn, run: CheckRun) -> None:
    ensure_schema(conn)
    with conn.transaction():
        conn.execute("insert into dq.check_runs (run_id, started_at, years, status) values (%s, %s, %s, 'running')",
                     (run.run_id, run.started_at, run.years))
    conn.commit()


def years_condition(years: Sequence[int] | None, alias: str = "") -> str:
    """SQL restricting a check model to report `years` (integers, inlined) — empty for every year."""
    if not years:
        return ""
    return f" and {alias}report_year = any(array[{', '.join(str(int(y)) for y in years)}]::integer[])"


def copy_results(conn, run: CheckRun, relation: str, rules: Sequence[Rule], checked_at: datetime) -> int:
    """Insert the rows of `rules` from the check model `relation` (for the run's years) as results of
    `run`, with each rule's severity and the report's source URL. Runs in the caller's transaction."""
    sql = f"""
        insert into dq.rule_results ({', '.join(_COLUMNS)})
        select %(run_id)s, %(checked_at)s, c.document_id, c.report_key, c.publisher_name, c.report_year,
               c.rule_id, c.rule_scope, c.status, c.left_value, c.right_value, catalogue.severity,
               reports.source_url, c.reason
        from {relation} as c
        inner join unnest(%(codes)s::text[], %(severities)s::text[]) as catalogue (rule_id, severity)
            on c.rule_id = catalogue.rule_id
        left join {REPORTS} as reports on c.report_key = reports.report_key
        where true{years_condition(run.years, "c.")}"""
    cur = conn.execute(sql, {"run_id": run.run_id, "checked_at": checked_at, "codes": [r.code for r in rules],
                             "severities": [r.severity for r in rules]})
    return cur.rowcount


def summarize(conn, run_id: str) -> None:
    """One dq.report_summaries row per publisher × report year of the run (what marts.dq_rule_summary
    shows): counted per report and rule first, so no sort of every result row. In the caller's
    transaction."""
    conn.execute("""
        insert into dq.report_summaries
        select run_id, publisher, report_year, max(checked_at), count(distinct report_key), sum(n),
               sum(n_pass), sum(n_fail), sum(n_uncertain), sum(n_critical), sum(n_warning),
               string_agg(distinct rule, ', ' order by rule) filter (where n_fail > 0)
        from (select run_id, publisher, report_year, report_key, rule, max(checked_at) as checked_at,
                     count(*) as n, count(*) filter (where status = 'PASS') as n_pass,
                     count(*) filter (where status = 'FAIL') as n_fail,
                     count(*) filter (where status = 'UNCERTAIN') as n_uncertain,
                     count(*) filter (where status = 'FAIL' and severity = 'critical') as n_critical,
                     count(*) filter (where status = 'FAIL' and severity = 'warning') as n_warning
              from dq.rule_results where run_id = %(run)s
              group by run_id, publisher, report_year, report_key, rule) as per_rule
        group by run_id, publisher, report_year""", {"run": run_id})


def status_counts(conn, run_id: str) -> dict[str, dict[str, int]]:
    """{rule: {status: n}} of a run's stored results."""
    out: dict[str, dict[str, int]] = {}
    for rule, status, n in conn.execute(
            "select rule, status, count(*) from dq.rule_results where run_id = %s group by 1, 2", (run_id,)):
        out.setdefault(rule, dict.fromkeys(STATUSES, 0))[status] = n
    return out


def finish_run(conn, run: CheckRun, status: str | None = None) -> None:
    """Record the run's outcome, totals and the report years it checked; refresh the dq statistics."""
    if conn.info.transaction_status != 0:  # INERROR/INTRANS after a failure: start clean
        conn.rollback()
    c = run.counts()
    with conn.transaction():
        conn.execute(
            """update dq.check_runs set finished_at = now(), status = %s, results_total = %s,
                   results_pass = %s, results_fail = %s, results_uncertain = %s, critical_failures = %s,
                   docs_path = %s,
                   -- every year with results, null included (marts.dq_rule_summary ranks runs per year)
                   report_years = (select array_agg(distinct report_year) from dq.rule_results
                                   where run_id = %s)
               where run_id = %s""",
            (status or run.status, run.total, c[PASS], c[FAIL], c[UNCERTAIN], len(run.critical_failures),
             run.docs_path, run.run_id, run.run_id))
    conn.commit()
    refresh_statistics(conn, RESULT_TABLES)


def reports_and_years(conn, run_id: str) -> tuple[int, list[int]]:
    """How many reports a run checked, and their report years."""
    n, years = conn.execute("""select count(distinct report_key),
                                      array_agg(distinct report_year) filter (where report_year is not null)
                               from dq.rule_results where run_id = %s""", (run_id,)).fetchone()
    return n, sorted(years or [])


def load_results(conn, run_id: str, statuses: Sequence[str] = STATUSES,
                 severities: Sequence[str] = (CRITICAL, WARNING), limit: int | None = None) -> list[RuleResult]:
    """Stored results of a run with the given statuses and severities, ordered by year, publisher, rule
    and scope (the first `limit`)."""
    sql = f"""select rule, rule_scope, status, report_key, document_id, publisher, report_year,
                     left_value, right_value, source_url, message, severity
              from dq.rule_results where run_id = %s and status = any(%s) and severity = any(%s)
              order by report_year nulls last, publisher nulls last, report_key, rule, rule_scope
              {'limit %s' if limit is not None else ''}"""
    params = (run_id, list(statuses), list(severities), *([limit] if limit is not None else []))
    return [RuleResult(rule=r[0], rule_scope=r[1], status=r[2], report_key=r[3], document_id=r[4],
                       publisher=r[5], report_year=r[6], left_value=_f(r[7]), right_value=_f(r[8]),
                       source_url=r[9], message=r[10], severity=r[11])
            for r in conn.execute(sql, params)]


def _f(x) -> float | None:
    return None if x is None else float(x)


def attach_details(conn, results: Sequence[RuleResult]) -> None:
    """For people reading about `results` (the digest's critical failures, a handful): the landing store's
    copy of each document, and for the rules computed from cells the cells of each side with their
    values and pages — kept only when they add up to the sides the model stored (never a breakdown
    that disagrees with the figures it explains)."""
    docs = sorted({r.document_id for r in results if r.document_id is not None})
    if not docs:
        return
    landing = dict(conn.execute("select document_id, landing_path from raw.documents where document_id = any(%s)",
                                (docs,)).fetchall())
    cells = [r for r in results if r.document_id is not None and RULES.get(r.rule) is not None
             and RULES[r.rule].relation == RULE_CHECKS]
    found: dict[tuple, list[tuple]] = {}
    if cells:
        rows = conn.execute(f"""
            select k.document_id, k.rule_id, k.rule_scope, t.variant, t.side, t.table_code, t.row_code,
                   t.column_code, c.value, c.page, t.years_back
            from unnest(%s::bigint[], %s::text[], %s::text[]) as f (document_id, rule_id, rule_scope)
            inner join {RULE_CHECKS} as k
                on k.document_id = f.document_id and k.rule_id = f.rule_id and k.rule_scope = f.rule_scope
            inner join {RULE_TERMS} as t
                on t.format_version = k.format_version and t.rule_id = k.rule_id and t.rule_scope = k.rule_scope
            left join {CELLS} as c
                on c.document_id = case when t.years_back = 1 then k.compared_document_id else k.document_id end
                and c.table_code = t.table_code and c.row_code = t.row_code and c.column_code = t.column_code
            order by t.term_order, t.years_back""",
            ([r.document_id for r in cells], [r.rule for r in cells], [r.rule_scope for r in cells])).fetchall()
        for row in rows:
            found.setdefault(row[:3], []).append(row[3:])
    for r in results:
        r.landing_path = landing.get(r.document_id)
        terms = found.get((r.document_id, r.rule, r.rule_scope))
        if terms:
            r.terms = _agreeing_terms(terms, r.left_value, r.right_value)


def _agreeing_terms(rows: list[tuple], left: float | None, right: float | None) -> tuple[Term, ...]:
    """The terms of the way of printing （六）其他处理 ('any' terms plus one variant's) whose sides add up to
    `left` and `right`; () when none does."""
    variants = sorted({v for (v, *_rest) in rows} - {"any"}) or ["any"]
    for variant in variants:
        terms = tuple(Term(side, table, row, column, _f(value), page, years_back)
                      for (v, side, table, row, column, value, page, years_back) in rows if v in ("any", variant))

        def total(side: str, terms: tuple[Term, ...] = terms) -> float | None:
            values = [t.value for t in terms if t.side == side]
            return None if None in values else sum(values)

        if (total("left"), total("right")) == (left, right):
            return terms
    return ()
