"""Every command meets a warehouse it cannot connect to with one line — psycopg's reason, the URL with its
password masked, a hint — and exit status 69, never a traceback and never the password. Against real
servers: a closed loopback port, and a Postgres of this module's own that asks TCP clients for a password
(scram-sha-256) — a wrong one, none, a missing database, an unknown user — and malformed URLs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from gongkai import ports
from gongkai.cli import main
from gongkai.warehouse import db
from tests.support import ROOT

SECRET = "Corr3ct-h0rse:b@ttery/staple"  # characters a URL must percent-encode
WRONG = "wr0ng-pa55word-4711"
ENC = "Corr3ct-h0rse%3Ab%40ttery%2Fstaple"


@pytest.fixture(scope="module")
def password_server():
    """An embedded Postgres of its own whose loopback TCP clients must give a password (its socket stays
    trusted, for setting it up); yields its TCP port. Stopped and removed afterwards."""
    pgdata = Path(tempfile.gettempdir()) / f"gongkai-pw-pg-{os.getpid()}"
    old = os.environ.get(db.PORT_ENV)
    os.environ[db.PORT_ENV] = "0"
    try:
        socket_url = db.embedded_url(pgdata, database="postgres")
        tcp_url = db.embedded_url(pgdata, database="postgres", tcp=True)
    finally:
        os.environ.pop(db.PORT_ENV) if old is None else os.environ.__setitem__(db.PORT_ENV, old)
    with psycopg.connect(socket_url, autocommit=True) as c:
        c.execute(f"alter role postgres password '{SECRET}'")
        c.execute("create role analyst login password 'analyst-pw'")
        hba = Path(c.execute("show hba_file").fetchone()[0])
        hba.write_text("host all all 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        c.execute("select pg_reload_conf()")
    yield int(tcp_url.rsplit(":", 1)[1].split("/")[0])
    db.stop_embedded(pgdata)
    shutil.rmtree(pgdata, ignore_errors=True)


def closed_port() -> int:
    return ports.any_free()  # free now: nothing listens there


def _invoke(url: str, *args: str):
    return CliRunner().invoke(main, list(args), env={"WAREHOUSE_URL": url}, catch_exceptions=True)


def _assert_one_plain_line(result, *must: str) -> str:
    assert result.exit_code == db.EXIT_UNREACHABLE, (result.exit_code, result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("Error: cannot connect to the warehouse ") and "Traceback" not in result.output
    for forbidden in (SECRET, ENC, WRONG, "analyst-pw", "b@ttery", "h0rse", "ttery", "staple"):
        assert forbidden not in result.output
    for m in must:
        assert m in line, line
    return line


COMMANDS = [
    ("migrate",),
    ("migrate", "--list"),
    ("transform",),
    ("check", "--no-docs"),
    ("docs",),
    ("sql", "-c", "select 1"),
    ("export", "rpt_report_overview", "-o", "-"),
    ("fetch", "--db", "--registry", str(ROOT / "registry" / "demo.yaml"), "--base-url", "http://127.0.0.1:9",
     "--dry-run"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_command_says_the_warehouse_is_unreachable_in_one_line(args):
    url = f"postgresql://gongkai:{ENC}@127.0.0.1:{closed_port()}/gongkai"
    line = _assert_one_plain_line(_invoke(url, *args), "Connection refused", "postgresql://gongkai:***@127.0.0.1:",
                                  "is Postgres running there?")
    assert line.count("—") == 1  # reason — hint


def test_load_too(tmp_path, seeds_dir):
    url = f"postgresql://gongkai:{ENC}@127.0.0.1:{closed_port()}/gongkai"
    _assert_one_plain_line(_invoke(url, "load", str(seeds_dir)), "Connection refused")


def test_a_wrong_password(password_server):
    url = f"postgresql://postgres:{WRONG}@127.0.0.1:{password_server}/postgres"
    _assert_one_plain_line(_invoke(url, "migrate"), "password authentication failed for user", "postgres:***@",
                           "check the user and password")


def test_no_password(password_server):
    url = f"postgresql://postgres@127.0.0.1:{password_server}/postgres"
    _assert_one_plain_line(_invoke(url, "migrate"), "no password supplied", "put it in WAREHOUSE_URL")


def test_a_missing_database(password_server):
    url = f"postgresql://postgres:{ENC}@127.0.0.1:{password_server}/no_such_db_here"
    _assert_one_plain_line(_invoke(url, "check", "--no-docs"), 'database "no_such_db_here" does not exist',
                           "create that database")


def test_an_unknown_user(password_server):
    url = f"postgresql://nobody:{ENC}@127.0.0.1:{password_server}/postgres"
    _assert_one_plain_line(_invoke(url, "migrate"), "nobody")


@pytest.mark.parametrize("url, says", [
    (f"postgresql://postgres:{SECRET}@127.0.0.1:5/x", "must be percent-encoded"),
    (f"postgresql://u:{WRONG} x@127.0.0.1:5/x", "unexpected spaces"),
    (f"postgres://u:{WRONG}@127.0.0.1:notaport/db", "for connection option \"port\""),
    (f"http//u:{WRONG}@127.0.0.1/db", "expected postgresql://"),
    (WRONG, "(not a URL)"),
    (f"postgresql://u:{WRONG}%zz@127.0.0.1/x", "invalid percent-encoded token"),
])
def test_a_malformed_url(url, says):
    _assert_one_plain_line(_invoke(url, "migrate"), says)


def test_the_right_password_works_and_leaves_no_trace(password_server, tmp_path):
    """With the right password the commands work — and the password is in no output and no file they
    write (dbt's profiles.yml and logs included)."""
    url = f"postgresql://postgres:{ENC}@127.0.0.1:{password_server}/postgres"
    env = {**os.environ, "WAREHOUSE_URL": url, "GONGKAI_DATA_DIR": str(tmp_path)}
    gk = str(Path(sys.executable).with_name("gongkai"))
    runs = [subprocess.run([gk, *args], env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)
            for args in (["migrate"], ["sql", "-c", "select current_user as who"], ["docs"])]
    for r in runs:
        assert r.returncode == 0, r.stderr[-2000:]
    assert "who" in runs[1].stdout and "postgres" in runs[1].stdout
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "profiles.yml" for p in written) and any(p.suffix == ".log" for p in written)
    for text in [r.stdout + r.stderr for r in runs] + [p.read_bytes().decode("utf-8", "replace") for p in written]:
        assert SECRET not in text and ENC not in text


def test_psql_gets_the_password_from_the_environment_not_its_command_line():
    argv, env = db.psql_command(f"postgresql://postgres:{ENC}@127.0.0.1:5432/gongkai?sslmode=disable", ["-c", "x"])
    assert Path(argv[0]).name == "psql" and Path(argv[0]).is_file()
    assert env["PGPASSWORD"] == SECRET and not any(SECRET in a or ENC in a for a in argv)
    assert "host=127.0.0.1" in argv[1] and "sslmode=disable" in argv[1] and argv[2:] == ["-c", "x"]
