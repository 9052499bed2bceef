"""Running the demo inside a test session: on a given warehouse database and data folder, with the
process environment as it was before, afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.demo.run import DemoSummary, run_demo


def run_demo_in(data: Path, warehouse_url: str, **kwargs) -> DemoSummary:
    """`run_demo` on `warehouse_url` with everything under `data`; WAREHOUSE_URL and GONGKAI_DATA_DIR
    (which the demo sets for its Airflow subprocesses) are restored afterwards."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_URL", warehouse_url)
        mp.setenv("GONGKAI_DATA_DIR", str(data))
        return run_demo(data_dir=data, progress=print, **kwargs)
