"""Scale benchmark: synthetic corpora of 1k, 10k and 100k reports through load → dbt → checks.

For each size a new database gets a corpus from ``warehouse_bench.iter_corpus`` (cells only, no
rendering): publishers filing five consecutive years 2019–2023 (both format versions; R7 pairs), of
which 2 % cannot be read (quarantined: corrupt, scanned without a text layer), 5 % have blank cells
(UNCERTAIN rules), 2 % do not balance (FAIL) and 1 % are published again with a changed value (the
newer document supersedes the older). R7 fails for most pairs — the synthetic years are drawn
independently — a worst case for the volume of stored failures. Then, each stage in its own process (time, peak RSS of that
process; the Postgres server's own memory is not included):

    load     the corpus (COPY, 500 documents per transaction; ANALYZE when the tables moved)
    dbt      dbt build from scratch (seed, models, data and unit tests)
    checks   gongkai check: the GX suites on the check models, dq.rule_results, GX Data Docs
    +year    a yearly load: 2024 for every publisher (a fifth more reports), then dbt build
             (incremental: only the new documents) and the checks of 2024

and EXPLAIN (ANALYZE) of each mart's headline query. At the end: the table per stage and size, and a
projection to 150,000 reports a year on one box and on N extraction workers.

    .venv/bin/python benchmarks/scale_bench.py [--sizes 1000,10000,100000] [--workers 4,16] [--keep]

Uses WAREHOUSE_URL's server when set, else the embedded one; databases gongkai_scale_<n> are dropped
after (unless --keep).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from warehouse_bench import iter_corpus  # noqa: E402

from extractors.model import BLANK, ExtractionError  # noqa: E402

FIRST_YEAR, YEARS = 2019, 5
NEXT_YEAR = FIRST_YEAR + YEARS
BAD_CODES = ("corrupt_pdf", "no_text_layer")
NATIONAL = 150_000

HEADLINE = {  # mart -> the question BI asks it most
    "dim_government_unit": "select level, count(*) from marts.dim_government_unit group by level",
    "dim_report_year": "select * from marts.dim_report_year",
    "dim_table_section": "select table_code, count(*) from marts.dim_table_section group by table_code",
    "fct_report_cells": "select cell_status, count(*) from marts.fct_report_cells where report_year = {year} "
                        "group by cell_status",
    "fct_applications": "select u.publisher_name, a.report_year, a.new_received from marts.fct_applications a "
                        "join marts.dim_government_unit u using (government_unit_key) "
                        "where u.level = '乡镇/街道' and a.applicant_type = 'total' and a.report_year = {year}",
    "fct_review_litigation": "select report_year, proceeding, sum(total) from marts.fct_review_litigation "
                             "group by 1, 2",
    "fct_proactive_disclosure": "select report_year, item_code, sum(decisions) from "
                                "marts.fct_proactive_disclosure group by 1, 2",
    "rpt_report_overview": "select report_year, balance_status, count(*) from marts.rpt_report_overview "
                           "group by 1, 2",
    "fct_rule_checks": "select rule_id, status, count(*) from marts.fct_rule_checks group by 1, 2",
    "fct_integrity_checks": "select rule_id, status, count(*) from marts.fct_integrity_checks group by 1, 2",
    "dq_rule_summary": "select count(*), sum(fail_count), sum(uncertain_count) from marts.dq_rule_summary",
}


# ---------------------------------------------------------------- the corpus


def _blank(record, rng: random.Random, k: int = 3) -> None:
    apps = [c for c in record.cells if c.table == "applications" and c.value is not None]
    for c in rng.sample(apps, k):
        c.value, c.raw, c.status = None, "", BLANK


def _bump(record, row: str = "total_handled", column: str = "total", delta: int = 1):
    for c in record.cells:
        if (c.table, c.row, c.column) == ("applications", row, column):
            c.value += delta
            c.raw = str(c.value)


def reports(n: int, seed: int, first_year: int = FIRST_YEAR, years: int = YEARS):
    """`n` reports of n/years publishers × `years` years, with the share of bad documents above."""
    rng = random.Random(seed)
    for i, rec in enumerate(iter_corpus(n, seed, years_per_publisher=years, first_year=first_year)):
        u = rng.random()
        if u < 0.02:
            rec.cells, rec.error = [], ExtractionError(rng.choice(BAD_CODES), "synthetic unreadable document")
        elif u < 0.07:
            _blank(rec, rng)
        elif u < 0.09:
            _bump(rec)
        yield rec
        if rng.random() < 0.01 and rec.error is None:  # published again, corrected: supersedes
            again = copy.deepcopy(rec)
            again.source.sha256 = f"{i:064x}"[-64:]
            again.cells[0].value = (again.cells[0].value or 0) + 1
            again.cells[0].raw = str(again.cells[0].value)
            yield again


# ---------------------------------------------------------------- stages (each runs in a child process)


def stage_load(url: str, n: int, seed: int, first_year: int, years: int) -> dict:
    import psycopg

    from gongkai.warehouse import migrate
    from gongkai.warehouse.load import load_records

    with psycopg.connect(url) as conn:
        migrate.migrate(conn)
        conn.commit()
        s = load_records(conn, ((r, None) for r in reports(n, seed, first_year, years)), batch_size=500)
    return s.as_dict()


def stage_dbt(url: str, work: str) -> dict:
    from gongkai.warehouse import dbt as transform

    ok = transform.dbt_build(url, profiles_dir=Path(work), target_path=Path(work) / "target")
    if not ok:
        raise SystemExit("dbt build failed")
    return {"ok": ok}


def stage_checks(url: str, work: str, years: list[int] | None) -> dict:
    import psycopg

    from gongkai.quality.runner import run_checks

    with psycopg.connect(url) as conn:
        run = run_checks(conn, years=years, docs_dir=Path(work) / "gx_docs", detail="critical")
    return {**run.counts(), "reports": run.report_count()}


def stage_explain(url: str, year: int) -> dict:
    import psycopg

    out = {}
    with psycopg.connect(url) as conn:
        for mart, sql in HEADLINE.items():
            (plan,), = conn.execute("explain (analyze, format json) " + sql.format(year=year)).fetchone()
            out[mart] = round(plan["Planning Time"] + plan["Execution Time"], 1)
    return out


STAGES = {"load": stage_load, "dbt": stage_dbt, "checks": stage_checks, "explain": stage_explain}


def run_stage(name: str, log: Path, **kwargs) -> tuple[float, float, float, dict]:
    """Run stage `name` in a child process (its output appended to `log`); (wall seconds, CPU seconds and
    peak RSS MB of the child, its result). The Postgres server's work is in the wall time only."""
    result = log.with_suffix(".result.json")
    cmd = [sys.executable, __file__, "--stage", name, "--args", json.dumps(kwargs), "--result", str(result)]
    t = time.perf_counter()
    with open(log, "a", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"stage {name} failed ({kwargs}); see {log}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, json.loads(result.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the benchmark


def _url(server: str, db: str) -> str:
    return urlunparse(urlparse(server)._replace(path="/" + db))


def bench_size(server: str, n: int, work: Path, keep: bool) -> dict:
    import psycopg

    db = f"gongkai_scale_{n}"
    with psycopg.connect(server, autocommit=True) as c:
        c.execute(f'drop database if exists "{db}" with (force)')
        c.execute(f'create database "{db}"')
    url, w = _url(server, db), work / str(n)
    w.mkdir(parents=True, exist_ok=True)
    log = w / "stages.log"
    rows: dict[str, tuple[float, float, float, dict]] = {}
    try:
        rows["load"] = run_stage("load", log, url=url, n=n, seed=n, first_year=FIRST_YEAR, years=YEARS)
        rows["dbt"] = run_stage("dbt", log, url=url, work=str(w))
        rows["checks"] = run_stage("checks", log, url=url, work=str(w), years=None)
        rows["load +year"] = run_stage("load", log, url=url, n=n // YEARS, seed=n + 1, first_year=NEXT_YEAR,
                                       years=1)
        rows["dbt +year"] = run_stage("dbt", log, url=url, work=str(w))
        rows["checks +year"] = run_stage("checks", log, url=url, work=str(w), years=[NEXT_YEAR])
        explain = run_stage("explain", log, url=url, year=NEXT_YEAR - 1)[-1]
    finally:
        if not keep:
            with psycopg.connect(server, autocommit=True) as c:
                c.execute(f'drop database if exists "{db}" with (force)')
    for stage, (wall, cpu, rss, res) in rows.items():
        print(f"{n:>7,}  {stage:<13} {wall:8.1f} s {cpu:8.1f} s CPU {rss:8.0f} MB  {res}", flush=True)
    return {"stages": {k: v[:3] for k, v in rows.items()}, "explain": explain}


def print_tables(results: dict[int, dict], workers: list[int], extract_s: float) -> None:
    sizes = sorted(results)
    stages = list(next(iter(results.values()))["stages"])
    print("\n## Time and peak memory per stage (wall s, CPU s of the stage's process, its peak RSS MB)\n")
    print("| stage | " + " | ".join(f"{n:,} reports" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for st in stages:
        cells = ["{:.1f} s ({:.1f} s CPU), {:.0f} MB".format(*results[n]["stages"][st]) for n in sizes]
        print(f"| {st} | " + " | ".join(cells) + " |")
    print("\n## EXPLAIN (ANALYZE) of each mart's headline query (planning + execution, ms; "
          f"year-filtered queries on {NEXT_YEAR - 1})\n")
    print("| mart | " + " | ".join(f"{n:,}" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for mart in HEADLINE:
        print(f"| {mart} | " + " | ".join(f"{results[n]['explain'][mart]:.1f}" for n in sizes) + " |")

    big = sizes[-1]
    st = results[big]["stages"]
    year_n = big // YEARS  # reports in one yearly load
    per = {k: st[k][0] / year_n for k in ("load +year", "dbt +year", "checks +year")}
    warehouse_s = NATIONAL * sum(per.values())
    cores = os.cpu_count() or 1
    print(f"\n## Projection to {NATIONAL:,} reports a year (from the yearly load of {year_n:,} reports on top of "
          f"{big:,}, linear)\n")
    print(f"warehouse stages (one Postgres; loaders serialise on an advisory lock, so workers do not speed "
          f"them up): load {per['load +year'] * NATIONAL / 60:.1f} min, dbt (incremental) "
          f"{per['dbt +year'] * NATIONAL / 60:.1f} min, checks {per['checks +year'] * NATIONAL / 60:.1f} min "
          f"= {warehouse_s / 3600:.2f} h")
    print(f"extraction at {extract_s:.2f} CPU s per report (an input, not measured here: see extract_bench.py)\n")
    print("| where | extraction | warehouse | total |")
    print("|---|---|---|---|")
    for label, procs in [(f"one box ({cores} cores)", cores), *[(f"{w} workers × 2 cores", 2 * w) for w in workers]]:
        ex = NATIONAL * extract_s / procs
        print(f"| {label} | {ex / 3600:.1f} h | {warehouse_s / 3600:.2f} h | {(ex + warehouse_s) / 3600:.1f} h |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated corpus sizes")
    ap.add_argument("--workers", default="4,16", help="worker counts for the projection")
    ap.add_argument("--extract-s-per-report", type=float, default=0.5,
                    help="CPU seconds to extract one report (default: 5 pages × ~95 ms, issue 15)")
    ap.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    ap.add_argument("--stage", choices=list(STAGES), help=argparse.SUPPRESS)
    ap.add_argument("--args", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage:  # a child process: run one stage, write its result
        Path(args.result).write_text(json.dumps(STAGES[args.stage](**json.loads(args.args))), encoding="utf-8")
        return

    from gongkai.warehouse import db

    server = os.environ.get("WAREHOUSE_URL") or db.embedded_url(database="postgres")
    work = db.data_dir() / "scale_bench"
    results = {}
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("   size  stage             wall          CPU   peak RSS  result")
    for n in (int(x) for x in args.sizes.split(",")):
        results[n] = bench_size(server, n, work, args.keep)
    print_tables(results, [int(w) for w in args.workers.split(",")], args.extract_s_per_report)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
