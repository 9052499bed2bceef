import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from gongkai.warehouse import db


def _gongkai(*args, env):
    return subprocess.run([str(Path(sys.executable).with_name("gongkai")), *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli_env():
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_URL"}
    data = Path("/tmp") / f"gongkai-cli-wh-{os.getpid()}"
    env["GONGKAI_DATA_DIR"] = str(data)
    yield env
    _gongkai("warehouse", "stop", env=env)
    subprocess.run(["rm", "-rf", str(data)])


def test_warehouse_url_starts_and_stop_stops_the_embedded_server(cli_env):
    data = Path(cli_env["GONGKAI_DATA_DIR"])
    out = _gongkai("warehouse", "url", env=cli_env)
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip()
    with psycopg.connect(url) as c:
        assert c.execute("select current_database()").fetchone()[0] == "gongkai"
    assert _gongkai("warehouse", "stop", env=cli_env).stdout.strip() == "stopped"
    assert not (data / "pg" / "postmaster.pid").exists()
    assert _gongkai("warehouse", "stop", env=cli_env).stdout.strip() == "not running"


def test_the_embedded_server_listens_on_loopback_tcp_and_its_socket(cli_env):
    with socket.socket() as s:  # a port we know is free (then released for the server)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cli_env["GONGKAI_PG_PORT"] = str(port)
    url = _gongkai("warehouse", "url", env=cli_env).stdout.strip()
    assert url == f"postgresql://postgres@127.0.0.1:{port}/gongkai"  # host:port, as JDBC/DBeaver need
    jdbc = _gongkai("warehouse", "url", "--jdbc", env=cli_env).stdout.strip()
    assert jdbc == f"jdbc:postgresql://127.0.0.1:{port}/gongkai?user=postgres"
    sock = _gongkai("warehouse", "url", "--socket", env=cli_env).stdout.strip()
    assert "?host=/" in sock and f"port={port}" in sock
    for u in (url, sock):
        with psycopg.connect(u) as c:
            assert c.execute("select current_database()").fetchone()[0] == "gongkai"
    with psycopg.connect(url) as c:  # over TCP, not through the socket
        assert c.execute("select inet_server_addr()::text").fetchone()[0].startswith("127.0.0.1")


def test_a_taken_port_falls_back_to_a_free_one_unless_it_was_asked_for(caplog):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        # the fixed default: another program has it → any free port, with a warning saying so
        default = db.DEFAULT_PORT
        try:
            db.DEFAULT_PORT = taken
            chosen = db.choose_port("")
        finally:
            db.DEFAULT_PORT = default
        assert chosen != taken and chosen > 0
        assert f"port {taken} is in use" in caplog.text
        # asked for explicitly (GONGKAI_PG_PORT): a plain error, not a surprise port
        with pytest.raises(db.PortTaken, match=f"port {taken} .* in use"):
            db.choose_port(str(taken))
    assert db.choose_port("0") > 0
    with pytest.raises(db.PortTaken, match="not a port number"):
        db.choose_port("fifty")


def test_a_taken_port_is_one_line_from_the_cli(cli_env):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        cli_env["GONGKAI_PG_PORT"] = str(held.getsockname()[1])
        out = _gongkai("warehouse", "url", env=cli_env)
    assert out.returncode != 0
    assert "Error: port" in out.stderr and "Traceback" not in out.stderr


def test_gongkai_sql_opens_the_bundled_psql_without_runtime_dir_warnings(cli_env):
    """psql comes with the embedded Postgres: `gongkai sql` needs nothing installed. And without
    XDG_RUNTIME_DIR (containers, CI, cron, sudo) no platformdirs warning is printed."""
    cli_env.pop("XDG_RUNTIME_DIR", None)
    cli_env["GONGKAI_PG_PORT"] = "0"
    cli_env["PATH"] = os.pathsep.join(p for p in cli_env["PATH"].split(os.pathsep)
                                      if not (Path(p) / "psql").exists())  # no system psql to fall back on
    out = _gongkai("sql", "-c", "select current_database() as here, 6 * 7 as answer", env=cli_env)
    assert out.returncode == 0, out.stderr
    assert "here" in out.stdout and "gongkai" in out.stdout and "42" in out.stdout
    assert "XDG_RUNTIME_DIR" not in out.stderr and "Warning" not in out.stderr
    piped = subprocess.run([str(Path(sys.executable).with_name("gongkai")), "sql", "-At"], input="select 1 + 1;\n",
                           env=cli_env, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stdout.strip() == "2", piped.stderr
