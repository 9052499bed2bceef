"""Superset on the warehouse: the read-only login, Superset's metadata and admin, the dashboards'
import and the web server — what `gongkai bi` runs, step by step.

Superset keeps everything in ``$GONGKAI_BI_HOME`` (default ``data/bi``): ``superset.db`` (its metadata,
SQLite), ``secrets.json`` (generated on the first start, readable by this user only: Superset's secret
key, the admin's password, the warehouse login's password) and ``superset.log``.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from gongkai import ports
from gongkai.bi import bundle, environment, spec
from gongkai.warehouse import db

BI_ROLE = "gongkai_bi"  # the read-only group role (migration 0003): SELECT on marts, nothing else
BI_LOGIN = "gongkai_superset"  # the login Superset connects as: a member of gongkai_bi, never more
ADMIN = "admin"
DEFAULT_PORT = 8088
PORT_ENV = "GONGKAI_BI_PORT"
LOGIN_URL_ENV = "GONGKAI_BI_WAREHOUSE_URL"  # an existing read-only login to use instead of gongkai_superset
BIND_ENV = "GONGKAI_BI_BIND"  # the address Superset listens on: loopback, unless a container needs 0.0.0.0
CONFIG = Path(__file__).with_name("superset_config.py")
IMPORTER = Path(__file__).with_name("superset_import.py")
PG_TYPES = {"int2": "SMALLINT", "int4": "INTEGER", "int8": "BIGINT", "numeric": "NUMERIC",
            "float4": "REAL", "float8": "DOUBLE PRECISION", "text": "TEXT", "varchar": "VARCHAR",
            "bool": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP WITHOUT TIME ZONE",
            "timestamptz": "TIMESTAMP WITH TIME ZONE"}


class BIError(RuntimeError):
    """Something `gongkai bi` cannot do, said in one line (with a hint)."""


def home() -> Path:
    return Path(os.environ.get("GONGKAI_BI_HOME") or db.data_dir() / "bi").resolve()


def load_secrets(where: Path) -> dict[str, str]:
    """secrets.json of `where`, generated (mode 0600) on the first start. Without it Superset's metadata
    cannot be decrypted, so a lost secrets.json starts Superset's metadata afresh too."""
    path = where / "secrets.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    where.mkdir(parents=True, exist_ok=True)
    (where / "superset.db").unlink(missing_ok=True)
    (where / "state.json").unlink(missing_ok=True)
    values = {"secret_key": secrets.token_urlsafe(48), "admin_password": secrets.token_urlsafe(12),
              "warehouse_password": secrets.token_urlsafe(24)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(values, f, indent=2)
    return values


# ------------------------------------------------------------------------------------------ warehouse

@dataclass(frozen=True)
class Warehouse:
    """Where Superset reaches the warehouse, as the BI login."""

    host: str
    port: int
    dbname: str
    password: str
    user: str = BI_LOGIN

    @property
    def libpq_url(self) -> str:
        where = (f"@/{self.dbname}?host={self.host}&port={self.port}" if self.host.startswith("/")
                 else f"@{self.host}:{self.port}/{self.dbname}")
        return f"postgresql://{quote(self.user, safe='')}:{quote(self.password, safe='')}{where}"

    @property
    def sqlalchemy_uri(self) -> str:
        return self.libpq_url.replace("postgresql://", "postgresql+psycopg2://", 1)

    @property
    def display(self) -> str:
        return self.libpq_url.replace(f":{quote(self.password, safe='')}@", "@")


def ensure_login(admin_url: str, password: str) -> None:
    """Create (or update the password of) the BI login, a member of gongkai_bi and nothing more."""
    with db.connect(admin_url, autocommit=True) as conn:
        # roles are the server's, not the database's: another migrated database may have made gongkai_bi
        migrated = conn.execute("select to_regclass('public.schema_migrations')").fetchone()[0] is not None
        if not migrated or not conn.execute("select 1 from pg_roles where rolname = %s", (BI_ROLE,)).fetchone():
            raise BIError("the warehouse is not migrated (no schema, no role "
                          f"{BI_ROLE}): run `gongkai migrate` (or `make demo`) first")
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (BI_LOGIN,)).fetchone()
        verb = "alter" if exists else "create"
        try:
            conn.execute(sql.SQL(verb + " role {} with login nosuperuser nocreatedb nocreaterole "
                                 "noreplication nobypassrls password {}")
                         .format(sql.Identifier(BI_LOGIN), sql.Literal(password)))
            conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(BI_ROLE), sql.Identifier(BI_LOGIN)))
        except psycopg.errors.InsufficientPrivilege as e:
            raise BIError(f"cannot {verb} the login {BI_LOGIN} ({e.diag.message_primary}): ask the warehouse's "
                          f"owner to run `create role {BI_LOGIN} login password '…' in role {BI_ROLE}`") from None


def warehouse(password: str) -> Warehouse:
    """The warehouse as Superset will reach it, as a read-only login: GONGKAI_BI_WAREHOUSE_URL when set (a
    login that is a member of gongkai_bi, e.g. docker compose's BI_USER), else gongkai_superset, created
    on the embedded server (reached over loopback TCP) or on WAREHOUSE_URL's server."""
    given = os.environ.get(LOGIN_URL_ENV)
    if given:  # used as it is (check_read_only still refuses a superuser)
        parts = db.url_parts(given)
        return Warehouse(str(parts["host"]), int(parts["port"]), str(parts["dbname"]), str(parts["password"]),
                         user=str(parts["user"]))
    url = (db.embedded_url(tcp=True) or db.embedded_url()) if db.is_embedded() else db.warehouse_url()
    ensure_login(db.warehouse_url(), password)
    parts = db.url_parts(url)
    return Warehouse(str(parts["host"]), int(parts["port"]), str(parts["dbname"]), password)


