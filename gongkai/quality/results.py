"""Write check runs and rule results to the ``dq`` schema (migration 0010)."""

from __future__ import annotations

from gongkai.quality.model import CheckRun

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


def write_results(conn, run: CheckRun) -> int:
    """Insert every result of `run` (one transaction, COPY)."""
    checked_at = run.finished_at or run.started_at
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("delete from dq.rule_results where run_id = %s", (run.run_id,))
        with cur.copy(f"copy dq.rule_results ({', '.join(_COLUMNS)}) from stdin") as copy:
            for r in run.results:
                copy.write_row((run.run_id, checked_at, r.document_id, r.report_key, r.publisher,
                                r.report_year, r.rule, r.rule_scope, r.status, r.left_value, r.right_value,
                                r.severity, r.source_url, r.message))
    conn.commit()
    return len(run.results)


def finish_run(conn, run: CheckRun, status: str | None = None) -> None:
    if conn.info.transaction_status != 0:  # INERROR/INTRANS after a failure: start clean
        conn.rollback()
    c = run.counts()
    with conn.transaction():
        conn.execute(
            """update dq.check_runs set finished_at = now(), status = %s, results_total = %s,
                   results_pass = %s, results_fail = %s, results_uncertain = %s, critical_failures = %s,
                   docs_path = %s
               where run_id = %s""",
            (status or run.status, len(run.results), c["PASS"], c["FAIL"], c["UNCERTAIN"],
             len(run.critical_failures), run.docs_path, run.run_id))
    conn.commit()
