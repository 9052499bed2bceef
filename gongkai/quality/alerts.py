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
from pathlib import Path

from expectations.catalogue import BALANCING_RULES, COLUMN_LABELS, ROW_LABELS, RULES, Rule, scope_label
from gongkai.bi.labels import chinese
from gongkai.quality.model import FAIL, PASS, UNCERTAIN, CheckRun, RuleResult, Term
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


# the digest's words: the form's Chinese first (labels.yaml names what is not a cell of the form), our
# English codes as a second line
_ZH = chinese()
STATUS_ZH = {PASS: _ZH["pass_count"], FAIL: _ZH["fail_count"], UNCERTAIN: _ZH["uncertain_count"]}
STATUS_COLOUR = {PASS: "#2e7d32", FAIL: "#c62828", UNCERTAIN: "#9e9e9e"}
HEADER = [(_ZH["publisher"], "publisher"), (_ZH["report_year"], "year"), (_ZH["rule"], "rule"),
          ("范围", "scope"), ("左边", "left side"), ("右边", "right side"), ("差", "difference"), ("页码", "page")]
NUMERIC = (4, 5, 6)  # right-aligned columns
INTRO_ZH = "以下报告公布的数字不平衡：规则两边的单元格都已读出，但两边之和不相等。空白或缺失的单元格不算不平衡，只记为无法判断。"
INTRO_EN = ("These published figures do not balance (a rule fails only when every cell it needs is present; "
            "blank or missing cells are reported as uncertain, never as failures).")
INTRO_CRITICAL = ("以下报告未通过严重检查（勾稽关系或数据有效性）。空白或缺失的单元格不算不通过，只记为无法判断。",
                  "These reports fail critical checks (balancing or validity); blank or missing cells are reported "
                  "as uncertain, never as failures.")


def _intro(fails: list[RuleResult]) -> tuple[str, str]:
    return (INTRO_ZH, INTRO_EN) if all(r.rule in BALANCING_RULES for r in fails) else INTRO_CRITICAL


def _ordered(fails: list[RuleResult]) -> list[RuleResult]:
    return sorted(fails, key=lambda r: (r.report_year or 0, r.publisher or "", r.rule, r.rule_scope))


def _scope(r: RuleResult) -> tuple[str, str]:
    """(the form's label, our code) of what a result's scope names."""
    return scope_label(r.rule, r.rule_scope), r.rule_scope


def _pages(r: RuleResult) -> str:
    p = r.pages
    if not p:
        return "—"
    return str(p[0]) if len(p) == 1 else f"{p[0]}–{p[-1]}"


def _difference(r: RuleResult) -> str:
    if r.left_value is None or r.right_value is None:
        return "—"
    d = r.left_value - r.right_value
    return ("+" if d > 0 else "") + num(d)


def _term_label(r: RuleResult, t: Term) -> str:
    """The printed row label for a rule across rows (R1, R2, R7), the column label across columns."""
    across_columns = len({x.column for x in r.terms}) > 1
    label = COLUMN_LABELS[(t.table, t.column)] if across_columns else ROW_LABELS[(t.table, t.row)]
    return label + ("（上年报告）" if t.years_back else "")


def _side(r: RuleResult, side: str, value: float | None) -> str:
    terms = [t for t in r.terms if t.side == side]
    shown = [t for t in terms if t.value] if len(terms) > 4 else terms
    zeros = len(terms) - len(shown)
    parts = [f"{_term_label(r, t)} {num(t.value)}" for t in shown] + ([f"其余{zeros}项为0"] if zeros else [])
    return " + ".join(parts) + f" = {num(value)}"


def breakdown(r: RuleResult) -> str:
    """'一、本年新收政府信息公开申请数量 5 + 二、上年结转政府信息公开申请数量 0 = 5 ≠ （七）总计 0 + … = 0': the cells
    of each side as the form labels them (empty when they were not loaded)."""
    if not r.terms:
        return ""
    op = "=" if r.left_value == r.right_value else "≠"
    return f"{_side(r, 'left', r.left_value)} {op} {_side(r, 'right', r.right_value)}"


def landing_link(path: str | None) -> str | None:
    """A link to the landing store's copy that opens after the run: a file:// URI for a local store,
    the store's own URL (s3://…) otherwise."""
    if not path:
        return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+://", path):
        return path
    return Path(path).resolve().as_uri()


def _rows(fails: Iterable[RuleResult]) -> list[list[str]]:
    out = []
    for r in fails:
        label, code = _scope(r)
        out.append([r.publisher or "", str(r.report_year or ""), r.rule, f"{label} {code}".strip(),
                    num(r.left_value), num(r.right_value), _difference(r), _pages(r)])
    return out


