"""End to end: both DAGs under `airflow dags test`, through the demo runner, against the loopback sample
server, a real Postgres (a fresh database) and a real SMTP sink. One demo run (the session's `demo_run`)
serves every test here; the re-run test runs the ingest DAG once more on top of it."""

from __future__ import annotations

import json
import re
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import psycopg
import pytest

from tests.support import ROOT


@pytest.fixture
def demo(demo_run):
    return demo_run.summary, demo_run.url, demo_run.data


def _log_tail(summary, dag_id: str) -> str:
    run = summary.dag_runs.get(dag_id) or {}
    log = Path(run.get("log", "/nonexistent"))
    return log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else "(no log)"


@pytest.mark.slow
def test_both_dags_succeed(demo):
    summary, _, _ = demo
    for dag_id in ("el_annual_reports", "t_warehouse"):
        assert dag_id in summary.dag_runs, f"{dag_id} did not run"
        assert summary.dag_runs[dag_id]["ok"], f"{dag_id} failed:\n{_log_tail(summary, dag_id)}"


@pytest.mark.slow
def test_every_good_file_is_loaded_and_every_bad_file_quarantined(demo):
    summary, url, data = demo
    manifest = json.loads((data / "samples" / "manifest.json").read_text(encoding="utf-8"))["files"]
    registry = (ROOT / "registry" / "demo.yaml").read_text(encoding="utf-8")
    listed = [e for e in manifest if f"/{e['file']}" in registry]  # the corpus files the demo fetches
    bad = {e["file"].rsplit("/", 1)[-1] for e in listed if e["expected"] != "ok"}
    good = [e for e in listed if e["expected"] == "ok"]
    assert len(bad) >= 4 and len(good) >= 30
    with psycopg.connect(url) as c:
        rows = c.execute("select source_url, status, error_code from raw.documents").fetchall()
        cells = c.execute("select count(*) from raw.cells").fetchone()[0]
    quarantined = {u.rsplit("/", 1)[-1] for u, s, _ in rows if s == "quarantined"}
    assert bad and quarantined == bad
    assert all(code for _, s, code in rows if s == "quarantined")  # each with its error code
    loaded = [u for u, s, _ in rows if s == "loaded"]
    assert len(loaded) >= len(good) - 1  # every good file (identical bytes count once)
    assert cells > 1000 and summary.cells == cells


@pytest.mark.slow
def test_the_marts_hold_the_seed_reports(demo):
    _, url, _ = demo
    with psycopg.connect(url) as c:
        rows = c.execute("select publisher_name, report_year, balance_status from marts.rpt_report_overview").fetchall()
    by_pub = {p: (y, b) for p, y, b in rows}
    seeds = ["东塔镇", "通贵乡", "葛寨镇", "小王庄镇", "景芝镇"]
    for short in seeds:
        hits = [p for p in by_pub if p and short in p]
        assert hits, f"no report of {short} in marts.rpt_report_overview: {sorted(by_pub)}"
        assert by_pub[hits[0]][0] == 2020
    xwz = next(p for p in by_pub if "小王庄镇" in p)
    assert by_pub[xwz][1] != "balanced"  # seed 003 does not balance


@pytest.mark.slow
def test_exactly_one_alert_email_naming_xiaowangzhuang(demo, demo_run):
    summary, url, _ = demo
    assert len(summary.emails) == 1 and len(demo_run.emails) == 1, summary.emails
    msg = message_from_bytes(demo_run.emails[0], policy=default_policy)
    parts = [msg["Subject"] or ""]
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    assert "小王庄镇" in "\n".join(parts)
    with psycopg.connect(url) as c:
        failed = c.execute("select count(*) from dq.rule_results where status = 'FAIL' "
                           "and severity = 'critical' and publisher like %s", ("%小王庄镇%",)).fetchone()[0]
    assert failed >= 1 and summary.rules.get("fail", 0) >= 1
    assert any("小王庄镇" in c for c in summary.critical)


@pytest.mark.slow
def test_the_summary_says_where_things_are(demo):
    summary, _, _ = demo
    text = summary.render()
    assert "quarantined" in text and "rule results" in text and summary.emails[0] in text
    assert summary.fetch.get("fetched", 0) >= 40
    assert summary.dbt_docs and Path(summary.dbt_docs).is_file() and summary.dbt_docs in text
    assert summary.dbt_docs.endswith("static_index.html")  # the single file that opens from disk
    # what this run did: on a fresh warehouse, everything it holds
    assert summary.loaded["new"] == summary.documents["loaded"] and summary.loaded["cells"] == summary.cells
    assert f"fetched {summary.fetch['fetched']} new, 0 unchanged" in text
    assert summary.gx_docs and Path(summary.gx_docs).exists() and summary.gx_docs in text


