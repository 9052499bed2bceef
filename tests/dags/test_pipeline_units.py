"""Unit tests of the orchestration logic (gongkai.pipeline) and the demo machinery (gongkai.demo):
real loopback HTTP and SMTP servers, no Airflow scheduler."""

from __future__ import annotations

import json
import smtplib
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from types import SimpleNamespace

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.demo import airflow_env as af
from gongkai.demo.localservers import SampleServer, SmtpSink, index_html
from gongkai.demo.run import DemoSummary
from gongkai.demo.website import UNASSIGNED_PUBLISHER, serve_samples, write_demo_registry
from gongkai.pipeline import batched, default_years, ingest, plan_batches
from gongkai.pipeline.warehouse import alert_step
from gongkai.warehouse import db

# ---------------------------------------------------------------- batching

@given(st.lists(st.integers(), max_size=200), st.integers(min_value=1, max_value=40))
def test_batched_keeps_every_item_in_order_and_bounds_sizes(items, size):
    out = batched(items, size)
    assert [x for b in out for x in b] == items
    assert all(1 <= len(b) <= size for b in out)
    assert all(len(b) == size for b in out[:-1])


def test_batched_rejects_a_zero_size():
    with pytest.raises(ValueError):
        batched([1, 2], 0)


def test_plan_batches_dedupes_by_key_and_caps_the_number_of_batches():
    rows = [{"url": f"u{i % 50}"} for i in range(120)]  # 50 distinct URLs, each repeated
    out = plan_batches(rows, batch_size=10, key=lambda d: d["url"])
    assert [d["url"] for b in out for d in b] == [f"u{i}" for i in range(50)]
    assert [len(b) for b in out] == [10] * 5
    capped = plan_batches(list(range(1000)), batch_size=5, max_batches=16)
    assert len(capped) == 16 and sum(map(len, capped)) == 1000  # batches grew instead of 200 tasks
    assert plan_batches([], batch_size=5) == []


def test_default_years_is_the_year_before_the_run():
    from datetime import datetime

    assert default_years(datetime(2026, 2, 1)) == [2025]


# ---------------------------------------------------------------- ingest helpers

def _pub(name, short=None):
    return SimpleNamespace(name=name, short_name=lambda: short or name)


def test_select_publishers_by_full_or_short_name_and_reports_unknown_names():
    pubs = [_pub("天津市滨海新区小王庄镇人民政府", "天津市滨海新区小王庄镇"), _pub("安丘市景芝镇人民政府", "安丘市景芝镇")]
    assert ingest.select_publishers(pubs, []) == pubs
    assert [p.name for p in ingest.select_publishers(pubs, ["安丘市景芝镇", "安丘市景芝镇人民政府"])] == [
        "安丘市景芝镇人民政府"]
    with pytest.raises(ValueError, match="不存在镇"):
        ingest.select_publishers(pubs, ["不存在镇"])


def test_documents_to_load_skips_failures_known_bytes_and_duplicates():
    fetched = [
        {"url": "a", "status": "fetched", "sha256": "s1", "landing_path": "/l/s1.pdf"},
        {"url": "b", "status": "failed", "sha256": None, "landing_path": None},
        {"url": "c", "status": "unchanged", "sha256": "s2", "landing_path": "/l/s2.pdf"},
        {"url": "d", "status": "fetched", "sha256": "s1", "landing_path": "/l/s1.pdf"},  # same bytes as a
        {"url": "e", "status": "fetched", "sha256": "s3", "landing_path": "/l/s3.pdf"},
    ]
    out = ingest.documents_to_load(fetched, known_sha256={"s3"})
    assert [d["url"] for d in out] == ["a", "c"]


def test_summarize_adds_up_batches_and_lists_failed_fetches():
    fetched = [[{"status": "fetched"}, {"status": "failed", "url": "x", "error_code": "http_404"}],
               [{"status": "unchanged"}]]
    loads = [{"documents_seen": 1, "loaded": 1, "cells_loaded": 100},
             {"documents_seen": 2, "loaded": 1, "quarantined": 1, "cells_loaded": 50, "skipped_known": 3}]
    out = ingest.summarize(fetched, loads)
    assert out["fetch"] == {"fetched": 1, "unchanged": 1, "failed": 1}
    assert out["fetch_failures"] == [{"url": "x", "error_code": "http_404", "error": None}]
    assert out["load"]["loaded"] == 2 and out["load"]["quarantined"] == 1
    assert out["load"]["cells_loaded"] == 150 and out["load"]["skipped_known"] == 3
    json.dumps(out)  # what XCom carries


