"""The demo: the whole pipeline, end to end, on the bundled sample corpus, on one machine.

    summary = run_demo()            # what `gongkai demo` / `make demo` runs
    print(summary.render())

Steps: build the sample corpus → start the warehouse (embedded Postgres unless WAREHOUSE_URL is set) and
migrate it → `dbt parse` (the manifest the t_warehouse DAG renders its tasks from) → start a loopback HTTP
server serving the corpus and an SMTP sink writing .eml files → `airflow dags test el_annual_reports`
with the committed demo registry (``registry/demo.yaml``, its ``{base_url}`` pointing at the server), then
`airflow dags test t_warehouse` (subprocesses, SQLite metadata DB under data/airflow) → `dbt docs
generate` → read the summary from the warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gongkai.demo import airflow_env as af
from gongkai.demo.localservers import SmtpSink
from gongkai.demo.website import corpus_years, ensure_corpus, sample_server
from gongkai.fetch.registry import DEMO_REGISTRY
from gongkai.pipeline.warehouse import migrate_step
from gongkai.progress import Progress
from gongkai.warehouse import db
from gongkai.warehouse.dbt import MANIFEST_ENV, dbt_parse, docs_site

DAG_IDS = ("el_annual_reports", "t_warehouse")


def _say(progress: Callable[[str], None] | None, msg: str) -> None:
    if progress:
        progress(msg)


@dataclass
class DemoSummary:
    """What a demo run did (`fetch`, `fetch_failures`, `loaded`: this run only) and what the warehouse
    holds afterwards (`documents`, `cells`, `marts`, the latest check run's `rules`)."""

    seconds: float = 0.0
    dag_runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    fetch: dict[str, int] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    cells: int | None = None
    marts: dict[str, int | None] = field(default_factory=dict)
    rules: dict[str, int] = field(default_factory=dict)
    critical: list[str] = field(default_factory=list)
    yoy: list[str] = field(default_factory=list)
    scorecard: list[str] = field(default_factory=list)
    # R8 (prose against tables) of the latest check run: {pass, fail, uncertain}; claims: prose claims
    # of the current reports
    prose: dict[str, int] = field(default_factory=dict)
    claims: int | None = None
    fetch_failures: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    dbt_docs: str | None = None
    gx_docs: str | None = None
    warehouse: str | None = None
    logs: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.dag_runs) and all(r.get("ok") for r in self.dag_runs.values())

    def render(self) -> str:
        f, d, n = self.fetch, self.documents, self.loaded
        runs = ", ".join(f"{k} {'success' if v.get('ok') else 'FAILED'} ({v.get('seconds', 0):.0f} s)"
                         for k, v in self.dag_runs.items())
        lines = [
            "gongkai demo — summary",
            f"  DAG runs:      {runs}",
            f"  this run:      fetched {f.get('fetched', 0)} new, {f.get('unchanged', 0)} unchanged, "
            f"{f.get('failed', 0)} failed" + (f" ({'; '.join(self.fetch_failures[:3])})" if self.fetch_failures else ""),
            f"                 loaded {n.get('new', 0)} new, {n.get('replaced', 0)} replaced, "
            f"{n.get('quarantined', 0)} quarantined ({n.get('cells', 0)} cells)",
            f"  in warehouse:  {d.get('loaded', 0)} documents loaded ({d.get('current', 0)} current), "
            f"{d.get('quarantined', 0)} quarantined, {self.cells if self.cells is not None else 'n/a'} cells",
            "  marts:         " + (", ".join(f"{k} {v}" for k, v in self.marts.items()) or "n/a"),
            f"  rule results:  {self.rules.get('pass', 0)} pass, {self.rules.get('fail', 0)} fail, "
            f"{self.rules.get('uncertain', 0)} uncertain",
            f"  R8 prose:      {self.prose.get('pass', 0)} pass, {self.prose.get('fail', 0)} fail, "
            f"{self.prose.get('uncertain', 0)} uncertain"
            + (f" ({self.claims} numbers quoted in the current reports' prose)" if self.claims is not None else ""),
        ]
        if self.critical:
            lines.append("  critical:      " + "; ".join(self.critical[:5]) + (" …" if len(self.critical) > 5 else ""))
        for label, items in (("year over year:", self.yoy), ("scorecard:", self.scorecard)):
            lines += [f"  {label if i == 0 else '':<16}{item}" for i, item in enumerate(items)]
        lines += [
            "  e-mail:        " + (", ".join(self.emails) or "none sent"),
            f"  dbt docs:      {self.dbt_docs + ' (one file: open it in a browser, works offline)' if self.dbt_docs else 'n/a'}",
            f"  GX Data Docs:  {self.gx_docs or 'n/a'}",
            f"  warehouse:     {self.warehouse or 'n/a'}",
            f"  Airflow logs:  {self.logs or 'n/a'} (and per task in the UI: `gongkai airflow ui`)",
            f"  wall time:     {self.seconds:.0f} s",
        ]
        return "\n".join(lines)


