"""Where the warehouse is, and how to connect to it.

`WAREHOUSE_URL` (a libpq URL, e.g. ``postgresql://user:pw@host:5432/gongkai``) points at any real
Postgres server. When it is not set, an **embedded Postgres 16** (pgserver) is started on demand with
its data under ``$GONGKAI_DATA_DIR/pg`` (default ``./data/pg``), listening on a Unix socket only.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import psycopg

DEFAULT_DB = "gongkai"


def data_dir() -> Path:
    return Path(os.environ.get("GONGKAI_DATA_DIR", "data")).resolve()


@cache
def _embedded_server(pgdata: str):
    import pgserver  # heavy import: only when the embedded server is used

    Path(pgdata).mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server keeps running after this process exits, so successive CLI
    # calls and Airflow task processes share it. `gongkai warehouse stop` (or pg_ctl) stops it.
    return pgserver.get_server(pgdata, cleanup_mode=None)


def embedded_url(pgdata: Path | None = None, database: str = DEFAULT_DB) -> str:
    server = _embedded_server(str(pgdata or data_dir() / "pg"))
    base = server.get_uri()
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'create database "{database}"')
    return server.get_uri(database)


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
