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
import re
import warnings
from collections.abc import Sequence
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


def _import_pgserver() -> None:
    """Import pgserver (heavy: only when the embedded server is used) without the warning platformdirs
    gives, at its import, when XDG_RUNTIME_DIR is unset (containers, CI, cron, sudo): pgserver then puts
    its sockets under /tmp/runtime-<uid>, which is fine, and the warning only alarms."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver  # noqa: F401


def _start_with_tcp(pgdata: Path, system_user: str | None, logfile: Path) -> None:
    """Start a stopped server listening on its socket and on loopback TCP (pgserver itself starts it
    with `-h ""`, socket only, and a command-line option wins over postgresql.conf)."""
    _import_pgserver()
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
    _import_pgserver()
    from pgserver.postgres_server import PostgresServer
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


EXIT_UNREACHABLE = 69  # sysexits.h EX_UNAVAILABLE: what every command exits with when it cannot connect


class WarehouseUnreachable(psycopg.OperationalError):
    """The warehouse cannot be connected to: unreachable, refused, wrong or no password, missing database,
    malformed URL. Its message is one line — psycopg's reason, the URL with its password masked and a
    hint — and never holds the password (the psycopg error it replaces may quote it: it is not chained)."""

    def __init__(self, reason: str, url: str, hint: str) -> None:
        self.reason, self.url, self.hint = reason, url, hint
        super().__init__(f"cannot connect to the warehouse {url}: {reason} — {hint}")


_HINTS = (
    ("password authentication failed", "check the user and password in WAREHOUSE_URL "
                                       "(percent-encode @ : / in the password)"),
    ("no password supplied", "this server wants a password: put it in WAREHOUSE_URL "
                             "(postgresql://USER:PASSWORD@HOST:PORT/DB)"),
    ("role", "check the user name in WAREHOUSE_URL (or create that role on the server)"),
    ("does not exist", "create that database (CREATE DATABASE …) or fix its name in WAREHOUSE_URL"),
    ("timeout expired", "is the host reachable (firewall, VPN)? check HOST:PORT in WAREHOUSE_URL"),
    ("Servname not supported", "check the port in WAREHOUSE_URL (a number)"),
    ("failed to resolve host", "check the host name in WAREHOUSE_URL"),
    ("could not translate host", "check the host name in WAREHOUSE_URL"),
    ("Connection refused", "is Postgres running there? check HOST:PORT in WAREHOUSE_URL, or unset it to "
                           "use the embedded Postgres"),
    ("No such file or directory", "the embedded Postgres is not running at that socket: unset WAREHOUSE_URL "
                                  "and run the command again to start it"),
)
_MALFORMED_HINT = "expected postgresql://USER:PASSWORD@HOST:PORT/DBNAME (percent-encode special characters)"


def _password_of(url: str) -> str | None:
    """The password in a URL or key=value connection string, as written (even when it does not parse)."""
    # up to the last @: a password with an unencoded @ or / in it is still all of it
    m = re.search(r"://[^/@\s:]*:(.*)@", url) or re.search(r"\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", url)
    return m.group(1) if m and m.group(1) else None


def masked(text: str, url: str | None = None) -> str:
    """`text` with every password masked: of the URLs in it (``postgresql://me:***@host/db``), in key=value
    form, and the password of `url` (default `text`) wherever it appears, as written or decoded."""
    from gongkai.fetch.netguard import redact

    secret = _password_of(url if url is not None else text)
    for form in sorted({secret, unquote(secret)} if secret else (), key=len, reverse=True):
        if form:
            text = text.replace(form, "***")
    if secret:  # a piece of it that libpq took for a host or a port, quoted in its message
        text = re.sub(r"(['\"])([^'\"]{3,})\1",
                      lambda m: f"{m.group(1)}***{m.group(1)}" if m.group(2) in secret else m.group(0), text)
    out = redact(text) or ""
    return re.sub(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", out)


def shown_url(url: str) -> str:
    """What to print of a warehouse URL: masked; a string that is neither a URL nor key=value pairs (it
    may be anything, a pasted secret included) is not printed at all."""
    if "://" not in url and "=" not in url:
        return "(not a URL)"
    return masked(url)


def unreachable(error: Exception, url: str) -> WarehouseUnreachable:
    """The one-line error for a failed connection to `url`: psycopg's reason (its first line, every form
    of the password masked), the masked URL, and a hint for the likely cause."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0].strip()
    reason = reason.removeprefix("connection failed: ").removeprefix("connection is bad: ")
    reason = masked(" ".join(reason.split()), url)
    if "://" not in url and "=" not in url:  # nothing to tell a secret apart in: quote nothing of it
        reason = re.sub(r'"[^"]*"', '"…"', reason)
    if url.split("?")[0].count("@") > 1:
        hint = "a password with @ : / in it must be percent-encoded in a URL (@ → %40, : → %3A, / → %2F)"
    elif isinstance(error, psycopg.ProgrammingError) or "invalid" in reason and "value" in reason:
        hint = _MALFORMED_HINT
    else:
        hint = next((h for key, h in _HINTS if key in reason), "check WAREHOUSE_URL and that the server is up")
    return WarehouseUnreachable(reason, shown_url(url), hint)


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    """A connection to the warehouse (`url`, default :func:`warehouse_url`). A connection that cannot be
    made raises :class:`WarehouseUnreachable` (one line, no password), which every CLI command prints
    as is and exits with :data:`EXIT_UNREACHABLE`."""
    url = url or warehouse_url()
    try:
        return psycopg.connect(url, **kwargs)
    except (psycopg.OperationalError, psycopg.ProgrammingError) as e:
        raise unreachable(e, url) from None


PSQL_ENV = "GONGKAI_PSQL"


def psql_path() -> Path:
    """The psql to run: $GONGKAI_PSQL, else the one bundled with pgserver's Postgres binaries."""
    if os.environ.get(PSQL_ENV):
        return Path(os.environ[PSQL_ENV])
    _import_pgserver()
    from pgserver._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH / ("psql.exe" if os.name == "nt" else "psql")


def psql_command(url: str, args: Sequence[str] = ()) -> tuple[list[str], dict[str, str]]:
    """argv and environment for psql on `url`: the connection as key=value words without the password,
    which goes in PGPASSWORD (a command line is visible to every user of the machine, `ps`)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = str(password)
    env.setdefault("PGAPPNAME", "gongkai sql")
    return [str(psql_path()), make_conninfo(**params), *args], env


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

    _import_pgserver()
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


def url_with_database(url: str, database: str) -> str:
    """`url` (a libpq URL, TCP or Unix socket) naming `database` instead of its own."""
    from urllib.parse import urlparse, urlunparse

    return urlunparse(urlparse(url)._replace(path="/" + database))
