"""Alert digests sent through Airflow's SmtpNotifier to a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from gongkai.quality.alerts import AlertDeliveryError, render_digest, send_digest
from gongkai.quality.model import CheckRun
from tests.support.quality import SEED_URLS, parse_mail


@pytest.fixture(scope="module")
def digest(seed_warehouse):
    """The digest of the five seeds' check run (seed 003 fails R1 and R2)."""
    _url, checked = seed_warehouse
    run = CheckRun(run_id="alert-test", started_at=datetime.now(UTC), results=checked.results)
    d = render_digest(run)
    assert d is not None
    return d


def test_digest_is_delivered_with_text_and_html(smtp_sink, digest, monkeypatch):
    monkeypatch.setenv("GONGKAI_ALERT_FROM", "dq@gongkai.test")
    send_digest(digest, to="a@example.org, b@example.org")
    assert len(smtp_sink.messages) == 1
    env = smtp_sink.messages[0]
    assert env.mail_from == "dq@gongkai.test"
    assert sorted(env.rcpt_tos) == ["a@example.org", "b@example.org"]
    subject, text, html = parse_mail(env)
    assert subject == digest.subject and "小王庄镇" in subject
    assert text == digest.text and html == digest.html
    assert "R1" in text and "natural_person" in text and SEED_URLS[3] in text
    assert "东塔镇" not in text  # seed 000 passes: not in the alert


def test_unreachable_smtp_server_raises(dead_smtp, digest):
    with pytest.raises(AlertDeliveryError, match="smtp_default"):
        send_digest(digest, to=["ops@example.org"])


def test_missing_connection_raises(monkeypatch, digest):
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_NOWHERE", raising=False)
    with pytest.raises(AlertDeliveryError):
        send_digest(digest, to=["ops@example.org"], conn_id="smtp_nowhere")


def test_no_recipients_is_an_error(digest):
    with pytest.raises(ValueError):
        send_digest(digest, to="")


def test_crlf_in_a_publisher_name_is_encoded_and_the_digest_is_sent(smtp_sink, seed_warehouse):
    """A name with CR/LF (here an attempt to add a Bcc header) used to stop the whole digest."""
    _url, checked = seed_warehouse
    evil = "Evil Town\r\nBcc: attacker@example.org"
    results = [replace(r, publisher=evil) if r.is_critical_failure else r for r in checked.results]
    d = render_digest(CheckRun(run_id="crlf", started_at=datetime.now(UTC), results=results))
    assert d is not None and "\r" not in d.subject and "\n" not in d.subject
    send_digest(d, to="ops@example.org")
    assert len(smtp_sink.messages) == 1
    env = smtp_sink.messages[0]
    assert env.rcpt_tos == ["ops@example.org"]
    subject, text, _html = parse_mail(env)
    assert "Evil Town" in subject and "attacker@example.org" in subject  # shown, not obeyed
    head = env.content.split(b"\r\n\r\n", 1)[0] if isinstance(env.content, bytes) else b""
    assert b"\nBcc:" not in head