def check_read_only(conn: psycopg.Connection) -> None:
    """Superset's login must not be a superuser and must read the marts through gongkai_bi."""
    row = conn.execute("select rolsuper, pg_has_role(current_user, %s, 'member') from pg_roles "
                       "where rolname = current_user", (BI_ROLE,)).fetchone()
    if row is None or row[0] or not row[1]:
        raise BIError(f"the BI login must be a member of {BI_ROLE} and not a superuser")
    if conn.execute("select to_regclass('marts.rpt_report_overview')").fetchone()[0] is None:
        raise BIError("the warehouse has no marts yet: run `make demo` (sample data) or `gongkai transform`")


def columns_reader(conn: psycopg.Connection):
    """columns_of(dataset) for bundle.files: the dataset's query run as the BI login (no rows)."""
    def columns_of(dataset: spec.Dataset) -> bundle.Columns:
        try:
            cur = conn.execute(f"select * from ({dataset.query}) as dataset limit 0")
        except psycopg.Error as e:
            conn.rollback()
            raise BIError(f"dataset {dataset.name}: {e.diag.message_primary or e}") from None
        out = []
        for col in cur.description:
            info = conn.adapters.types.get(col.type_code)
            name = info.name if info else "text"
            out.append((col.name, PG_TYPES.get(name, name.upper())))
        return out
    return columns_of


def build_bundle(wh: Warehouse) -> tuple[bytes, list[spec.Dashboard]]:
    datasets, dashboards = spec.load()
    with db.connect(wh.libpq_url) as conn:
        check_read_only(conn)
        files = bundle.files(datasets, dashboards, wh.sqlalchemy_uri, columns_reader(conn))
    return bundle.zip_bytes(files), dashboards


# -------------------------------------------------------------------------------------------- Superset

def superset_env(where: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "VIRTUAL_ENV"))}
    env.update(SUPERSET_CONFIG_PATH=str(CONFIG), GONGKAI_BI_HOME=str(where),
               FLASK_APP="superset.app:create_app()", PYTHONWARNINGS="ignore", SUPERSET_ENV="production")
    return env


def _run_logged(cmd: list[str], where: Path, what: str) -> None:
    """Run a command of the BI environment, its output appended to superset.log; one line on failure."""
    with (where / "superset.log").open("a", encoding="utf-8") as log:
        log.write(f"\n$ {what}\n")
        log.flush()
        done = subprocess.run(cmd, env=superset_env(where), stdout=log, stderr=subprocess.STDOUT)
    if done.returncode:
        raise BIError(f"`{what}` failed: see {where / 'superset.log'}")


def _superset(bin_dir: Path, where: Path, *args: str) -> None:
    words = [a for a in args[:2] if not a.startswith("-")]  # never the options: one is the admin password
    _run_logged([str(bin_dir / "superset"), *args], where, " ".join(["superset", *words]))


def prepare(bin_dir: Path, where: Path, admin_password: str) -> None:
    """Superset's metadata DB migrated, its roles and permissions set, the admin created — once per
    BI environment (again after requirements.txt changes)."""
    state_file = where / "state.json"
    state = json.loads(state_file.read_text()) if state_file.is_file() else {}
    wanted = (bin_dir.parent / environment.STAMP).read_text().strip()
    if state.get("prepared") == wanted:
        return
    _superset(bin_dir, where, "db", "upgrade")
    if not state.get("admin"):
        _superset(bin_dir, where, "fab", "create-admin", "--username", ADMIN, "--firstname", "gongkai",
                  "--lastname", "admin", "--email", "admin@localhost", "--password", admin_password)
    _superset(bin_dir, where, "init")
    state_file.write_text(json.dumps({"prepared": wanted, "admin": True}))


def import_dashboards(bin_dir: Path, where: Path, zipped: bytes) -> None:
    """Import the bundle, overwriting what the same UUIDs made before (superset_import.py). The bundle
    holds the warehouse password: written readable by this user only, and removed right after."""
    path = where / "bundle.zip"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(zipped)
    try:
        _run_logged([str(bin_dir / "python"), str(IMPORTER), str(path), ADMIN], where, "superset_import.py")
    finally:
        path.unlink(missing_ok=True)


def choose_port(setting: str | None) -> int:
    return ports.choose(setting if setting is not None else os.environ.get(PORT_ENV), DEFAULT_PORT, PORT_ENV,
                        "Superset")


def serve(bin_dir: Path, where: Path, port: int) -> subprocess.Popen:
    """Superset's web server (gunicorn, threads) on loopback; its log appended to superset.log."""
    log = (where / "superset.log").open("a", encoding="utf-8")
    return subprocess.Popen(
        [str(bin_dir / "gunicorn"), "--bind", f"{os.environ.get(BIND_ENV) or ports.LOOPBACK}:{port}", "--workers", "1",
         "--worker-class", "gthread", "--threads", "8", "--timeout", "120", "--access-logfile", "-",
         "superset.app:create_app()"],
        env=superset_env(where), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(proc: subprocess.Popen, port: int, timeout_s: float = 180.0) -> None:
    """Until Superset answers /health (or its process ends, or `timeout_s` passes)."""
    try:
        ports.wait_http(proc, f"http://{ports.LOOPBACK}:{port}/health", "Superset", timeout_s)
    except ports.NotReady as e:
        raise BIError(str(e)) from None
