"""Steps of the `t_warehouse` DAG around dbt: the balancing-rule checks and the alert digest.

A failing balancing rule is *data*, not a task failure: the checks task records the results (``dq``
schema) and hands the digest to the alert task, which e-mails it through Airflow's SmtpNotifier. A
crash (the warehouse is down, a suite cannot run) fails the task, and the DAG's failure notifier
e-mails that instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from gongkai.pipeline.ingest import _need, warehouse

DEFAULT_ALERT_TO = "gongkai-alerts@localhost"
DEFAULT_ALERT_FROM = "gongkai@localhost"


def alert_recipients() -> list[str]:
    """``GONGKAI_ALERT_TO`` (comma-separated), default gongkai-alerts@localhost."""
    raw = os.environ.get("GONGKAI_ALERT_TO", DEFAULT_ALERT_TO)
    return [a.strip() for a in raw.split(",") if a.strip()]


def alert_sender() -> str:
    return os.environ.get("GONGKAI_ALERT_FROM", DEFAULT_ALERT_FROM)


def _digest_dict(digest: Any) -> dict[str, str] | None:
    if digest is None:
        return None
    if is_dataclass(digest):
        d = asdict(digest)
    elif isinstance(digest, dict):
        d = dict(digest)
    else:
        d = {k: getattr(digest, k) for k in ("subject", "text", "html")}
    return {k: d.get(k) for k in ("subject", "text", "html")}


def checks_step(years: Sequence[int] | None = None, *, url: str | None = None, run_id: str | None = None) -> dict:
    """Run every quality suite over the marts (results written to ``dq``); return the counts per status,
    the critical failures (rule, publisher, year) and the rendered digest (None when nothing critical)."""
    run_checks = _need("gongkai.quality", "run_checks")
    render_digest = _need("gongkai.quality", "render_digest")
    with warehouse(url) as conn:
        run = run_checks(conn, years=list(years) if years else None, run_id=run_id)
        conn.commit()
    crit = run.critical_failures
    return {
        "run_id": run.run_id,
        "counts": run.counts() if hasattr(run, "counts") else {},
        "critical_failures": [
            {"rule": r.rule, "publisher": r.publisher, "report_year": r.report_year, "message": r.message}
            for r in crit
        ],
        "docs_path": getattr(run, "docs_path", None),
        "digest": _digest_dict(render_digest(run)) if crit else None,
    }


def alert_step(checks: dict, *, to: Sequence[str] | None = None, conn_id: str = "smtp_default",
               sender: str | None = None) -> bool:
    """E-mail the digest when the checks found critical failures; return whether a message was sent.
    Raises when the SMTP server refuses it (the task then retries)."""
    digest = (checks or {}).get("digest")
    if not digest:
        return False
    Digest = _need("gongkai.quality.alerts", "Digest")
    send_digest = _need("gongkai.quality", "send_digest")
    send_digest(Digest(**digest), to=list(to or alert_recipients()), conn_id=conn_id,
                sender=sender or alert_sender())
    return True


def dbt_project_dir() -> Path:
    """The dbt project (``gongkai.transform.DBT_PROJECT_DIR``, else ``<repo>/dbt_project``)."""
    try:
        from gongkai.transform import DBT_PROJECT_DIR

        return Path(DBT_PROJECT_DIR)
    except ImportError:
        return Path(__file__).resolve().parents[2] / "dbt_project"


MANIFEST_ENV = "GONGKAI_DBT_MANIFEST"


def dbt_parse(target_dir: Path | str) -> Path:
    """`dbt parse` of the dbt project into `target_dir` (offline: no database connection, the committed
    env-var profile ``dbt_project/profiles.yml``); returns the manifest.json path. The t_warehouse DAG
    renders its dbt task group from this manifest when ``$GONGKAI_DBT_MANIFEST`` points at it."""
    import subprocess
    import sys
    from pathlib import Path

    project = dbt_project_dir()
    target = Path(target_dir).resolve()
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [str(dbt) if dbt.exists() else "dbt", "parse", "--project-dir", str(project), "--profiles-dir",
           str(project), "--target-path", str(target), "--log-path", str(target / "logs"), "--quiet"]
    env = dict(os.environ, DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    manifest = target / "manifest.json"
    if proc.returncode != 0 or not manifest.exists():
        raise RuntimeError(f"dbt parse failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return manifest
