"""Data quality: the GX suites validate the check models in the warehouse, results go to the ``dq``
schema, alert digests are e-mailed. The rules are computed by dbt (``marts.fct_rule_checks``,
``marts.fct_integrity_checks``) and catalogued in ``expectations/catalogue.py``.

Public API (heavy imports — GX, Airflow — happen only when the functions run)::

    run_checks(conn, *, years=None, run_id=None, docs_dir=None, build_docs=True) -> CheckRun
    render_digest(run, *, include_success=False) -> Digest | None
    send_digest(digest, *, to, conn_id="smtp_default", sender=None) -> None   # raises on failure
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model imports the rule catalogue and the vocabulary: not at DAG parse time
    from gongkai.quality.model import CheckRun, RuleResult


def __getattr__(name: str):
    if name in ("CheckRun", "RuleResult"):
        from gongkai.quality import model

        return getattr(model, name)
    raise AttributeError(name)


def run_checks(conn, **kwargs) -> CheckRun:
    from gongkai.quality.runner import run_checks as _run

    return _run(conn, **kwargs)


def render_digest(run: CheckRun, **kwargs):
    from gongkai.quality.alerts import render_digest as _render

    return _render(run, **kwargs)


def send_digest(digest, **kwargs) -> None:
    from gongkai.quality.alerts import send_digest as _send

    return _send(digest, **kwargs)


__all__ = ["CheckRun", "RuleResult", "render_digest", "run_checks", "send_digest"]
