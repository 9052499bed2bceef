"""Migrations, dbt, the quality checks and the alert digest: what `gongkai migrate | transform | check`
run, and the steps of the `t_warehouse` DAG around its dbt task group.

A failing balancing rule is *data*, not a task failure: the checks record the results (``dq`` schema);
the DAG hands the digest to its alert task, which e-mails it through Airflow's SmtpNotifier, and
`gongkai check --email` sends it right away. A crash (the warehouse is down, a suite cannot run) raises,
and the DAG's failure notifier e-mails that instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gongkai.quality.alerts import AlertDeliveryError, Digest, render_digest, send_digest
from gongkai.quality.model import CheckRun
from gongkai.quality.recipients import alert_recipients
from gongkai.warehouse import dbt
from gongkai.warehouse import migrate as migrations
from gongkai.warehouse.db import connect
from gongkai.warehouse.migrate import migrated

# ---------------------------------------------------------------- schema


def migrate_step(url: str | None = None) -> list[str]:
    """Apply the pending warehouse migrations; return the names of those applied now."""
    with connect(url) as conn:
        applied = migrations.migrate(conn)
        conn.commit()
    return applied


def migration_status(url: str | None = None) -> list[tuple[str, datetime | None]]:
    """Every migration with the time it was applied (None: pending)."""
    with connect(url) as conn:
        return migrations.status(conn)


# ---------------------------------------------------------------- dbt


def transform_step(url: str | None = None, select: Sequence[str] | None = None, *, docs: bool = False,
                   full_refresh: bool = False, profiles_dir: str | Path | None = None,
                   target_path: str | Path | None = None) -> bool:
    """``dbt build`` (seeds, models, data and unit tests; `select`-ed nodes only when given; the incremental
    facts rebuilt whole with `full_refresh`) on the migrated warehouse, then ``dbt docs generate`` when
    `docs`; True when everything succeeded."""
    ok = dbt.dbt_build(url, list(select) if select else None, profiles_dir=profiles_dir, target_path=target_path,
                       full_refresh=full_refresh)
    if ok and docs:
        ok = dbt.dbt_docs(url, profiles_dir=profiles_dir, target_path=target_path)
    return ok


# ---------------------------------------------------------------- checks and alerts


@dataclass
class CheckOutcome:
    """A check run, and what became of its digest when it was to be e-mailed."""

    run: CheckRun
    digest: Digest | None = None            # None: nothing critical failed (or no e-mail was asked for)
    sent_to: list[str] = field(default_factory=list)
    delivery_error: str | None = None       # the digest could not be sent


def check(years: Sequence[int] | None = None, *, url: str | None = None, run_id: str | None = None,
          docs_dir: str | Path | None = None, build_docs: bool = True,
          progress: Callable[[str], None] | None = None, email_to: Sequence[str] | None = None,
          include_success: bool = False, conn_id: str = "smtp_default", sender: str | None = None,
          detail: str = "problems") -> CheckOutcome:
    """Run every quality suite over the check models (results written to ``dq``; `detail` says which of
    them the returned run holds, see :func:`gongkai.quality.runner.run_checks`). With `email_to`, e-mail
    the digest when a critical rule fails (always, with `include_success`); a delivery failure is reported
    in the outcome, after the results are safely recorded. Raises ``psycopg.errors.UndefinedTable`` when
    the marts are missing."""
    from gongkai.quality.runner import run_checks  # GX: imported when checks run

    with migrated(url) as conn:
        run = run_checks(conn, years=list(years) if years else None, run_id=run_id, docs_dir=docs_dir,
                         build_docs=build_docs, progress=progress, detail=detail)
    out = CheckOutcome(run)
    if email_to:
        out.digest = render_digest(run, include_success=include_success)
        if out.digest is not None:
            try:
                send_digest(out.digest, to=list(email_to), conn_id=conn_id, sender=sender)
                out.sent_to = list(email_to)
            except AlertDeliveryError as e:
                out.delivery_error = str(e)
    return out


def _digest_dict(digest: Digest | None) -> dict[str, str] | None:
    return None if digest is None else {k: v for k, v in asdict(digest).items() if k in ("subject", "text", "html")}


def checks_step(years: Sequence[int] | None = None, *, url: str | None = None, run_id: str | None = None) -> dict:
    """The DAG's checks task: :func:`check`, then, as an XCom, the counts per status, the critical
    failures (rule, publisher, year) and the rendered digest (None when nothing critical failed)."""
    run = check(years, url=url, run_id=run_id).run
    return {
        "run_id": run.run_id,
        "counts": run.counts(),
        "critical_failures": [
            {"rule": r.rule, "publisher": r.publisher, "report_year": r.report_year, "message": r.message}
            for r in run.critical_failures
        ],
        "docs_path": run.docs_path,
        "digest": _digest_dict(render_digest(run)),
    }


def alert_step(checks: dict[str, Any], *, to: Sequence[str] | None = None, conn_id: str = "smtp_default",
               sender: str | None = None) -> bool:
    """The DAG's alert task: e-mail the digest of :func:`checks_step` (to `to`, default
    ``$GONGKAI_ALERT_TO``) when there is one; return whether a message was sent. Raises when the SMTP
    server refuses it (the task then retries)."""
    digest = (checks or {}).get("digest")
    if not digest:
        return False
    send_digest(Digest(**digest), to=list(to or alert_recipients()), conn_id=conn_id, sender=sender)
    return True