def _q(conn, sql: str, params=()) -> list[tuple]:
    """A query on a table a failed run may not have created (the marts, dq): [] instead of an error."""
    try:
        with conn.transaction():
            return conn.execute(sql, params).fetchall()
    except Exception:
        return []


@dataclass(frozen=True)
class Since:
    """When a demo run began, by this machine's clock (the fetch log's times are the fetcher's) and by the
    warehouse's (the loader stamps documents with the server's now())."""

    local: datetime
    server: datetime

    @classmethod
    def now(cls, url: str) -> Since:
        with db.connect(url, autocommit=True) as conn:
            server = conn.execute("select now()").fetchone()[0]
        return cls(datetime.now(UTC), server)


def read_summary(url: str, summary: DemoSummary, since: Since | None = None) -> DemoSummary:
    """Fill `summary` from the warehouse: what was fetched and loaded since `since` (the start of this
    run; everything when None), the documents, cells and marts it holds, the latest rule results."""
    local = since.local if since else datetime.min.replace(tzinfo=UTC)
    server = since.server if since else datetime.min.replace(tzinfo=UTC)
    with db.connect(url, autocommit=True) as conn:
        summary.fetch = {s: n for s, n in _q(conn, "select status, count(*) from ops.fetch_log where "
                                                   "coalesce(kind, 'report') <> 'index' and started_at >= %s "
                                                   "group by 1", (local,))}
        summary.fetch_failures = [f"{u.rsplit('/', 1)[-1]}: {c or 'error'}" for u, c in _q(
            conn, "select distinct url, error_code from ops.fetch_log where status = 'failed' and started_at >= %s "
                  "order by 1", (local,))]
        now = _q(conn, """select count(*) filter (where status = 'loaded' and first_loaded_at >= %(t)s),
                                 count(*) filter (where status = 'loaded' and first_loaded_at < %(t)s),
                                 count(*) filter (where status = 'quarantined'),
                                 coalesce(sum(cell_count) filter (where status = 'loaded'), 0)
                            from raw.documents where loaded_at >= %(t)s""", {"t": server})
        if now:
            summary.loaded = dict(zip(("new", "replaced", "quarantined", "cells"), map(int, now[0]), strict=True))
        docs = dict(_q(conn, "select status, count(*) from raw.documents group by 1"))
        cur = _q(conn, "select count(*) from raw.documents where is_current and status = 'loaded'")
        summary.documents = {"loaded": docs.get("loaded", 0), "quarantined": docs.get("quarantined", 0),
                             "current": cur[0][0] if cur else 0}
        cells = _q(conn, "select count(*) from raw.cells")
        summary.cells = cells[0][0] if cells else None
        claims = _q(conn, "select count(*) from raw.claims c join raw.documents d using (document_id) "
                          "where d.is_current and d.status = 'loaded'")
        summary.claims = claims[0][0] if claims else None
        for mart in ("rpt_report_overview", "fct_applications", "fct_report_cells"):
            n = _q(conn, f"select count(*) from marts.{mart}")
            summary.marts[mart] = n[0][0] if n else None
        run = _q(conn, "select run_id, docs_path from dq.check_runs order by started_at desc limit 1")
        if run:
            summary.rules = {str(s).lower(): n for s, n in _q(
                conn, "select status, count(*) from dq.rule_results where run_id = %s group by 1", (run[0][0],))}
            summary.prose = {str(s).lower(): n for s, n in _q(
                conn, "select status, count(*) from dq.rule_results where run_id = %s and rule = 'R8' group by 1",
                (run[0][0],))}
            summary.critical = [f"{r} {p} {y}" for r, p, y in _q(
                conn, "select distinct rule, publisher, report_year from dq.rule_results where run_id = %s "
                      "and upper(status) = 'FAIL' and severity = 'critical' order by 1, 2", (run[0][0],))]
            if run[0][1]:
                summary.gx_docs = run[0][1]
        summary.yoy = analytics_yoy_lines(conn)
        summary.scorecard = analytics_scorecard_lines(conn)
    return summary