def _reports(fails: list[RuleResult]) -> dict[tuple, list[RuleResult]]:
    return report_groups(fails)


def _legend(fails: list[RuleResult]) -> list[Rule]:
    return [RULES[c] for c in sorted({r.rule for r in fails}, key=list(RULES).index)]


def _summary(run: CheckRun, fails: list[RuleResult]) -> tuple[str, str]:
    c = run.counts()
    warnings = sum(1 for r in run.results if r.status == FAIL and r.severity == "warning")
    zh = (f"本次检查 {run.total} 项：{STATUS_ZH[PASS]} {c[PASS]}，{STATUS_ZH[FAIL]} {c[FAIL]}，"
          f"{STATUS_ZH[UNCERTAIN]} {c[UNCERTAIN]}；严重不通过 {len(fails)}，警告 {warnings}。")
    en = (f"Check run {run.run_id}: {run.total} rule results — {c[PASS]} pass, {c[FAIL]} fail, "
          f"{c[UNCERTAIN]} uncertain (blank or missing cells); {len(fails)} critical failures, "
          f"{warnings} warnings.")
    return zh, en


def _text(run: CheckRun, subject: str, fails: list[RuleResult]) -> str:
    zh, en = _summary(run, fails)
    if not fails:
        return f"{subject}\n\n没有严重不通过的规则。No critical rule fails.\n\n{zh}\n{en}\n"
    header = [f"{a} {b}" for a, b in HEADER]
    blocks = [subject, "\n".join(_intro(fails)), table(header, _rows(fails), right=NUMERIC)]
    for (year, publisher, _key), rs in _reports(fails).items():
        lines = [f"{publisher or '(unknown publisher)'} {year or ''}".strip()]
        r0 = rs[0]
        if r0.source_url:
            lines.append(f"  原文 source:          {r0.source_url}")
        if link := landing_link(r0.landing_path):
            lines.append(f"  存档副本 stored copy: {link}")
            if link.startswith("file:"):
                lines.append(f"  (its tables as printed: gongkai extract {r0.landing_path})")
        for r in rs:
            if b := breakdown(r):
                lines.append(f"  {r.rule} {' '.join(_scope(r)).strip()}: {b}")
        if len(lines) > 1:  # a link or a breakdown to show
            blocks.append("\n".join(lines))
    legend = ["规则（左边 = 右边）Rules (left side = right side):"]
    for rule in _legend(fails):
        legend += [f"  {rule.code}  {rule.statement}", f"      {rule.title}"]
    blocks.append("\n".join(legend))
    blocks.append(_text_chart(run))
    blocks.append(f"{zh}\n{en}")
    return "\n\n".join(blocks) + "\n"


def _text_chart(run: CheckRun, width: int = 30) -> str:
    counts = run.rule_counts()
    most = max((sum(c.values()) for c in counts.values()), default=0) or 1
    lines = [f"各规则结果 Results per rule ({STATUS_ZH[PASS]} pass = #, {STATUS_ZH[FAIL]} fail = X, "
             f"{STATUS_ZH[UNCERTAIN]} uncertain = .):"]
    for rule, c in counts.items():
        bar = "".join(ch * round(c[s] * width / most) for s, ch in ((PASS, "#"), (FAIL, "X"), (UNCERTAIN, ".")))
        lines.append(f"  {rule:<12} {bar:<{width}}  {c[PASS]} / {c[FAIL]} / {c[UNCERTAIN]}")
    return "\n".join(lines)


# ---------------------------------------------------------------- HTML: inline styles only, nothing external

_FONT = "font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','WenQuanYi Zen Hei',Arial,sans-serif"
_CELL = "border:1px solid #ccc;padding:4px 8px;vertical-align:top"
_NUM = _CELL + ";text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"
_SECOND = "color:#666;font-size:12px"


def _two(zh: str, en: str) -> str:
    e = html.escape
    return f"{e(zh)}<br><span style=\"{_SECOND}\">{e(en)}</span>" if zh else e(en)