def test_targets_round_trip_through_json():
    from gongkai.fetch.client import FetchTarget

    t = FetchTarget(url="http://127.0.0.1/a.pdf", publisher="甲镇人民政府", year=2020)
    d = json.loads(json.dumps(ingest.target_to_dict(t)))
    assert ingest.target_from_dict(d) == t


def test_alert_step_sends_nothing_without_a_digest():
    assert alert_step({"digest": None}) is False
    assert alert_step({}) is False


# ---------------------------------------------------------------- Airflow environment

def test_postgres_conn_uri_encodes_a_socket_directory_and_fills_a_placeholder_password():
    from airflow.models.connection import Connection

    uri = af.postgres_conn_uri("postgresql://postgres:@/gongkai?host=/tmp/pg sock")
    c = Connection(conn_id="w", uri=uri)
    assert (c.host, c.login, c.schema, c.port) == ("/tmp/pg sock", "postgres", "gongkai", 5432)
    assert c.password == af.PLACEHOLDER_PASSWORD
    c2 = Connection(conn_id="w", uri=af.postgres_conn_uri("postgresql://u:p%40ss@db.example:6543/wh"))
    assert (c2.host, c2.login, c2.password, c2.port, c2.schema) == ("db.example", "u", "p@ss", 6543, "wh")


def test_airflow_env_points_at_the_repo_dags_and_a_local_sqlite_db(tmp_path):
    env = af.airflow_env(warehouse_url="postgresql://u:p@h:5432/d", smtp=("127.0.0.1", 2525), home=tmp_path,
                         base={})
    assert env["AIRFLOW__CORE__DAGS_FOLDER"].endswith("/dags")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path / 'airflow.db'}"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["AIRFLOW_CONN_WAREHOUSE_DEFAULT"].startswith("postgres://u:p@h:5432/d")
    smtp = json.loads(env["AIRFLOW_CONN_SMTP_DEFAULT"])
    assert (smtp["conn_type"], smtp["host"], smtp["port"]) == ("smtp", "127.0.0.1", 2525)


def test_final_state_is_read_from_the_dagrun_finished_line():
    ok = "x\n[info] DagRun Finished: dag_id=t, run_id=m, state=success, run_type=manual\n"
    bad = "DagRun Finished: dag_id=t, logical_date=2026-01-01, state=failed, run_type=manual"
    assert af._final_state(ok) == "success"
    assert af._final_state(bad) == "failed"
    assert af._final_state("no run here") is None


# ---------------------------------------------------------------- loopback servers

@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "bad").mkdir(parents=True)
    (root / "a.pdf").write_bytes(b"%PDF-1.4 a")
    (root / "b.html").write_text("<html>b</html>", encoding="utf-8")
    (root / "bad" / "empty.pdf").write_bytes(b"")
    (root / "manifest.json").write_text(json.dumps({"files": [
        {"file": "a.pdf", "publisher": "甲镇人民政府", "year": 2020},
        {"file": "b.html", "publisher": "乙镇人民政府", "year": 2021},
        {"file": "bad/empty.pdf", "publisher": None, "year": None},
    ]}, ensure_ascii=False), encoding="utf-8")
    return root


def test_sample_server_serves_files_and_year_index_pages(corpus):
    with SampleServer(corpus) as s:
        assert httpx.get(f"{s.url}/a.pdf").content == b"%PDF-1.4 a"
        page = httpx.get(s.index_url(2020))
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "甲镇人民政府2020年政府信息公开工作年度报告" in page.text and "b.html" not in page.text
        assert "乙镇人民政府" in httpx.get(s.index_url(2021, "乙镇人民政府")).text
        assert "甲镇" not in httpx.get(s.index_url(2021, "乙镇人民政府")).text
        assert httpx.get(f"{s.url}/missing.pdf").status_code == 404
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{s.url}/a.pdf", timeout=1)  # stopped


def test_sample_server_lists_unassigned_files_under_a_default_publisher(corpus):
    with SampleServer(corpus, default_publisher="坏文件", default_year=2020) as s:
        assert "bad/empty.pdf" in httpx.get(s.index_url(2020, "坏文件")).text


def test_index_html_escapes_and_filters():
    from gongkai.demo.localservers import SampleDoc

    page = index_html([SampleDoc("x<y>.pdf", "甲<镇>", 2020), SampleDoc("z.pdf", "乙", 2019)], 2020)
    assert "甲&lt;镇&gt;" in page and "x%3Cy%3E.pdf" in page and "z.pdf" not in page