def _signed(n, unit: str = "") -> str:
    return f"{'+' if n > 0 else ''}{n:g}{unit}"


def analytics_yoy_lines(conn) -> list[str]:
    """Year over year (marts.fct_measure_yoy): the applications received by the publishers of the latest
    year that have the year before, biggest change first; the carry-over breaks (R7)."""
    rows = _q(conn, """
        select publisher_name, report_year, value, previous_value, change, change_pct
        from marts.fct_measure_yoy
        where measure_code = 'applications.new_received.total' and previous_value is not null
          and report_year = (select max(report_year) from marts.fct_measure_yoy where previous_value is not null)
        order by abs(change) desc nulls last, publisher_name limit 3""")
    lines = [f"{p} {y}: 本年新收申请 {v:g} ({y - 1}: {pv:g}, {_signed(c)}"
             + (f", {_signed(pct, ' %')})" if pct is not None else ")") for p, y, v, pv, c, pct in rows]
    breaks = _q(conn, """
        select publisher_name, report_year, string_agg(column_code, ', ' order by column_code)
        from marts.fct_measure_yoy where carry_over_status = 'FAIL'
        group by 1, 2 order by 2, 1""")
    if breaks:
        lines.append("R7 上年结转 ≠ last year's 结转下年度: "
                     + "; ".join(f"{p} {y} ({cols})" for p, y, cols in breaks[:3]) + (" …" if len(breaks) > 3 else ""))
    return lines


def analytics_scorecard_lines(conn) -> list[str]:
    """The transparency scorecard (marts.fct_transparency_scorecard): the top and bottom of the latest
    year with more than one report scored, and the late publications."""
    rows = _q(conn, """
        select publisher_name, report_year, total_score, method_version, count(*) over ()
        from marts.fct_transparency_scorecard
        where total_score is not null
          and report_year = (select max(report_year) from marts.fct_transparency_scorecard
                             where total_score is not null group by report_year having count(*) > 1
                             order by 1 desc limit 1)
        order by total_score desc, publisher_name""")
    lines = []
    if rows:
        (tp, year, ts, method, n), (bp, _, bs, _, _) = rows[0], rows[-1]
        lines.append(f"{year} (method {method}, {n} scored): top {tp} {ts:g}, bottom {bp} {bs:g}")
    late = _q(conn, """
        select publisher_name, report_year, days_late from marts.fct_transparency_scorecard
        where timeliness = 'late' order by report_year, publisher_name""")
    unknown = _q(conn, "select count(*) from marts.fct_transparency_scorecard where timeliness = 'unknown'")
    if late or unknown:
        lines.append("late: " + ("; ".join(f"{p} {y} ({d} days)" for p, y, d in late[:3]) or "none")
                     + (f"; publication date unknown: {unknown[0][0]} reports" if unknown and unknown[0][0] else ""))
    return lines


def build_dbt_docs(url: str, target: Path) -> str | None:
    """The dbt docs into `target`: the single-file site's path (it opens from disk), or None on failure."""
    try:
        page = docs_site(url, target)
    except Exception as e:  # the docs are a convenience: never fail the demo for them
        print(f"dbt docs generate failed: {e}")
        return None
    return str(page) if page else None


def demo_env(url: str, smtp: tuple[str, int], samples_url: str, data: Path, manifest: Path,
             home: Path | None = None) -> dict[str, str]:
    """The environment of the demo's Airflow (`dags test` or a cluster): the warehouse and SMTP
    connections, the sample server allowed on loopback, the landing store and dbt manifest in `data`."""
    return af.airflow_env(
        warehouse_url=url,
        smtp=smtp,
        home=home,
        extra={
            "GONGKAI_SAMPLES_URL": samples_url,
            "GONGKAI_FETCH_ALLOW_NETWORKS": "127.0.0.1/32",  # the sample server is on loopback
            "GONGKAI_LANDING_URL": str(data / "landing"),
            "GONGKAI_ALERT_TO": "gongkai-alerts@localhost",
            "GONGKAI_DATA_DIR": str(data),
            MANIFEST_ENV: str(manifest),
        },
    )


def chain_conf(years: Sequence[int]) -> dict[str, dict]:
    """The conf of each DAG's demo run: the corpus' years, the demo registry, no politeness delay."""
    return {"el_annual_reports": {"years": list(years), "registry": str(DEMO_REGISTRY), "fetch_delay_s": 0.0},
            "t_warehouse": {"years": list(years)}}


