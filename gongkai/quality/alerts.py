"""The alert digest: one e-mail per check run when a critical rule fails, sent through Airflow's
``SmtpNotifier`` (explicit connection and sender). Sending failures raise — never swallowed.

Usable from the CLI (``gongkai check --email``) and from an Airflow task alike: the SMTP connection is
resolved by Airflow (``AIRFLOW_CONN_SMTP_DEFAULT`` works without a metadata database).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from expectations.catalogue import BALANCING_RULES, RULES
from gongkai.quality.model import CheckRun, RuleResult
from gongkai.quality.recipients import addresses, alert_sender
from gongkai.quality.render import num, report_groups, table


class AlertDeliveryError(RuntimeError):
    """The digest could not be sent."""


@dataclass
class Digest:
    subject: str
    text: str
    html: str
    failures: list[RuleResult] = field(default_factory=list)


def _years_label(years: list[int]) -> str:
    if not years:
        return "unknown year"
    if len(years) <= 3:
        return ", ".join(map(str, years))
    return f"{years[0]}–{years[-1]}"


def _names(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" +{len(names) - limit} more" if len(names) > limit else "")


def _subject(run: CheckRun) -> str:
    fails = run.critical_failures
    groups = report_groups(fails)
    if not fails:
        years = run.report_years or sorted({r.report_year for r in run.results if r.report_year})
        return f"[gongkai] {_years_label(years)}: all {run.report_count()} reports pass balancing"
    years = sorted({y for (y, _p, _k) in groups if y})
    n = len(groups)
    what = "balancing" if all(r.rule in BALANCING_RULES for r in fails) else "critical checks"
    verb = "fails" if n == 1 else "fail"
    names = [p or "(unknown publisher)" for (_y, p, _k) in groups]
    return f"[gongkai] {_years_label(years)}: {n} report{'s' if n != 1 else ''} {verb} {what} ({_names(names)})"


HEADER = ["publisher", "year", "rule", "column", "left side", "right side", "source"]


def _rows(fails: Iterable[RuleResult]) -> list[list[str]]:
    return [[r.publisher or "", str(r.report_year or ""), r.rule, r.rule_scope, num(r.left_value),
             num(r.right_value), r.source_url or ""] for r in fails]


def _ordered(fails: list[RuleResult]) -> list[RuleResult]:
    return sorted(fails, key=lambda r: (r.report_year or 0, r.publisher or "", r.rule, r.rule_scope))


def _legend(fails: list[RuleResult]) -> str:
    codes = sorted({r.rule for r in fails}, key=list(RULES).index)
    return "Rules (left side = right side):\n" + "\n".join(f"  {c}: {RULES[c].title}" for c in codes)


def header_safe(value: str) -> str:
    """A value fit for an e-mail header: control characters (CR/LF above all, which would end the
    header or inject another) become spaces. Non-ASCII text is encoded by the mail library (RFC 2047)."""
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", value)).strip()


def render_digest(run: CheckRun, *, include_success: bool = False) -> Digest | None:
    """The run's digest, or None when no critical rule fails (unless `include_success`)."""
    fails = _ordered(run.critical_failures)
    if not fails and not include_success:
        return None
    c = run.counts()
    warnings = sum(1 for r in run.results if r.status == "FAIL" and r.severity == "warning")
    summary = (f"Check run {run.run_id}: {run.total} rule results — {c['PASS']} pass, {c['FAIL']} fail, "
               f"{c['UNCERTAIN']} uncertain (blank or missing cells); {len(fails)} critical failures, "
               f"{warnings} warnings.")
    subject = header_safe(_subject(run))
    if fails:
        intro = ("These published figures do not balance (a rule fails only when every cell it needs is "
                 "present; blank or missing cells are reported as uncertain, never as failures).")
        text = f"{subject}\n\n{intro}\n\n{table(HEADER, _rows(fails))}\n\n{_legend(fails)}\n\n{summary}\n"
    else:
        text = f"{subject}\n\nNo critical rule fails.\n\n{summary}\n"
    e = html.escape
    rows_html = "".join(
        "<tr>" + "".join(f"<td>{e(v)}</td>" for v in row[:-1])
        + (f'<td><a href="{e(row[-1])}">{e(row[-1])}</a></td>' if row[-1] else "<td></td>") + "</tr>"
        for row in _rows(fails))
    table_html = (
        '<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse">'
        "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in HEADER) + "</tr></thead>"
        f"<tbody>{rows_html}</tbody></table>") if fails else "<p>No critical rule fails.</p>"
    legend_html = "".join(f"<li>{e(line.strip())}</li>" for line in _legend(fails).splitlines()[1:])
    body_html = (f'<html><body><h2>{e(subject)}</h2>'
                 + (f"<p>{e(intro)}</p>" if fails else "")
                 + table_html + (f"<p>Rules:</p><ul>{legend_html}</ul>" if fails else "")
                 + f"<p>{e(summary)}</p></body></html>")
    return Digest(subject=subject, text=text, html=body_html, failures=fails)


def _notifier(digest: Digest, to: list[str], conn_id: str, sender: str):
    from email.mime.text import MIMEText
    from functools import cached_property

    from airflow.providers.smtp.hooks.smtp import SmtpHook
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    class _DigestHook(SmtpHook):
        """SmtpHook that puts a text/plain alternative before the HTML part."""

        def __init__(self, *args, text_content: str | None = None, **kwargs):
            super().__init__(*args, **kwargs)
            self._text_content = text_content

        def _build_mime_message(self, *args, **kwargs):
            msg, recipients = super()._build_mime_message(*args, **kwargs)
            if self._text_content is not None:
                msg.set_payload([MIMEText(self._text_content, "plain", "utf-8"), *msg.get_payload()])
            return msg, recipients

    class DigestNotifier(SmtpNotifier):
        def __init__(self, *, text_content: str | None = None, **kwargs):
            super().__init__(**kwargs)
            self.text_content = text_content

        @cached_property
        def hook(self) -> SmtpHook:
            return _DigestHook(smtp_conn_id=self.smtp_conn_id, auth_type=self.auth_type,
                               text_content=self.text_content)

    return DigestNotifier(to=to, from_email=sender, subject=digest.subject, html_content=digest.html,
                          text_content=digest.text, smtp_conn_id=conn_id, mime_subtype="alternative")


def send_digest(digest: Digest, *, to: str | Iterable[str], conn_id: str = "smtp_default",
                sender: str | None = None) -> None:
    """Send `digest` through Airflow's SmtpNotifier on connection `conn_id`, from `sender` (default
    ``$GONGKAI_ALERT_FROM``). Raises AlertDeliveryError (chained to the SMTP error) when it cannot be
    delivered."""
    addrs = addresses(to)
    if not addrs:
        raise ValueError("no recipients: pass `to` (or set GONGKAI_ALERT_TO)")
    sender = sender or alert_sender()
    notifier = _notifier(digest, addrs, conn_id, sender)
    try:
        # notify() directly: no Jinja rendering of report text; the fields are already final.
        notifier.notify({})
    except Exception as e:
        raise AlertDeliveryError(f"could not send the alert digest via connection {conn_id!r} "
                                 f"to {', '.join(addrs)}: {type(e).__name__}: {e}") from e