def test_demo_registry_generated_from_a_manifest_loads_and_points_at_the_server(corpus, tmp_path):
    from gongkai.fetch.registry import load_registry

    path = write_demo_registry(corpus, tmp_path / "registry.yaml")
    pubs = {p.name: p for p in load_registry(path, base_url="http://127.0.0.1:9")}
    assert set(pubs) == {"甲镇人民政府", "乙镇人民政府", "样例问题文件发布单位"}
    assert pubs["乙镇人民政府"].index_pages[2021].startswith("http://127.0.0.1:9/index/2021.html?publisher=")
    assert 2021 in pubs["样例问题文件发布单位"].index_pages  # bad files listed under the latest year


def test_serve_samples_lists_bad_files_and_writes_a_registry_for_the_server(corpus, tmp_path):
    from gongkai.fetch.registry import load_registry

    registry = tmp_path / "registry.yaml"
    with serve_samples(corpus, port=0, registry_out=registry) as s:
        page = httpx.get(s.index_url(2021, UNASSIGNED_PUBLISHER)).text
        assert "bad/empty.pdf" in page  # no year in the manifest: listed under the corpus' latest year
        pubs = {p.name: p for p in load_registry(registry, base_url=s.url)}
        assert httpx.get(pubs["甲镇人民政府"].index_pages[2020]).status_code == 200
    assert (corpus / "a.pdf").read_bytes() == b"%PDF-1.4 a"  # an existing corpus is served as it is


def test_smtp_sink_writes_each_message_as_an_eml_file(tmp_path):
    with SmtpSink(tmp_path / "mail") as sink:
        for i in range(2):
            msg = EmailMessage()
            msg["Subject"] = f"告警 {i}: 小王庄镇"
            msg["From"], msg["To"] = "gongkai@localhost", "ops@localhost"
            msg.set_content("R1 failed")
            with smtplib.SMTP(sink.host, sink.port, timeout=10) as c:
                c.send_message(msg)
        files = sink.messages()
    assert [f.name for f in files] == ["0001.eml", "0002.eml"]
    parsed = message_from_bytes(files[1].read_bytes(), policy=default_policy)
    assert parsed["Subject"] == "告警 1: 小王庄镇"


def test_demo_summary_renders_every_figure():
    s = DemoSummary(seconds=12.0, dag_runs={"el_annual_reports": {"ok": True, "seconds": 5}},
                    fetch={"fetched": 44, "unchanged": 2}, loaded={"new": 3, "replaced": 1, "quarantined": 2, "cells": 80},
                    documents={"loaded": 39, "quarantined": 5, "current": 30},
                    cells=7776, rules={"pass": 10, "fail": 2, "uncertain": 1}, emails=["/m/0001.eml"],
                    yoy=["甲镇 2024: 本年新收申请 12 (2023: 10, +2, +20 %)", "R7 上年结转 ≠ last year's 结转下年度: 乙乡 2022"],
                    scorecard=["2024 (method 1, 3 scored): top 乙乡 91.5, bottom 甲镇 70"],
                    prose={"pass": 7, "fail": 3, "uncertain": 1}, claims=14)
    text = s.render()
    assert "  year over year: 甲镇 2024: 本年新收申请 12" in text
    assert "\n                  R7 上年结转" in text and "  scorecard:      2024 (method 1, 3 scored): top 乙乡" in text
    for needle in ("fetched 44 new, 2 unchanged, 0 failed", "loaded 3 new, 1 replaced, 2 quarantined (80 cells)",
                   "39 documents loaded (30 current), 5 quarantined, 7776 cells", "10 pass, 2 fail, 1 uncertain",
                   "R8 prose:      7 pass, 3 fail, 1 uncertain (14 numbers quoted", "0001.eml"):
        assert needle in text
    assert s.ok


def test_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path))
    assert af.airflow_home() == tmp_path / "airflow" and db.data_dir() == tmp_path


def test_alert_step_sends_the_digest_through_smtp(tmp_path, monkeypatch):
    with SmtpSink(tmp_path / "mail") as sink:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", af.smtp_conn_json(sink.host, sink.port))
        digest = {"subject": "[gongkai] 1 critical failure: 天津市滨海新区小王庄镇人民政府 2020",
                  "text": "R1 failed for 小王庄镇", "html": "<p>R1 failed for 小王庄镇</p>"}
        assert alert_step({"digest": digest}, to=["ops@localhost"], sender="gongkai@localhost") is True
        files = sink.messages()
    assert len(files) == 1
    msg = message_from_bytes(files[0].read_bytes(), policy=default_policy)
    assert "小王庄镇" in msg["Subject"] and msg["To"] == "ops@localhost"
