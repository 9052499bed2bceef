"""`gongkai bi` before there is anything to show, and the warehouse login it creates (real Postgres; no
Superset needed: the warehouse is checked before Superset is installed or started)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from gongkai.bi import server

GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def _bi(env, *args):
    return subprocess.run([GONGKAI, "bi", *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def env(fresh_db_url, tmp_path):
    e = {k: v for k, v in os.environ.items() if k not in ("GONGKAI_BI_WAREHOUSE_URL", "GONGKAI_BI_HOME")}
    e.update(WAREHOUSE_URL=fresh_db_url, GONGKAI_DATA_DIR=str(tmp_path),
             GONGKAI_BI_VENV=str(tmp_path / "no-venv-bi"))  # proves nothing is installed on the way out
    return e


def test_an_unmigrated_warehouse_says_what_to_run_in_one_line(env):
    out = _bi(env, "--setup-only")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "run `gongkai migrate` (or `make demo`) first" in out.stderr
    assert not Path(env["GONGKAI_BI_VENV"]).exists()


def test_a_warehouse_without_marts_says_so_and_the_login_is_read_only(env):
    subprocess.run([GONGKAI, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    out = _bi(env, "--setup-only")
    assert out.returncode == 1 and "no marts yet: run `make demo`" in out.stderr, out.stderr
    assert not Path(env["GONGKAI_BI_VENV"]).exists()
    # the login Superset would use: a member of gongkai_bi, nothing more, its password in secrets.json (0600)
    secrets = Path(env["GONGKAI_DATA_DIR"]) / "bi" / "secrets.json"
    assert secrets.stat().st_mode & 0o777 == 0o600
    with psycopg.connect(env["WAREHOUSE_URL"]) as c:
        row = c.execute("select rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, "
                        "pg_has_role(rolname, 'gongkai_bi', 'member') from pg_roles where rolname = %s",
                        (server.BI_LOGIN,)).fetchone()
    assert row == (False, False, False, True, True)


def test_a_superuser_login_is_refused(env, fresh_db_url):
    subprocess.run([GONGKAI, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    env["GONGKAI_BI_WAREHOUSE_URL"] = fresh_db_url  # the test server's superuser
    out = _bi(env, "--setup-only")
    assert out.returncode == 1 and "not a superuser" in out.stderr
