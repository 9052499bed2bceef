"""Where the warehouse is, and how to connect to it.

`WAREHOUSE_URL` (a libpq URL, e.g. ``postgresql://user:pw@host:5432/gongkai``) points at any real
Postgres server. When it is not set, an **embedded Postgres 16** (pgserver) is started on demand with
its data under ``$GONGKAI_DATA_DIR/pg`` (default ``./data/pg``). It listens on a Unix socket (what
gongkai itself uses) and on loopback TCP, ``127.0.0.1:55432`` by default (``GONGKAI_PG_PORT`` chooses
another port, ``0`` any free one), so that BI tools, DBeaver and JDBC drivers can reach it too.
It is a local development server: like pgserver's own socket, loopback connections are trusted.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import psycopg

from gongkai import ports

DEFAULT_DB = "gongkai"
DEFAULT_PORT = 55432
PORT_ENV = "GONGKAI_PG_PORT"
LOOPBACK = ports.LOOPBACK
PortTaken = ports.PortTaken


def data_dir() -> Path:
    return Path(os.environ.get("GONGKAI_DATA_DIR", "data")).resolve()


def choose_port(setting: str | None = None) -> int:
    """The TCP port to start the embedded server on: `setting` (default: GONGKAI_PG_PORT) if given — 0
    means any free port — else DEFAULT_PORT, or a free port (with a warning) when another program has it."""
    return ports.choose(os.environ.get(PORT_ENV) if setting is None else setting, DEFAULT_PORT, PORT_ENV,
                        "the embedded Postgres")


def _start_with_tcp(pgdata: Path, system_user: str | None, logfile: Path) -> None:
    """Start a stopped server listening on its socket and on loopback TCP (pgserver itself starts it
    with `-h ""`, socket only, and a command-line option wins over postgresql.conf)."""
    from pgserver import pg_ctl
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import ensure_prefix_permissions, find_suitable_socket_dir

    socket_dir = find_suitable_socket_dir(pgdata, PostgresServer.runtime_path)
    if system_user is not None and socket_dir != pgdata:  # as pgserver does when it runs as root
        ensure_prefix_permissions(socket_dir)
        socket_dir.chmod(0o777)
    port = choose_port()
    pg_ctl(["-w", "-o", f"-h {LOOPBACK}", "-o", f"-p {port}", "-o", f"-k {socket_dir}",
            "-l", str(logfile), "start"], pgdata=pgdata, user=system_user, timeout=30)


@cache
def _embedded_server(pgdata: str):
    from pgserver.postgres_server import PostgresServer  # heavy import: only when the server is used
    from pgserver.utils import PostmasterInfo

    class _Server(PostgresServer):
        def ensure_postgres_running(self) -> None:
            info = PostmasterInfo.read_from_pgdata(self.pgdata)
            if info is None or not info.is_running():
                _start_with_tcp(self.pgdata, self.system_user, self.log)
            super().ensure_postgres_running()  # finds it running and reads postmaster.pid

    path = Path(pgdata).resolve()
    path.mkdir(parents=True, exist_ok=True)
    server = PostgresServer._instances.get(path)
    if server is None:
        # cleanup_mode=None: the server keeps running after this process exits, so successive CLI
        # calls and Airflow task processes share it. `gongkai warehouse stop` (or pg_ctl) stops it.
        try:
            return _Server(path, cleanup_mode=None)
        except BaseException:
            PostgresServer._instances.pop(path, None)  # not half-registered: a later call starts afresh
            raise
    if not server.get_postmaster_info().is_running():  # stopped since this process attached
        with PostgresServer._lock:
            server.ensure_postgres_running()
    return server


def _server_uri(info, database: str, tcp: bool = False) -> str | None:
    """A libpq URL of the running server: its socket (with the port, which names the socket file),
    or with `tcp` its loopback address (None when it does not listen on TCP)."""
    if tcp:
        if not info.hostname or info.hostname in ("*", ""):
            return None
        return f"postgresql://postgres@{info.hostname}:{info.port}/{database}"
    return f"postgresql://postgres:@/{database}?host={info.socket_dir}&port={info.port}"


def embedded_url(pgdata: Path | None = None, database: str = DEFAULT_DB, tcp: bool = False) -> str | None:
    """URL of `database` (created if missing) on the embedded server, started if needed: over its
    Unix socket, or with `tcp` over loopback TCP (None if that server was started without TCP)."""
    info = _embedded_server(str(pgdata or data_dir() / "pg")).get_postmaster_info()
    with psycopg.connect(_server_uri(info, "postgres"), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'create database "{database}"')
    return _server_uri(info, database, tcp=tcp)


def warehouse_url() -> str:
    """The warehouse URL: `WAREHOUSE_URL` when set, otherwise the embedded server (started if needed)."""
    url = os.environ.get("WAREHOUSE_URL")
    return url if url else embedded_url()


def is_embedded() -> bool:
    return not os.environ.get("WAREHOUSE_URL")


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url or warehouse_url(), **kwargs)


def url_parts(url: str) -> dict[str, str | int]:
    """host/port/user/password/dbname of a libpq URL (a socket directory in ?host= is honoured);
    used to write dbt profiles and Airflow connections."""
    u = urlparse(url)
    q = parse_qs(u.query)
    host = q.get("host", [u.hostname or "localhost"])[0]
    return {
        "host": host,
        "port": u.port or int(q.get("port", ["5432"])[0]),
        "user": unquote(u.username or q.get("user", ["postgres"])[0]),
        "password": unquote(u.password or ""),
        "dbname": (u.path or "/").lstrip("/") or q.get("dbname", ["postgres"])[0],
    }


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Stop the embedded server of `pgdata` (default: the project's) if it runs. True if it was stopped."""
    import subprocess

    import pgserver

    pgdata = Path(pgdata or data_dir() / "pg")
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None  # as pgserver runs it
    try:
        pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        return False
    finally:
        _embedded_server.cache_clear()
    return True
