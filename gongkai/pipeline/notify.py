"""The DAGs' failure notifier, defined once: every gongkai DAG passes :func:`failure_notifier` as its
``on_failure_callback``, so a run that fails (a task that crashed after its retries) e-mails the alert
recipients through the connection ``smtp_default``. Failing balancing rules are data, not failures: they
go out as the digest of ``t_warehouse``, not through this notifier.

Cheap to import (a DAG file calls it when it is parsed): Airflow's SMTP provider only.
"""

from __future__ import annotations

from gongkai.quality.recipients import alert_recipients, alert_sender

SUBJECT = "[gongkai] {{ dag.dag_id }} failed: {{ ti.task_id if ti else 'run' }} ({{ run_id }})"
BODY = (
    "<p>The DAG <b>{{ dag.dag_id }}</b> failed in run <code>{{ run_id }}</code>.</p>"
    "<p>Task: <b>{{ ti.task_id if ti else '-' }}</b>. See the task log for the error.</p>"
)


def failure_notifier():
    """An SmtpNotifier e-mailing :data:`SUBJECT` / :data:`BODY` to ``GONGKAI_ALERT_TO``."""
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    return SmtpNotifier(to=alert_recipients(), from_email=alert_sender(), smtp_conn_id="smtp_default",
                        subject=SUBJECT, html_content=BODY)
