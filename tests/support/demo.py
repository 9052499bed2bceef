"""Running the demo inside a test session: on a given warehouse database and data folder, with the
process environment as it was before, afterwards."""

from __future__ import annotations

import os
from pathlib import Path

from gongkai.demo.run import DemoSummary, run_demo


def run_demo_in(data: Path, warehouse_url: str, **kwargs) -> DemoSummary:
    """`run_demo` on `warehouse_url` with everything under `data`; WAREHOUSE_URL and GONGKAI_DATA_DIR are
    restored afterwards."""
    saved = {k: os.environ.get(k) for k in ("WAREHOUSE_URL", "GONGKAI_DATA_DIR")}
    os.environ["WAREHOUSE_URL"] = warehouse_url
    try:
        return run_demo(data_dir=data, progress=print, **kwargs)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
