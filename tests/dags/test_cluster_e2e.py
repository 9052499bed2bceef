"""The chain under a real scheduler (issue 8): api-server, scheduler, dag-processor, triggerer and two
`airflow celery worker` processes on loopback (gongkai.demo.cluster), the Airflow metadata DB in
Postgres (a fresh database on the test server), Redis as the broker, the sample corpus on the loopback
sample server and a real SMTP sink. `el_annual_reports` is triggered; `t_warehouse` must start by
itself on the Asset. While an extraction batch is running — its task instance `running` in the
metadata DB and the sandbox's extraction processes alive under it — one Celery worker is killed with
SIGKILL together with everything under it (a machine lost); the run must still succeed, with no
duplicate or partial document, and give what the in-process demo (`airflow dags test`, the session's
`demo_run`) gives.

Skipped, saying so, where no Redis answers (GONGKAI_CELERY_BROKER_URL, default redis://127.0.0.1:6379/0).
The time limits are generous upper bounds for a loaded machine, never assertions.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import psycopg
import pytest

from gongkai.demo import cluster as cl

pytestmark = pytest.mark.slow
EXTRACT_TASKS = ("extract_load_batch", "extract_load_ocr_batch")


@dataclass
class KillOneWorker:
    """Called on every poll of the running ingest run: the first time an extraction batch is mid-way
    (running in the metadata DB, extraction processes alive under its task process), kill its worker."""

    killed: dict | None = None
    seen_running: list[str] = field(default_factory=list)

    def __call__(self, cluster: cl.Cluster, run_id: str) -> None:
        if self.killed:
            return
        for ti in cluster.task_instances("el_annual_reports", run_id):
            if ti["task_id"] not in EXTRACT_TASKS or ti["state"] != "running" or not ti.get("pid"):
                continue
            self.seen_running.append(f"{ti['task_id']}[{ti['map_index']}]")
            worker = cluster.worker_of(ti["pid"])
            extracting = cl.extraction_workers(ti["pid"])
            if worker is None or not extracting:
                continue
            pids = cluster.kill_worker(worker)
            self.killed = {"task_id": ti["task_id"], "map_index": ti["map_index"], "try_number": ti["try_number"],
                           "worker": worker.name, "pids": pids, "extracting": extracting}
            return


@dataclass
class ClusterRun:
    result: cl.ChainResult
    url: str
    emails: list[bytes]
    kill: KillOneWorker
    task_instances: list[dict]
    logs: Path


def _create_db(server: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as c:
        c.execute(f'create database "{name}"')
    from gongkai.warehouse.db import url_with_database

    return url_with_database(server, name)


def _drop_db(server: str, url: str) -> None:
    name = url.split("?")[0].rsplit("/", 1)[1]
    with psycopg.connect(server, autocommit=True) as c:
        c.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory, pg_server_url, sample_corpus, dbt_manifest) -> ClusterRun:
    broker = cl.broker_url()
    problem = cl.redis_problem(broker)
    if problem:
        pytest.skip(f"real-scheduler test needs Redis as the Celery broker: {problem} "
                    f"(start Redis on 127.0.0.1:6379 or set {cl.BROKER_ENV})")
    from gongkai.demo.localservers import SampleServer, SmtpSink
    from gongkai.demo.run import chain_conf, demo_env
    from gongkai.demo.website import corpus_years
    from gongkai.pipeline.warehouse import migrate_step

    data = tmp_path_factory.mktemp("cluster-data")
    shutil.copytree(sample_corpus, data / "samples")
    url, metadata = _create_db(pg_server_url, "gk_cluster"), _create_db(pg_server_url, "gk_airflow")
    migrate_step(url)
    kill = KillOneWorker()
    home = data / "airflow"
    try:
        with SampleServer(data / "samples") as http, SmtpSink(data / "mail") as smtp:
            env = demo_env(url, (smtp.host, smtp.port), http.url, data, dbt_manifest, home=home)
            cluster = cl.Cluster(home, metadata_url=metadata, broker=broker, env=env, workers=2, concurrency=2,
                                 fast_recovery=True)
            try:
                cluster.start(say=print)
                conf = chain_conf(corpus_years(data / "samples"))["el_annual_reports"]
                result = cl.run_chain(cluster, conf, on_poll=kill, say=print, timeout_s=3600)
                tis = cluster.task_instances("el_annual_reports", result.el_run["dag_run_id"])
                print(f"chain on the cluster: {result.seconds:.0f} s; killed: {kill.killed}")
            finally:
                cluster.stop()
            yield ClusterRun(result, url, [p.read_bytes() for p in smtp.messages()], kill, tis, home)
    finally:
        _drop_db(pg_server_url, url)
        _drop_db(pg_server_url, metadata)


def _component_logs(run: ClusterRun) -> str:
    logs = sorted((run.logs / "cluster").glob("*.log"))
    return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-1500:] for p in logs)


def test_the_chain_runs_on_the_cluster_and_the_asset_starts_the_warehouse(cluster_run):
    r = cluster_run.result
    assert r.el_run.get("state") == "success", _component_logs(cluster_run)
    assert r.t_run and r.t_run.get("state") == "success", _component_logs(cluster_run)
    assert r.t_run["run_type"] == "asset_triggered"  # started by the Asset event, not by the test


def test_a_worker_killed_mid_batch_is_survived(cluster_run):
    k = cluster_run.kill.killed
    assert k, f"no extraction batch was caught running (seen: {cluster_run.kill.seen_running})"
    ti = next(t for t in cluster_run.task_instances
              if t["task_id"] == k["task_id"] and t["map_index"] == k["map_index"])
    # the killed attempt was declared failed (its heartbeats stopped) and the retry succeeded elsewhere
    assert ti["state"] == "success" and ti["try_number"] > k["try_number"], ti
    import psutil

    assert not [p for p in k["pids"] if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]


def test_no_document_is_duplicated_or_partial(cluster_run):
    with psycopg.connect(cluster_run.url) as c:
        dup = c.execute("select sha256, count(*) from raw.documents group by 1 having count(*) > 1").fetchall()
        partial = c.execute("""select d.document_id, d.cell_count, count(c.document_id)
                                 from raw.documents d left join raw.cells c using (document_id)
                                group by 1, 2 having d.cell_count <> count(c.document_id)""").fetchall()
        orphans = c.execute("select count(*) from raw.cells c where not exists "
                            "(select 1 from raw.documents d where d.document_id = c.document_id)").fetchone()[0]
    assert dup == [] and partial == [] and orphans == 0


def _facts(url: str) -> dict:
    with psycopg.connect(url) as c:
        q = lambda sql: sorted(c.execute(sql).fetchall())  # noqa: E731
        run = c.execute("select run_id from dq.check_runs order by started_at desc limit 1").fetchone()[0]
        return {
            "documents": q("select sha256, status, coalesce(error_code, '') from raw.documents"),
            "cells": q("select d.sha256, count(c.*), count(c.*) filter (where c.status = 'ok') from raw.documents d "
                       "left join raw.cells c using (document_id) group by 1"),
            "current": dict(q("select unit_name || ' ' || unit_year, sha256 from raw.documents where is_current")),
            "marts": {m: c.execute(f"select count(*) from marts.{m}").fetchone()[0]
                      for m in ("rpt_report_overview", "fct_applications", "fct_report_cells", "fct_rule_checks",
                                "fct_integrity_checks")},
            "overview": q("select publisher_name, report_year from marts.rpt_report_overview"),
            # rule results keyed by the document they were computed on (its bytes), not its load order
            "rules": q(f"""select d.sha256, r.rule, coalesce(r.rule_scope, ''), r.status
                             from dq.rule_results r join raw.documents d using (document_id)
                            where r.run_id = '{run}'"""),
        }


def test_the_warehouse_equals_the_in_process_demo(cluster_run, demo_run):
    """The same documents, cells, marts and rule results as `airflow dags test` gave. One thing may
    differ, by design of the loader: where several renderings of one report (a PDF, its HTML, its scan)
    are loaded, the *last loaded* is current — and with batches in parallel the slow OCR batch finishes
    last, while `dags test` runs it first (measured: 5 of the 8 publisher-years had another current
    rendering). So rule results are compared per document: every current document's results equal
    the demo's for that same document, wherever both made it current; and every document's cells
    (count, how many read) are the same in both."""
    assert demo_run.summary.ok
    cluster, demo = _facts(cluster_run.url), _facts(demo_run.url)
    for key in ("documents", "cells", "marts", "overview"):
        assert cluster[key] == demo[key], key
    assert cluster["current"].keys() == demo["current"].keys()
    same = {sha for unit, sha in cluster["current"].items() if demo["current"][unit] == sha}
    assert same, (cluster["current"], demo["current"])
    pick = lambda facts: [r for r in facts["rules"] if r[0] in same]  # noqa: E731
    assert pick(cluster) == pick(demo) and pick(demo)
    # and as many results per current document everywhere (the same rules ran on each)
    assert len(cluster["rules"]) == len(demo["rules"])


def test_exactly_one_alert_email_arrived(cluster_run):
    assert len(cluster_run.emails) == 1, [message_from_bytes(m)["Subject"] for m in cluster_run.emails]
    msg = message_from_bytes(cluster_run.emails[0], policy=default_policy)
    text = (msg["Subject"] or "") + "".join(p.get_content() for p in msg.walk() if p.get_content_maintype() == "text")
    assert "小王庄镇" in text  # the digest of the failing rules, not a failure notice
