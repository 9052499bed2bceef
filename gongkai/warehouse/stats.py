"""Planner statistics: ANALYZE a table as soon as its contents have moved enough to mislead the planner.

Autovacuum analyzes a table some time after it changed; the models and checks that read it run right
after a load, and on a freshly loaded table a plan built for "one row" can take minutes instead of a
fraction of a second (at 1,000 reports two models went from 0.2 s to 15 s). The loader and the check
run call :func:`refresh_statistics` when they finish; it is cheap when nothing moved (one catalogue
query), and ANALYZE samples a bounded number of rows whatever the table size.
"""

from __future__ import annotations

from collections.abc import Sequence

RAW_TABLES = ("raw.documents", "raw.cells", "raw.claims", "raw.extraction_issues", "raw.quarantine")
RESULT_TABLES = ("dq.check_runs", "dq.rule_results", "dq.report_summaries")

# a table is re-analyzed when it grew, or had rows inserted/updated/deleted, by more than this
# fraction since its last ANALYZE (autovacuum's default scale factor)
CHANGED_FRACTION = 0.1


def stale_tables(conn, tables: Sequence[str], fraction: float = CHANGED_FRACTION) -> list[str]:
    """The tables among `tables` (schema-qualified) whose statistics are missing or stale: never
    analyzed, grown by more than `fraction` of their pages, or with more than `fraction` of their
    rows modified since the last ANALYZE."""
    rows = conn.execute(
        """select t.name,
                  c.reltuples < 0 or c.relpages = 0
                  or pg_relation_size(c.oid) / current_setting('block_size')::int
                     > c.relpages * (1 + %(f)s)
                  or coalesce(s.n_mod_since_analyze, 0) > %(f)s * greatest(c.reltuples, 1)
           from unnest(%(tables)s::text[]) as t (name)
           join pg_class c on c.oid = to_regclass(t.name)
           left join pg_stat_user_tables s on s.relid = c.oid""",
        {"tables": list(tables), "f": fraction}).fetchall()
    return [name for name, stale in rows if stale]


def refresh_statistics(conn, tables: Sequence[str] = RAW_TABLES, fraction: float = CHANGED_FRACTION) -> list[str]:
    """ANALYZE the stale ones among `tables` (missing tables are skipped); return the tables analyzed.
    Runs in its own transaction (a savepoint when the caller has one open)."""
    with conn.transaction():
        stale = stale_tables(conn, tables, fraction)
        for name in stale:
            conn.execute(f"analyze {name}")
    return stale
