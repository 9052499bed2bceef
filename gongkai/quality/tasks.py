"""One call for an orchestrator task: run the checks, send the digest, fail on a critical rule.

    from gongkai.quality.tasks import check_and_alert
    summary = check_and_alert(to=["ops@example.org"])   # inside an Airflow @task

The digest goes out **before** the task fails, and a failure to send raises (AlertDeliveryError), so
the task fails loudly either way. The return value is small and JSON-serialisable (an XCom).
"""

from __future__ import annotations

from collections.abc import Sequence

from gongkai.quality.model import CheckRun


class CriticalRuleFailure(RuntimeError):
    """A critical data-quality rule failed (raised after the digest has been sent)."""

    def __init__(self, run: CheckRun, subject: str | None):
        self.run = run
        super().__init__(subject or f"{len(run.critical_failures)} critical rule failures in run {run.run_id}")


def check_and_alert(*, url: str | None = None, years: Sequence[int] | None = None,
                    to: str | Sequence[str] | None = None, conn_id: str = "smtp_default",
                    sender: str | None = None, include_success: bool = False,
                    fail_on_critical: bool = True, build_docs: bool = True) -> dict:
    """Run the checks on the warehouse at `url` (default: WAREHOUSE_URL / embedded), e-mail the digest to
    `to` (default: GONGKAI_ALERT_TO; no e-mail when empty) and raise CriticalRuleFailure when a critical
    rule fails and `fail_on_critical`."""
    from gongkai.quality.alerts import recipients_from_env, render_digest, send_digest
    from gongkai.quality.runner import run_checks
    from gongkai.warehouse.db import connect

    with connect(url) as conn:
        run = run_checks(conn, years=years, build_docs=build_docs)
    digest = render_digest(run, include_success=include_success)
    recipients = list(to) if to and not isinstance(to, str) else (
        [a.strip() for a in to.split(",") if a.strip()] if to else recipients_from_env())
    sent = False
    if digest is not None and recipients:
        send_digest(digest, to=recipients, conn_id=conn_id, sender=sender)
        sent = True
    counts = run.counts()
    summary = {"run_id": run.run_id, "status": run.status, "results": len(run.results),
               "pass": counts["PASS"], "fail": counts["FAIL"], "uncertain": counts["UNCERTAIN"],
               "critical_failures": len(run.critical_failures), "digest_sent": sent,
               "subject": digest.subject if digest else None, "docs_path": run.docs_path}
    if fail_on_critical and run.critical_failures:
        raise CriticalRuleFailure(run, digest.subject if digest else None)
    return summary
