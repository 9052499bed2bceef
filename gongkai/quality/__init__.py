"""Data quality: GX suites for the balancing rules, results in the ``dq`` schema, alert digests.

Public API (heavy imports — GX, Airflow — happen only when the functions run)::

    run_checks(conn, *, years=None, run_id=None, docs_dir=None, build_docs=True) -> CheckRun
    check_marts(marts, *, years=None, docs_dir=None) -> (list[RuleResult], docs_index | None)
    render_digest(run, *, include_success=False) -> Digest | None
    send_digest(digest, *, to, conn_id="smtp_default", sender=None) -> None   # raises on failure
"""

from __future__ import annotations

from gongkai.quality.model import CheckRun, RuleResult


def run_checks(conn, **kwargs) -> CheckRun:
    from gongkai.quality.runner import run_checks as _run

    return _run(conn, **kwargs)


def check_marts(marts, **kwargs):
    from gongkai.quality.runner import check_marts as _check

    return _check(marts, **kwargs)


def render_digest(run: CheckRun, **kwargs):
    from gongkai.quality.alerts import render_digest as _render

    return _render(run, **kwargs)


def send_digest(digest, **kwargs) -> None:
    from gongkai.quality.alerts import send_digest as _send

    return _send(digest, **kwargs)


__all__ = ["CheckRun", "RuleResult", "check_marts", "render_digest", "run_checks", "send_digest"]