def _html_chart(run: CheckRun, width: int = 240) -> str:
    """The run's results per rule as bars made of table cells (shown by every mail client, no image)."""
    e = html.escape
    counts = run.rule_counts()
    most = max((sum(c.values()) for c in counts.values()), default=0) or 1
    key = " ".join(f'<span style="display:inline-block;width:10px;height:10px;background:{STATUS_COLOUR[s]}">'
                   f"</span> {e(STATUS_ZH[s])} {s.lower()}" for s in (PASS, FAIL, UNCERTAIN))
    rows = []
    for rule, c in counts.items():
        cells = "".join(
            f'<td style="background:{STATUS_COLOUR[s]};width:{max(1, round(c[s] * width / most))}px;height:12px;'
            f'padding:0;font-size:1px;line-height:1px" title="{e(STATUS_ZH[s])} {c[s]}">&nbsp;</td>'
            for s in (PASS, FAIL, UNCERTAIN) if c[s])
        bar = f'<table cellpadding="0" cellspacing="0" style="border-collapse:collapse"><tr>{cells}</tr></table>'
        rows.append(f'<tr><td style="padding:2px 8px 2px 0;white-space:nowrap">{e(rule)}</td>'
                    f'<td style="padding:2px 0">{bar}</td>'
                    f'<td style="padding:2px 0 2px 8px;text-align:right;white-space:nowrap;{_SECOND}">'
                    f"{c[PASS]} / {c[FAIL]} / {c[UNCERTAIN]}</td></tr>")
    return (f'<p style="margin:16px 0 4px"><b>各规则结果</b> <span style="{_SECOND}">results per rule · {key}</span></p>'
            f'<table class="gongkai-chart" cellpadding="0" cellspacing="0" style="border-collapse:collapse">'
            f'{"".join(rows)}</table>')


def _html_report(year, publisher, rs: list[RuleResult]) -> str:
    e = html.escape
    r0 = rs[0]
    links = []
    if r0.source_url:
        links.append(f'原文 <span style="{_SECOND}">source</span>: '
                     f'<a href="{e(r0.source_url)}">{e(r0.source_url)}</a>')
    if link := landing_link(r0.landing_path):
        how = (f' <span style="{_SECOND}">(its tables as printed: <code>gongkai extract {e(r0.landing_path)}</code>)'
               "</span>" if link.startswith("file:") else "")
        links.append(f'存档副本 <span style="{_SECOND}">stored copy</span>: <a href="{e(link)}">{e(link)}</a>{how}')
    head = "".join(f'<th style="{_CELL};background:#f3f3f3;text-align:{"right" if i in NUMERIC else "left"}">'
                   f"{_two(zh, en)}</th>" for i, (zh, en) in enumerate(HEADER) if i >= 2)
    body = []
    for r in rs:
        rule = RULES[r.rule]
        label, code = _scope(r)
        body.append(
            "<tr>"
            f'<td style="{_CELL}"><b>{e(r.rule)}</b><br>{_two(rule.statement, rule.title)}</td>'
            f'<td style="{_CELL}">{_two(label, code)}</td>'
            f'<td style="{_NUM}">{e(num(r.left_value))}</td><td style="{_NUM}">{e(num(r.right_value))}</td>'
            f'<td style="{_NUM}">{e(_difference(r))}</td><td style="{_NUM}">{e(_pages(r))}</td></tr>')
        if b := breakdown(r):
            body.append(f'<tr><td colspan="6" style="{_CELL};{_SECOND}">{e(b)}</td></tr>')
    return (f'<h3 style="margin:20px 0 4px">{e(publisher or "(unknown publisher)")} {e(str(year or ""))}</h3>'
            + (f'<p style="margin:0 0 8px">{"<br>".join(links)}</p>' if links else "")
            + f'<table cellpadding="0" cellspacing="0" style="border-collapse:collapse">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _html(run: CheckRun, subject: str, fails: list[RuleResult]) -> str:
    e = html.escape
    zh, en = _summary(run, fails)
    if fails:
        reports = "".join(_html_report(y, p, rs) for (y, p, _k), rs in _reports(fails).items())
        main = f'<p style="margin:0 0 8px">{_two(*_intro(fails))}</p>{reports}'
    else:
        main = f"<p>{_two('没有严重不通过的规则。', 'No critical rule fails.')}</p>"
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{e(subject)}</title></head>"
            f'<body style="margin:0;padding:16px;{_FONT};font-size:14px;line-height:1.5;color:#222">'
            f'<h2 style="margin:0 0 12px;font-size:18px">{e(subject)}</h2>{main}{_html_chart(run)}'
            f'<p style="margin:16px 0 0">{_two(zh, en)}</p></body></html>')


def header_safe(value: str) -> str:
    """A value fit for an e-mail header: control characters (CR/LF above all, which would end the
    header or inject another) become spaces. Non-ASCII text is encoded by the mail library (RFC 2047)."""
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", value)).strip()


def render_digest(run: CheckRun, *, include_success: bool = False) -> Digest | None:
    """The run's digest, or None when no critical rule fails (unless `include_success`): a text/plain and
    an HTML part, both in the form's Chinese with our codes beside; the HTML has inline styles only and
    loads nothing (it reads the same in a mail client that blocks external content)."""
    fails = _ordered(run.critical_failures)
    if not fails and not include_success:
        return None
    subject = header_safe(_subject(run))
    return Digest(subject=subject, text=_text(run, subject, fails), html=_html(run, subject, fails), failures=fails)


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
