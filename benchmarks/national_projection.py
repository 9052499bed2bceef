"""National scale on paper: how many workers a year of 政府信息公开工作年度报告 needs, and where the
bottleneck moves. Arithmetic from stated inputs (each one a measured figure of this repository or an
assumption said as such), so the table in docker/README.md is reproducible:

    .venv/bin/python benchmarks/national_projection.py                 # the table from the inputs below
    .venv/bin/python benchmarks/national_projection.py --measure       # re-measure the text-PDF page first
    .venv/bin/python benchmarks/national_projection.py --ocr-s 4.5     # any input can be overridden

The model: fetch, extraction and OCR run in parallel on the Celery workers (batches overlap: a batch is
extracted while the next is fetched), so their wall time is the largest of
  * fetch politeness: the busiest host's requests × the delay between two request starts to one host
    (gongkai.fetch.client.FetchSettings: 0.5 s, i.e. ≤ 2 requests/s per host, whatever the workers);
  * download: the bytes over the cluster's link;
  * CPU: text pages + OCR pages + one task-process start per batch, over workers × cores;
and the warehouse stages that follow run once, on one Postgres, whatever the number of workers
(loads serialise on an advisory lock; dbt and the checks are one run each): load, dbt build, checks,
scaled linearly from `benchmarks/scale_bench.py`'s 100,000-report figures. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Inputs:
    reports: int = 150_000          # reports a year, nationally (issue 8)
    scan_share: float = 0.10        # share of scanned reports (issue 8)
    pages: float = 5.0              # pages per report (issue 8; the real reports in shared/real: 5)
    text_page_cpu_s: float = 0.016  # extraction CPU per text-PDF page: README "PDFium path" 13.8–16.2 ms
    ocr_page_cpu_s: float = 2.0     # OCR CPU per scanned page: README ocr_bench 1.8–2.0 CPU-s
    batch: int = 25                 # documents per extract_load_batch task (README, el_annual_reports)
    task_start_cpu_s: float = 12.0  # a task process's start: import Airflow, parse the DAG file, import the
    #                                 task's libraries — orchestration_bench.py --cold, a fresh `airflow tasks
    #                                 test` process (an upper bound: a Celery worker forks with Airflow loaded)
    requests_per_report: float = 2.0  # the document + its share of index pages and conditional re-checks
    hosts: int = 3_000              # assumption: about one portal per county-level unit (2,800) + provinces
    busiest_host_share: float = 0.03  # assumption: a provincial platform hosting 3 % of all reports
    host_delay_s: float = 0.5       # FetchSettings.per_host_delay (≤ 2 request starts a second per host)
    text_mb: float = 0.4            # assumption: a text PDF
    scan_mb: float = 3.0            # assumption: a scanned PDF (5 pages at ~600 KB)
    link_mbit: float = 200.0        # assumption: the cluster's download bandwidth
    cores_per_worker: int = 2       # a worker like this machine
    cpu_efficiency: float = 0.8     # share of a core a CPU-bound task gets (scheduling, I/O waits)
    load_s_100k: float = 148.0      # scale_bench: load of 100,000 reports
    dbt_s_100k: float = 444.0       # scale_bench: dbt build (full) at 100,000 reports
    checks_s_100k: float = 68.0     # scale_bench: checks at 100,000 reports
    peak_day_share: float = 0.20    # assumption: the share published on the busiest day (31 January)


def measure_text_page_cpu(rounds: int = 3) -> float | None:
    """CPU seconds per page of the whole extraction (`extractors.api.extract`) over the real PDFs in
    ../shared/real (best of `rounds`); None without them."""
    sys.path.insert(0, str(ROOT))
    import pdfplumber

    from extractors.api import extract

    pdfs = sorted((ROOT.parent / "shared" / "real").glob("*.pdf"))
    if not pdfs:
        return None
    pages = 0
    for p in pdfs:
        with pdfplumber.open(p) as pl:
            pages += len(pl.pages)
    for p in pdfs:
        extract(p)  # warm imports and caches
    best = math.inf
    for _ in range(rounds):
        t = time.process_time()
        for p in pdfs:
            extract(p)
        best = min(best, time.process_time() - t)
    return best / pages


def stages(i: Inputs, workers: int, reports: int | None = None) -> dict[str, float]:
    """Wall hours of each stage for `reports` (default: the year) on `workers` workers."""
    n = reports if reports is not None else i.reports
    scans, texts = n * i.scan_share, n * (1 - i.scan_share)
    cpu_text = texts * i.pages * i.text_page_cpu_s
    cpu_ocr = scans * i.pages * i.ocr_page_cpu_s
    cpu_tasks = math.ceil(n / i.batch) * i.task_start_cpu_s
    cores = workers * i.cores_per_worker * i.cpu_efficiency
    busiest = n * i.busiest_host_share * i.requests_per_report
    return {
        "fetch politeness": busiest * i.host_delay_s / 3600,
        "download": (texts * i.text_mb + scans * i.scan_mb) * 8 / i.link_mbit / 3600,
        "text extraction": cpu_text / cores / 3600,
        "OCR": cpu_ocr / cores / 3600,
        "task starts": cpu_tasks / cores / 3600,
        "CPU (all)": (cpu_text + cpu_ocr + cpu_tasks) / cores / 3600,
        "load": i.load_s_100k * n / 100_000 / 3600,
        "dbt": i.dbt_s_100k * n / 100_000 / 3600,
        "checks": i.checks_s_100k * n / 100_000 / 3600,
    }


PARALLEL = ("fetch politeness", "download", "CPU (all)")
SERIAL = ("load", "dbt", "checks")


def total(s: dict[str, float]) -> tuple[float, str]:
    """(wall hours, the bottleneck): the slowest of the parallel stages, then the warehouse stages."""
    par = max(PARALLEL, key=lambda k: s[k])
    if par == "CPU (all)":  # name the biggest part of the CPU
        par = max(("text extraction", "OCR", "task starts"), key=lambda k: s[k])
        par_h = s["CPU (all)"]
    else:
        par_h = s[par]
    serial = sum(s[k] for k in SERIAL)
    return par_h + serial, (par if par_h >= serial else "warehouse (load + dbt + checks)")


def fmt_h(h: float) -> str:
    return f"{h * 60:.0f} min" if h < 1 else f"{h:.1f} h"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f in fields(Inputs):
        ap.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=f.default)
    ap.add_argument("--measure", action="store_true", help="measure text_page_cpu_s on ../shared/real first")
    ap.add_argument("--workers", default="1,2,4,8,16,32,64", help="worker counts of the table")
    args = ap.parse_args()
    i = Inputs(**{f.name: getattr(args, f.name) for f in fields(Inputs)})
    if args.measure:
        m = measure_text_page_cpu()
        if m is None:
            print("no PDFs in ../shared/real: text_page_cpu_s stays the stated input")
        else:
            print(f"measured: {m * 1000:.1f} ms CPU per text-PDF page (extractors.api.extract, ../shared/real)")
            i.text_page_cpu_s = m

    print("Inputs:")
    for f in fields(Inputs):
        print(f"  {f.name:22} {getattr(i, f.name)}")
    n_scan = i.reports * i.scan_share
    print(f"\nCPU for the year: text pages {i.reports * (1 - i.scan_share) * i.pages * i.text_page_cpu_s / 3600:.1f} "
          f"core-h, OCR {n_scan * i.pages * i.ocr_page_cpu_s / 3600:.1f} core-h, task starts "
          f"{math.ceil(i.reports / i.batch) * i.task_start_cpu_s / 3600:.1f} core-h; "
          f"fetch: busiest host {i.reports * i.busiest_host_share:,.0f} reports, the average host "
          f"{i.reports / i.hosts:,.0f}")

    workers = [int(w) for w in args.workers.split(",")]
    cols = ("fetch politeness", "download", "text extraction", "OCR", "task starts", "load", "dbt", "checks")
    for title, n in (("The whole year at once (first deployment, or a backfill)", i.reports),
                     (f"The busiest day ({i.peak_day_share:.0%} of the year, the 31 January deadline)",
                      round(i.reports * i.peak_day_share))):
        print(f"\n{title}: {n:,} reports, {i.cores_per_worker}-core workers")
        print("| workers | " + " | ".join(cols) + " | total | bottleneck |")
        print("|---:|" + "---:|" * len(cols) + "---:|---|")
        for w in workers:
            s = stages(i, w, n)
            tot, neck = total(s)
            print(f"| {w} | " + " | ".join(fmt_h(s[c]) for c in cols) + f" | **{fmt_h(tot)}** | {neck} |")
    # The window: the reports are due by 31 January and the DAG runs daily until 31 March.
    for w in workers:
        tot, _ = total(stages(i, w, round(i.reports * i.peak_day_share)))
        if tot <= 24:
            print(f"\nThe busiest day fits in a day (before the next 06:00 run) from {w} worker(s) on; the "
                  f"January–March window (90 days) holds the year {24 * 90 / max(total(stages(i, w))[0], 1e-9):.0f}× over.")
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
