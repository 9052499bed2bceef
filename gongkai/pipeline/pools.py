"""The Airflow pools that size extraction by the cluster (issue 15) and keep scans apart (issue 12).

* ``gongkai_extract`` — text documents (PDF with a text layer, HTML, DOCX, text). One slot is one
  extraction process; a batch task takes :data:`PROCESSES_PER_TASK` slots (the processes it starts).
* ``gongkai_ocr`` — scanned documents and images. OCR costs ~2 CPU-s a page, 40–100× a text page, so
  scans get their own pool: text batches never queue behind them, and scans can never take more than
  their share of the cluster's cores.

Their sizes follow the cluster: ``GONGKAI_EXTRACT_POOL_SLOTS`` / ``GONGKAI_OCR_POOL_SLOTS`` when set,
else computed from the number of worker machines (``GONGKAI_WORKERS``, default 1) and their cores
(``GONGKAI_WORKER_CORES``, default this machine's): extract = workers × cores, OCR = half of that (at
least one task's worth each). Whoever sets the cluster up creates them — `gongkai airflow pools`
(what `make cluster-demo` and the demo run), or ``airflow pools set NAME SLOTS DESCRIPTION`` — and runs
it again when workers are added. A task whose pool does not exist is never scheduled.

Cheap to import: the DAG file reads the names when it is parsed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

EXTRACT_POOL = "gongkai_extract"
OCR_POOL = "gongkai_ocr"
# Extraction processes one batch task starts (the DAG's default `extract_workers`): its pool slots.
PROCESSES_PER_TASK = 2

WORKERS_ENV = "GONGKAI_WORKERS"
CORES_ENV = "GONGKAI_WORKER_CORES"
EXTRACT_SLOTS_ENV = "GONGKAI_EXTRACT_POOL_SLOTS"
OCR_SLOTS_ENV = "GONGKAI_OCR_POOL_SLOTS"


@dataclass(frozen=True)
class PoolSpec:
    name: str
    slots: int
    description: str


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{name}={raw!r} must be at least 1")
    return value


def pool_specs(workers: int | None = None, cores: int | None = None,
               env: Mapping[str, str] | None = None) -> list[PoolSpec]:
    """The two pools, sized for `workers` worker machines of `cores` cores each (arguments, else the
    environment, else one worker with this machine's cores); explicit slot settings win."""
    env = os.environ if env is None else env
    workers = workers or _int(env, WORKERS_ENV, 1)
    cores = cores or _int(env, CORES_ENV, os.cpu_count() or 1)
    total = workers * cores
    extract = max(PROCESSES_PER_TASK, _int(env, EXTRACT_SLOTS_ENV, total))
    ocr = max(PROCESSES_PER_TASK, _int(env, OCR_SLOTS_ENV, total // 2))
    return [
        PoolSpec(EXTRACT_POOL, extract, f"gongkai text extraction: one slot per extraction process "
                                        f"({workers} workers x {cores} cores)"),
        PoolSpec(OCR_POOL, ocr, "gongkai OCR of scanned documents: one slot per extraction process "
                                "(at most half the cluster's cores by default)"),
    ]


def pools_json(specs: list[PoolSpec]) -> dict:
    """The pools in the form `airflow pools import FILE` reads."""
    return {s.name: {"slots": s.slots, "description": s.description, "include_deferred": False} for s in specs}


def create_pools(specs: list[PoolSpec], env: Mapping[str, str] | None = None, airflow: str = "airflow") -> None:
    """Create or resize the pools in the Airflow metadata DB of `env` (`airflow pools import`, one
    subprocess); raises RuntimeError with Airflow's message when it fails."""
    import json
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="gongkai-pools-") as f:
        json.dump(pools_json(specs), f)
        f.flush()
        proc = subprocess.run([airflow, "pools", "import", f.name], env=dict(env or os.environ),
                              capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"`airflow pools import` failed: {tail[0]}")
