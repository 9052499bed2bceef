"""A check run on a warehouse without marts: recorded as `error`, and the CLI says what to do."""

from __future__ import annotations

import psycopg
import pytest
from click.testing import CliRunner


def test_run_without_marts_is_recorded_as_error(fresh_db_url):
    from gongkai.quality.runner import run_checks

    with psycopg.connect(fresh_db_url) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            run_checks(conn, run_id="no-marts", build_docs=False)
        conn.rollback()
        row = conn.execute("select status, finished_at is not null from dq.check_runs where run_id = 'no-marts'"
                           ).fetchone()
    assert row == ("error", True)


def test_cli_without_marts_says_run_transform(fresh_db_url, monkeypatch, tmp_path):
    from gongkai.cli import main

    monkeypatch.setenv("WAREHOUSE_URL", fresh_db_url)
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(tmp_path))
    res = CliRunner().invoke(main, ["check", "--no-docs"])
    assert res.exit_code == 1 and "gongkai transform" in res.output
