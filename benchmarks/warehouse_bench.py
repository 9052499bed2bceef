"""Warehouse benchmark: load rate (cells/s) and `dbt build` wall time on a synthetic corpus.

A corpus of N reports (random valid specs, ``gongkai.demo.fixtures.spec.random_spec``; cells only, no
rendering) is loaded into a new database, then ``dbt build`` runs on it.
Targets on the reference machine: ≥ 100,000 cells/s loaded; dbt build of 10,000 reports < 60 s.

    .venv/bin/python benchmarks/warehouse_bench.py [--reports 10000] [--batch-size 500]

Uses WAREHOUSE_URL's server when set, else the embedded one; the benchmark database is dropped after.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from gongkai.demo.fixtures.spec import random_spec  # noqa: E402
from gongkai.warehouse import (  # noqa: E402
    db,
    dbt,  # noqa: E402
    migrate,
)
from gongkai.warehouse.load import load_records  # noqa: E402

PREFIXES = ["安丘市", "灵武市", "淮安市洪泽区", "兴庆区", "滨海新区", "银川市", "潍坊市", "天津市"]
SUFFIXES = ["镇人民政府", "乡人民政府", "街道办事处", "区人民政府"]


def iter_corpus(n: int, seed: int = 2024, *, years_per_publisher: int = 1, first_year: int | None = None):
    """`n` synthetic reports, one at a time (flat memory). With `years_per_publisher` > 1 each publisher
    files that many consecutive years from `first_year` (default: a random year per report)."""
    rng = random.Random(seed)
    for i in range(n):
        pub, k = divmod(i, years_per_publisher)
        year = first_year + k if first_year is not None else None
        spec = random_spec(rng, year=year)
        spec.publisher = f"{PREFIXES[pub % len(PREFIXES)]}第{pub:06d}{SUFFIXES[pub % len(SUFFIXES)]}"
        yield spec.record(path=f"<bench {seed}:{i}>")


def corpus(n: int, seed: int = 2024):
    return list(iter_corpus(n, seed))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--skip-dbt", action="store_true")
    ap.add_argument("--dbt-runs", type=int, default=2, help="dbt builds in a row (the first parses fully)")
    ap.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = ap.parse_args()

    server = os.environ.get("WAREHOUSE_URL") or db.embedded_url(database="postgres")
    name = "gongkai_bench"  # a stable name: dbt's partial parsing survives between runs
    with psycopg.connect(server, autocommit=True) as c:
        c.execute(f'drop database if exists "{name}" with (force)')
        c.execute(f'create database "{name}"')
    url = urlunparse(urlparse(server)._replace(path="/" + name))
    try:
        t = time.perf_counter()
        recs = corpus(args.reports)
        n_cells = sum(len(r.cells) for r in recs)
        print(f"corpus: {len(recs)} reports, {n_cells} cells (generated in {time.perf_counter() - t:.1f} s)")
        with psycopg.connect(url) as conn:
            migrate.migrate(conn)
            conn.commit()
            t = time.perf_counter()
            summary = load_records(conn, ((r, None) for r in recs), batch_size=args.batch_size)
            load_s = time.perf_counter() - t
        rate = summary.cells_loaded / load_s
        print(f"load: {summary}")
        print(f"load: {load_s:.2f} s, {rate:,.0f} cells/s, {summary.documents_seen / load_s:,.0f} reports/s "
              f"(target >= 100,000 cells/s: {'OK' if rate >= 100_000 else 'MISSED'})")
        with psycopg.connect(url) as conn:
            t = time.perf_counter()
            again = load_records(conn, ((r, None) for r in recs), batch_size=args.batch_size)
            print(f"reload (all unchanged): {time.perf_counter() - t:.2f} s, {again.unchanged} unchanged")
        if not args.skip_dbt:
            work = db.data_dir() / "dbt" / "bench"
            for run in range(1, args.dbt_runs + 1):
                t = time.perf_counter()
                ok = dbt.dbt_build(url, target_path=work / "target", profiles_dir=work)
                dbt_s = time.perf_counter() - t
                print(f"dbt build #{run}: {'green' if ok else 'FAILED'} in {dbt_s:.1f} s for {len(recs)} reports "
                      f"(target < 60 s: {'OK' if ok and dbt_s < 60 else 'MISSED'})")
            with psycopg.connect(url) as conn:
                n = conn.execute("select count(*) from marts.fct_report_cells").fetchone()[0]
                print(f"marts.fct_report_cells: {n} rows")
    finally:
        if not args.keep:
            with psycopg.connect(server, autocommit=True) as c:
                c.execute(f'drop database if exists "{name}" with (force)')


if __name__ == "__main__":
    main()