def _dag_test(dag_id: str, env: dict[str, str], conf: dict, echo: bool,
              task_progress: Callable[[str, int | None], Progress] | None) -> af.DagTestResult:
    """One `airflow dags test`, with a progress display whose total is the task count of the previous run
    of that DAG (its log), when there was one."""
    if task_progress is None:
        return af.run_dag_test(dag_id, env, conf=conf, echo=echo)
    expected = af.tasks_in_log(Path(env["AIRFLOW_HOME"]) / "dags-test-logs" / f"{dag_id}.log")
    with task_progress(dag_id, expected) as bar:
        def on_task(finished: int, running: str) -> None:
            bar.update(finished, total=max(finished, bar.total) if bar.total else None, note=running)

        return af.run_dag_test(dag_id, env, conf=conf, echo=echo, on_task=on_task)


def run_demo(
    *,
    data_dir: Path | None = None,
    rebuild_corpus: bool = False,
    progress: Callable[[str], None] | None = print,
    echo_airflow: bool = False,
    dags: Sequence[str] = DAG_IDS,
    airflow_db_cache: Path | None = None,
    task_progress: Callable[[str, int | None], Progress] | None = None,
) -> DemoSummary:
    """Run the demo; returns its summary (``.ok`` tells whether every DAG run succeeded). `dags` names the
    DAGs to run, in order (default both); `airflow_db_cache` is a folder where a migrated Airflow metadata
    DB is kept for the next fresh data folder. `task_progress(dag_id, expected_tasks)` makes the progress
    display of a DAG run (fed its finished task count and running task)."""
    t0 = time.perf_counter()
    data = Path(data_dir).resolve() if data_dir else db.data_dir()
    os.environ["GONGKAI_DATA_DIR"] = str(data)
    summary = DemoSummary()
    corpus = ensure_corpus(data / "samples", rebuild=rebuild_corpus, progress=progress)
    years = corpus_years(corpus)

    _say(progress, "starting the warehouse (embedded Postgres unless WAREHOUSE_URL is set) …")
    url = db.warehouse_url()
    migrate_step(url)
    since = Since.now(url)
    summary.warehouse = ("WAREHOUSE_URL" if not db.is_embedded() else
                         f"embedded Postgres, data in {data / 'pg'} (still running: `gongkai warehouse url` to query it, `gongkai warehouse stop` to stop it)")

    mail_dir = data / "demo" / "mail"
    if mail_dir.exists():
        shutil.rmtree(mail_dir)

    _say(progress, "dbt parse (the manifest the t_warehouse DAG renders its dbt tasks from) …")
    manifest = dbt_parse(data / "dbt" / "target")

    with sample_server(corpus, data / "demo" / "http_port") as http, SmtpSink(mail_dir) as smtp:
        _say(progress, f"sample corpus on {http.url}  ·  SMTP sink on {smtp.host}:{smtp.port} → {mail_dir}")
        env = demo_env(url, (smtp.host, smtp.port), http.url, data, manifest)
        _say(progress, f"Airflow metadata DB (SQLite) in {env['AIRFLOW_HOME']} …")
        spent = af.ensure_metadata_db(env, cache_dir=airflow_db_cache)
        if spent:
            _say(progress, f"  `airflow db migrate` took {spent:.0f} s (cached from now on)")
        summary.logs = str(Path(env["AIRFLOW_HOME"]) / "dags-test-logs")
        conf_of = chain_conf(years)
        for dag_id in dags:
            conf = conf_of[dag_id]
            _say(progress, f"airflow dags test {dag_id} {json.dumps(conf, ensure_ascii=False)} …")
            res = _dag_test(dag_id, env, conf, echo_airflow, task_progress)
            summary.dag_runs[dag_id] = {"ok": res.ok, "seconds": res.seconds, "log": str(res.log_path),
                                        "state": res.state, "returncode": res.returncode}
            _say(progress, f"  {dag_id}: {'success' if res.ok else 'FAILED'} in {res.seconds:.0f} s "
                           f"(log: {res.log_path})")
            if not res.ok:
                break
        summary.emails = [str(p) for p in smtp.messages()]

    if summary.ok and "t_warehouse" in dags:
        _say(progress, "dbt docs generate …")
        summary.dbt_docs = build_dbt_docs(url, data / "dbt_docs")
    read_summary(url, summary, since)
    gx = data / "gx_docs"
    if not summary.gx_docs and gx.exists():
        summary.gx_docs = str(next(iter(sorted(gx.rglob("index.html"))), gx))
    summary.seconds = time.perf_counter() - t0
    return summary