@pytest.mark.slow
def test_a_rerun_is_idempotent(demo):
    """The ingest DAG again on the same sample server and warehouse: conditional GETs, nothing
    re-extracted, no new document, no duplicate cell. (The warehouse DAG rebuilds its tables from raw
    each run; re-running dbt and the checks on a built warehouse is covered in tests/quality.)"""
    summary, url, data = demo
    counts = ("select (select count(*) from raw.documents), (select count(*) from raw.cells), "
              "(select count(*) from ops.fetch_log where kind = 'report' and status = 'fetched')")
    with psycopg.connect(url) as c:
        before = c.execute(counts).fetchone()
    from tests.support.demo import run_demo_in

    again = run_demo_in(data, url, dags=["el_annual_reports"])
    assert again.ok, _log_tail(again, "el_annual_reports")
    with psycopg.connect(url) as c:
        after = c.execute(counts).fetchone()
        unchanged = c.execute("select count(*) from ops.fetch_log where kind = 'report' and status = 'unchanged'"
                              ).fetchone()[0]
    # same documents, same cells, and no report fetched anew (304 Not Modified or the same bytes)
    assert after == before
    assert unchanged >= 40 and again.fetch.get("unchanged", 0) >= 40
    # and its summary counts what this run did, not what the warehouse holds
    assert again.fetch.get("fetched", 0) == 0 and again.loaded == {"new": 0, "replaced": 0, "quarantined": 0,
                                                                   "cells": 0}
    assert f"fetched 0 new, {again.fetch['unchanged']} unchanged" in again.render()
    assert again.documents["loaded"] == summary.documents["loaded"] > 0


@pytest.mark.slow
def test_every_task_of_the_demo_runs_has_its_log_where_the_airflow_ui_reads_it(demo):
    summary, _, data = demo
    logs = data / "airflow" / "logs"
    for dag_id in ("el_annual_reports", "t_warehouse"):
        output = Path(summary.dag_runs[dag_id]["log"]).read_text(encoding="utf-8")  # the DAG's latest run
        run_id = re.search(r"DagRun Finished: dag_id=\w+, .*?run_id=([^,]+),", output).group(1)
        ended = output.count("[DAG TEST] end task")
        written = sorted((logs / f"dag_id={dag_id}" / f"run_id={run_id}").rglob("attempt=*.log"))
        assert ended > 0 and len(written) == ended, (dag_id, ended, len(written))
        for f in written:
            records = [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines()]
            assert "[DAG TEST] starting task_id=" in records[0]["event"] and records[0]["timestamp"]
            assert "[DAG TEST] end task" in records[-1]["event"]
    fetch = next((logs / "dag_id=el_annual_reports").glob("run_id=*/task_id=fetch_batch/map_index=0/attempt=1.log"))
    assert "fetch: " in fetch.read_text(encoding="utf-8")  # the batch's progress, in its own log


@pytest.mark.slow
def test_the_multi_year_series_gives_year_over_year_r7_and_the_scorecard(demo):
    """The series' deliberate defects reach the marts and the summary: R7 fails exactly for the carry-over
    break, the late report is late by its days, every consecutive pair is compared, and the townships of
    兴庆区 (640104) are ranked together."""
    summary, url, _ = demo
    with psycopg.connect(url) as c:
        breaks = c.execute("select publisher_name, report_year, column_code from marts.fct_measure_yoy "
                           "where carry_over_status = 'FAIL' order by 3").fetchall()
        pairs = c.execute("select count(distinct report_key) from marts.fct_measure_yoy "
                          "where previous_report_key is not null").fetchone()[0]
        late = c.execute("select publisher_name, report_year, days_late from marts.fct_transparency_scorecard "
                         "where timeliness = 'late'").fetchall()
        ranked = c.execute("select count(*), max(units_ranked_in_region) from marts.fct_transparency_scorecard "
                           "where parent_region_code = '640104' and report_year = 2024 "
                           "and rank_in_region is not null").fetchone()
    assert breaks == [("兴庆区样例乡人民政府", 2022, "natural_person"), ("兴庆区样例乡人民政府", 2022, "total")]
    assert pairs == 15  # three publishers × five consecutive pairs 2019–2024
    assert late == [("兴庆区样例街道办事处", 2023, 50)]
    assert ranked == (3, 3)
    text = summary.render()
    assert "year over year: " in text and "本年新收申请" in text and "兴庆区样例乡人民政府 2022" in text
    assert "scorecard:      2024 " in text and "兴庆区样例街道办事处 2023 (50 days)" in text
