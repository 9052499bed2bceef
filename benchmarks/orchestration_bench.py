"""The t_warehouse DAG's dbt task group, per execution mode: task-seconds and wall time.

    .venv/bin/python benchmarks/orchestration_bench.py [--modes local,watcher] [--rounds 1] [--data-dir DIR]
                                                      [--cold] [--no-load]

Loads the sample corpus once (the demo's `airflow dags test el_annual_reports`, embedded Postgres unless
WAREHOUSE_URL is set), then runs `airflow dags test t_warehouse` once per mode and round
($GONGKAI_DBT_EXECUTION=<mode>, see dags/t_warehouse.py) and reads the task instances' recorded durations
from Airflow's metadata DB: the sum over the `dbt_build.*` tasks (task-seconds), the group's wall time
(first start to last end) and the whole DAG run's.

`airflow dags test` runs every task in its own process's memory, one after another: Airflow, cosmos and
dbt are imported once per run. On a Celery worker each task is a fresh process that pays for those
imports, the DAG file's parse and dbt's first parse again. --cold re-runs a sample of the group's tasks
with `airflow tasks test` (a fresh process each, on the same DAG run, so a watcher sensor finds its
model's status) and prints the worker estimate: task-seconds + tasks × (fresh-process time − in-process
time) of that sample. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GROUP = "dbt_build."


def _ts(v) -> datetime | None:
    if v is None:
        return None
    return datetime.fromisoformat(str(v).replace(" ", "T").split("+")[0])


def task_durations(airflow_db: Path, dag_id: str = "t_warehouse") -> dict:
    """The latest run of `dag_id` in the metadata DB: per task (duration, state), and the spans."""
    with sqlite3.connect(airflow_db) as c:
        run_id = c.execute("select run_id from dag_run where dag_id = ? order by id desc limit 1",
                           (dag_id,)).fetchone()[0]
        rows = c.execute("select task_id, state, start_date, end_date, duration from task_instance "
                         "where dag_id = ? and run_id = ?", (dag_id, run_id)).fetchall()
    tasks = {t: {"state": st, "start": _ts(s), "end": _ts(e), "seconds": float(d or 0.0)}
             for t, st, s, e, d in rows}

    def span(ids):
        starts = [tasks[t]["start"] for t in ids if tasks[t]["start"]]
        ends = [tasks[t]["end"] for t in ids if tasks[t]["end"]]
        return (max(ends) - min(starts)).total_seconds() if starts and ends else 0.0

    group = [t for t in tasks if t.startswith(GROUP)]
    return {"run_id": run_id, "tasks": tasks, "group_tasks": len(group),
            "group_task_seconds": sum(tasks[t]["seconds"] for t in group),
            "group_wall": span(group), "dag_wall": span(list(tasks)),
            "states": sorted({tasks[t]["state"] for t in tasks})}


def cold_task(env: dict[str, str], run_id: str, task_id: str) -> tuple[float, float]:
    """`airflow tasks test t_warehouse <task_id> <run_id>` in a fresh process, as a worker runs a task (a new
    interpreter that imports Airflow, parses the DAG file, imports cosmos and dbt, then runs the task):
    (wall seconds, CPU seconds of the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([af_bin(), "tasks", "test", "t_warehouse", task_id, run_id], env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"`airflow tasks test {task_id}` failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def af_bin() -> str:
    from gongkai.demo.airflow_env import airflow_bin

    return airflow_bin()


def cold_sample(d: dict) -> list[str]:
    """The dbt tasks re-run cold: the watcher's producer if any, and three model tasks (the first, the
    middle and the last to finish)."""
    group = sorted((t for t in d["tasks"] if t.startswith(GROUP) and t != GROUP + "dbt_project_test"),
                   key=lambda t: d["tasks"][t]["end"] or datetime.min)
    producer = [t for t in group if t.endswith("dbt_producer_watcher")]
    models = [t for t in group if t.endswith("_run") or t.endswith("_seed")]
    return producer + sorted({models[0], models[len(models) // 2], models[-1]})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modes", default="local,watcher", help="GONGKAI_DBT_EXECUTION values (default local,watcher)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--data-dir", type=Path, help="reuse this data dir (default: a new temporary one)")
    ap.add_argument("--cold", action="store_true", help="also measure a worker task process's cold start")
    ap.add_argument("--per-task", action="store_true", help="print every dbt task's duration")
    ap.add_argument("--no-load", action="store_true", help="--data-dir is loaded already: skip the ingest DAG")
    args = ap.parse_args()

    data = (args.data_dir or Path(tempfile.mkdtemp(prefix="gk_orch_"))).resolve()
    os.environ["GONGKAI_DATA_DIR"] = str(data)
    from gongkai.demo import airflow_env as af
    from gongkai.demo.run import run_demo

    if not args.no_load:
        print(f"data dir {data}: loading the sample corpus (`airflow dags test el_annual_reports`) …", flush=True)
        loaded = run_demo(data_dir=data, dags=("el_annual_reports",), progress=None)
        if not loaded.ok:
            print(f"the load failed: {loaded.dag_runs}")
            return 1
    results: list[tuple[str, dict]] = []
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        for r in range(args.rounds):
            os.environ["GONGKAI_DBT_EXECUTION"] = mode
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            run = run_demo(data_dir=data, dags=("t_warehouse",), progress=None)
            wall = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            home = Path(af.airflow_home())
            d = task_durations(home / "airflow.db")
            d.update(mode=mode, round=r + 1, ok=run.ok, process_wall=wall, process_cpu=cpu)
            results.append((mode, d))
            print(f"{mode:8} round {r + 1}: {'ok' if run.ok else 'FAILED'}  dbt group {d['group_tasks']} tasks, "
                  f"{d['group_task_seconds']:.1f} task-s, wall {d['group_wall']:.1f} s; DAG run "
                  f"{d['dag_wall']:.1f} s; demo step {wall:.1f} s wall, {cpu:.1f} s CPU (incl. dbt docs)",
                  flush=True)
            if args.per_task:
                for tid, ti in sorted(d["tasks"].items(), key=lambda kv: kv[1]["start"] or datetime.min):
                    print(f"    {tid:60} {ti['state']:10} {ti['seconds']:7.2f} s")
    os.environ.pop("GONGKAI_DBT_EXECUTION", None)

    for mode, d in results if args.cold else []:
        from gongkai.warehouse import db

        env = af.airflow_env(warehouse_url=db.warehouse_url(),
                             extra={"GONGKAI_DBT_EXECUTION": mode,
                                    "GONGKAI_DBT_MANIFEST": str(data / "dbt" / "target" / "manifest.json")})
        extra, cpus = [], []
        for task_id in cold_sample(d):
            wall, cpu = cold_task(env, d["run_id"], task_id)
            inproc = d["tasks"][task_id]["seconds"]
            extra.append(wall - inproc)
            cpus.append(cpu)
            print(f"  cold {mode:8} {task_id:55} {wall:6.1f} s wall, {cpu:6.1f} s CPU (in dags test: {inproc:.1f} s)",
                  flush=True)
        d["cold_extra"] = sum(extra) / len(extra)
        d["cold_cpu"] = sum(cpus) / len(cpus)

    print()
    print("| mode | dbt tasks | task-seconds (dags test) | group wall s | DAG run wall s |"
          + (" fresh-process extra s/task | worker estimate task-s | fresh-process CPU s/task |" if args.cold else ""))
    print("|---|---:|---:|---:|---:|" + ("---:|---:|---:|" if args.cold else ""))
    for mode, d in results:
        est = (f" {d['cold_extra']:.1f} | {d['group_task_seconds'] + d['group_tasks'] * d['cold_extra']:.0f} |"
               f" {d['cold_cpu']:.1f} |" if args.cold else "")
        print(f"| {mode} (round {d['round']}) | {d['group_tasks']} | {d['group_task_seconds']:.1f} | "
              f"{d['group_wall']:.1f} | {d['dag_wall']:.1f} |{est}")
    return 0 if all(d["ok"] for _, d in results) else 1


if __name__ == "__main__":
    sys.exit(main())
