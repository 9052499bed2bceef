"""The warehouse path: golden records → load_records → dbt build → run_checks → dq tables, the BI view,
and `gongkai check --email` against a real local SMTP server. One built database for the module."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from click.testing import CliRunner

from tests.support.golden import golden_record
from tests.support.quality import SEED_URLS, parse_mail

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built_db(pg_server_url, tmp_path_factory):
    """A database with the five golden seeds loaded and the dbt project built."""
    from urllib.parse import urlparse, urlunparse

    from gongkai.warehouse.dbt import dbt_build
    from gongkai.warehouse.load import DocumentMeta, load_records
    from gongkai.warehouse.migrate import migrate

    name = f"gk_dq_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server_url, autocommit=True) as c:
        c.execute(f'create database "{name}"')
    url = urlunparse(urlparse(pg_server_url)._replace(path="/" + name))
    try:
        with psycopg.connect(url) as conn:
            migrate(conn)
            conn.commit()
            load_records(conn, [(golden_record(i), DocumentMeta(source_url=SEED_URLS[i])) for i in range(5)])
            conn.commit()
        assert dbt_build(url, profiles_dir=tmp_path_factory.mktemp("dbt"),
                         target_path=tmp_path_factory.mktemp("dbt_target")), "dbt build failed"
        yield url
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as c:
            c.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="module")
def checked(built_db, tmp_path_factory):
    from gongkai.quality.runner import run_checks

    with psycopg.connect(built_db) as conn:
        run = run_checks(conn, docs_dir=tmp_path_factory.mktemp("gx_docs"))
    return built_db, run


def _rows(url, sql, params=None):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_results_are_written_to_dq_tables(checked):
    url, run = checked
    (status, total, fails, crit, docs), = _rows(
        url, "select status, results_total, results_fail, critical_failures, docs_path from dq.check_runs "
             "where run_id = %s", (run.run_id,))
    assert status == "failed" and total == len(run.results) and crit == len(run.critical_failures)
    assert docs and docs.endswith("index.html")
    fail_rows = _rows(url, "select publisher, report_year, rule, rule_scope, left_value, right_value, severity, "
                           "source_url from dq.rule_results where run_id = %s and status = 'FAIL' order by 3, 4",
                      (run.run_id,))
    assert fails == len(fail_rows) == 4
    assert [(r[0], r[1], r[2], r[3], r[6], r[7]) for r in fail_rows] == [
        ("小王庄镇", 2020, rule, col, "critical", SEED_URLS[3])
        for rule in ("R1", "R2") for col in ("natural_person", "total")]
    assert all(r[4] != r[5] for r in fail_rows)


def test_clean_and_short_seeds_in_the_warehouse(checked):
    url, run = checked
    by_pub = {}
    for pub, status, n in _rows(url, "select publisher, status, count(*) from dq.rule_results where run_id = %s "
                                     "group by 1, 2", (run.run_id,)):
        by_pub.setdefault(pub, {})[status] = n
    for i in (0, 2, 4):
        assert set(by_pub[golden_record(i).report.publisher]) == {"PASS"}
    short = by_pub[golden_record(1).report.publisher]
    assert "FAIL" not in short and short.get("UNCERTAIN", 0) > 0


def test_summary_view_counts_the_latest_run(checked):
    from gongkai.warehouse.dbt import dbt_build

    url, run = checked
    assert dbt_build(url, select="dq_rule_summary")
    summary = {(p, y): (n_pass, n_fail, n_unc, crit, run_id) for p, y, n_pass, n_fail, n_unc, crit, run_id in _rows(
        url, "select publisher, report_year, pass_count, fail_count, uncertain_count, critical_fail_count, run_id "
             "from marts.dq_rule_summary")}
    assert len(summary) == 5
    expected = {}
    for r in run.results:
        c = expected.setdefault((r.publisher, r.report_year), [0, 0, 0, 0])
        c[("PASS", "FAIL", "UNCERTAIN").index(r.status)] += 1
        c[3] += r.is_critical_failure
    assert {k: v[:4] for k, v in summary.items()} == {k: tuple(v) for k, v in expected.items()}
    assert {v[4] for v in summary.values()} == {run.run_id}


def test_cli_check_email_sends_exactly_one_digest(checked, smtp_sink, monkeypatch, tmp_path):
    from gongkai.cli import main

    url, _ = checked
    monkeypatch.setenv("WAREHOUSE_URL", url)
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GONGKAI_ALERT_TO", "ops@example.org,dq@example.org")
    res = CliRunner().invoke(main, ["check", "--year", "2020", "--email", "--no-docs"])
    assert res.exit_code == 1, res.output  # a critical rule fails
    assert "小王庄镇 2020:" in res.output and "R1" in res.output
    assert len(smtp_sink.messages) == 1
    subject, text, html = parse_mail(smtp_sink.messages[0])
    assert subject == "[gongkai] 2020: 1 report fails balancing (小王庄镇)"
    assert text.count("小王庄镇") >= 4 and SEED_URLS[3] in text and SEED_URLS[3] in html
    for i in (0, 1, 2, 4):
        assert golden_record(i).report.publisher not in text
    (tmp_path / "alert.eml.txt").write_text(f"Subject: {subject}\n\n{text}", encoding="utf-8")
    # the latest run now backs the summary view
    (latest,) = {r[0] for r in _rows(url, "select run_id from marts.dq_rule_summary")}
    (newest,) = _rows(url, "select run_id from dq.check_runs order by started_at desc limit 1")
    assert latest == newest[0]


def test_cli_email_fails_loudly_when_smtp_is_unreachable(checked, dead_smtp, monkeypatch, tmp_path):
    from gongkai.cli import main

    url, _ = checked
    monkeypatch.setenv("WAREHOUSE_URL", url)
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GONGKAI_ALERT_TO", "ops@example.org")
    res = CliRunner().invoke(main, ["check", "--email", "--no-docs"])
    assert res.exit_code == 3, res.output
    assert "could not send the alert digest" in res.output


def test_cli_email_needs_recipients(checked, monkeypatch):
    from gongkai.cli import main

    monkeypatch.setenv("WAREHOUSE_URL", checked[0])
    monkeypatch.delenv("GONGKAI_ALERT_TO", raising=False)
    res = CliRunner().invoke(main, ["check", "--email"])
    assert res.exit_code == 2 and "GONGKAI_ALERT_TO" in res.output


def test_check_emails_the_digest_only_when_asked(checked, smtp_sink):
    from gongkai.pipeline.warehouse import check

    out = check([2020], url=checked[0], build_docs=False, email_to=["ops@example.org"])
    assert len(out.run.critical_failures) == 4 and out.sent_to == ["ops@example.org"]
    assert out.digest is not None and "小王庄镇" in out.digest.subject and out.delivery_error is None
    assert len(smtp_sink.messages) == 1
    quiet = check([2020], url=checked[0], build_docs=False)
    assert len(quiet.run.critical_failures) == 4 and quiet.digest is None and quiet.sent_to == []
    assert len(smtp_sink.messages) == 1


def test_check_reports_an_unreachable_smtp_server_after_recording_the_run(checked, dead_smtp):
    from gongkai.pipeline.warehouse import check

    out = check(url=checked[0], build_docs=False, email_to=["ops@example.org"])
    assert out.sent_to == [] and "could not send the alert digest" in out.delivery_error
    (status,), = _rows(checked[0], "select status from dq.check_runs where run_id = %s", (out.run.run_id,))
    assert status == "failed"  # the results are recorded before the e-mail is attempted


def test_the_dag_steps_hand_the_digest_from_checks_to_alert(checked, smtp_sink):
    from gongkai.pipeline.warehouse import alert_step, checks_step

    out = checks_step([2020], url=checked[0])
    json.dumps(out)  # what XCom carries
    assert {f["rule"] for f in out["critical_failures"]} == {"R1", "R2"} and out["digest"]["subject"]
    assert alert_step(out, to=["ops@example.org"]) is True
    assert len(smtp_sink.messages) == 1 and parse_mail(smtp_sink.messages[0])[0] == out["digest"]["subject"]


def test_the_alert_step_raises_when_smtp_is_unreachable(dead_smtp):
    from gongkai.pipeline.warehouse import alert_step
    from gongkai.quality.alerts import AlertDeliveryError

    digest = {"subject": "s", "text": "t", "html": "<p>t</p>"}
    with pytest.raises(AlertDeliveryError):  # the task fails and Airflow retries it
        alert_step({"digest": digest}, to=["ops@example.org"])
