"""Ingest throughput: the `el_annual_reports` batch steps on N documents served over loopback HTTP.

    python benchmarks/ingest_bench.py [-n 1000] [--batch-size 50] [--workers 2]

Renders N random balanced reports (text and HTML, from gongkai.demo.fixtures), serves them with the sample
server, then runs exactly what the DAG's mapped tasks run — ``fetch_step`` per batch (politeness delay
0 on loopback) and ``extract_load_step`` per batch (worker processes, per-document timeout) — against a
fresh database on the embedded Postgres (or WAREHOUSE_URL's server). Prints the figures; asserts nothing.
Airflow's own per-task overhead (a few seconds per mapped task instance) is not included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GONGKAI_FETCH_ALLOW_NETWORKS", "127.0.0.1/32")  # the sample server is on loopback


def render_corpus(out: Path, n: int, seed: int = 7) -> list[dict]:
    from gongkai.demo.fixtures.render import render
    from gongkai.demo.fixtures.spec import random_spec

    rng = random.Random(seed)
    entries = []
    for i in range(n):
        spec = random_spec(rng)
        fmt = "html" if i % 2 else "txt"
        name = f"doc_{i:05d}.{fmt}"
        (out / name).write_bytes(render(spec, fmt))
        entries.append({"file": name, "publisher": spec.publisher, "year": spec.year})
    (out / "manifest.json").write_text(json.dumps({"files": entries}, ensure_ascii=False), encoding="utf-8")
    return entries


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000, help="documents (default 1000)")
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2, help="extraction worker processes per batch")
    args = ap.parse_args()

    import psycopg

    from gongkai.demo.localservers import SampleServer
    from gongkai.fetch.client import FetchTarget
    from gongkai.pipeline import ingest, plan_batches
    from gongkai.pipeline.warehouse import migrate_step
    from gongkai.warehouse import db

    with tempfile.TemporaryDirectory(prefix="gongkai-ingest-bench-") as tmp:
        tmp = Path(tmp)
        corpus = tmp / "corpus"
        corpus.mkdir()
        t = time.perf_counter()
        entries = render_corpus(corpus, args.n)
        render_s = time.perf_counter() - t
        print(f"rendered {args.n} documents in {render_s:.1f} s", flush=True)

        base = os.environ.get("WAREHOUSE_URL") or db.embedded_url(database="postgres")
        name = f"gongkai_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base, autocommit=True) as c:
            c.execute(f'create database "{name}"')
        from urllib.parse import urlparse, urlunparse

        url = urlunparse(urlparse(base)._replace(path="/" + name))
        try:
            migrate_step(url)  # migrations outside the timing
            with SampleServer(corpus) as http:
                targets = [ingest.target_to_dict(FetchTarget(url=f"{http.url}/{e['file']}", publisher=e["publisher"],
                                                             year=e["year"])) for e in entries]
                batches = plan_batches(targets, batch_size=args.batch_size, key=lambda d: d["url"])
                t0 = time.perf_counter()
                fetched = [ingest.fetch_step(b, landing_url=str(tmp / "landing"), url=url, per_host_delay=0.0)
                           for b in batches]
                t1 = time.perf_counter()
                loads = []
                for i, f in enumerate(fetched, 1):
                    loads.append(ingest.extract_load_step(f, url=url, workers=args.workers, timeout_s=60))
                    print(f"  batch {i}/{len(fetched)} loaded", flush=True)
                t2 = time.perf_counter()
            totals = ingest.summarize(fetched, loads)
        finally:
            with psycopg.connect(base, autocommit=True) as c:
                c.execute(f'drop database if exists "{name}" with (force)')

    fetch_s, load_s, total_s = t1 - t0, t2 - t1, t2 - t0
    print(json.dumps(totals["fetch"]), json.dumps(totals["load"]))
    print(f"documents:            {args.n} in {len(batches)} batches of {args.batch_size}")
    print(f"fetch:                {fetch_s:8.1f} s  {args.n / fetch_s:8.1f} docs/s")
    print(f"extract + load:       {load_s:8.1f} s  {args.n / load_s:8.1f} reports/s ({args.workers} workers)")
    print(f"ingest end to end:    {total_s:8.1f} s  {args.n / total_s:8.1f} reports/s")
    print(f"cells loaded:         {totals['load']['cells_loaded']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
