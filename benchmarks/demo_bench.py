"""The demo's end-to-end wall time: `gongkai demo` in a fresh data directory.

    python benchmarks/demo_bench.py [--keep DIR] [--warm]

Cold: a new data dir (corpus rendering, embedded Postgres initdb, `airflow db migrate`, both DAGs).
--warm: run a second time in the same data dir (corpus, Postgres and Airflow's metadata DB cached).
Prints the wall time of each run and the demo's own summary. Asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(data_dir: Path) -> float:
    gongkai = Path(sys.executable).with_name("gongkai")
    cmd = [str(gongkai) if gongkai.exists() else sys.executable, *([] if gongkai.exists() else ["-m", "gongkai.cli"]),
           "demo", "--data-dir", str(data_dir)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    took = time.perf_counter() - t
    print(proc.stdout)
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        print(f"demo failed (exit {proc.returncode}) after {took:.0f} s")
    return took


def stop_embedded(pgdata: Path) -> None:
    """Stop the embedded Postgres the demo left running (pgserver runs it as user `pgserver` under root)."""
    if not (pgdata / "postmaster.pid").exists():
        return
    import os

    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="use (and keep) this data dir instead of a temporary one")
    ap.add_argument("--warm", action="store_true", help="also time a second, warm run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="gongkai-demo-bench-") as tmp:
        data = args.keep or Path(tmp)
        cold = run(data)
        print(f"demo wall time (cold): {cold:.0f} s")
        if args.warm:
            warm = run(data)
            print(f"demo wall time (warm): {warm:.0f} s")
        if not args.keep:
            stop_embedded(data / "pg")  # the embedded server the demo started (it outlives the demo)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
