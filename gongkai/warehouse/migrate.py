"""Versioned schema migrations: ``gongkai/warehouse/migrations/NNNN_name.sql``, applied once each,
in order, each in its own transaction, recorded in ``public.schema_migrations``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import psycopg

from gongkai.warehouse import db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def available() -> list[Path]:
    return sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))


def migrate(conn: psycopg.Connection) -> list[str]:
    """Apply pending migrations; return the versions applied. Safe to run concurrently
    (an advisory lock serialises runners)."""
    applied_now: list[str] = []
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(72010001)")
        conn.execute(
            """create table if not exists public.schema_migrations (
                   version text primary key, name text not null, checksum text not null,
                   applied_at timestamptz not null default now())"""
        )
        done = {r[0]: r[1] for r in conn.execute("select version, checksum from public.schema_migrations")}
        for path in available():
            version, name = path.stem.split("_", 1)
            sql = path.read_text(encoding="utf-8")
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if version in done:
                if done[version] != checksum:
                    raise RuntimeError(f"migration {path.name} was changed after it was applied; "
                                       "add a new migration instead")
                continue
            conn.execute(sql)
            conn.execute("insert into public.schema_migrations (version, name, checksum) values (%s, %s, %s)",
                         (version, name, checksum))
            applied_now.append(path.name)
    return applied_now


def status(conn: psycopg.Connection) -> list[tuple[str, datetime | None]]:
    """Every available migration (file name) with the time it was applied, or None when pending."""
    table = conn.execute("select to_regclass('public.schema_migrations')").fetchone()[0]
    done = dict(conn.execute("select version, applied_at from public.schema_migrations").fetchall()) if table else {}
    return [(path.name, done.get(path.stem.split("_", 1)[0])) for path in available()]


@contextmanager
def migrated(url: str | None = None) -> Iterator[psycopg.Connection]:
    """A connection to the warehouse (`url`, else WAREHOUSE_URL or the embedded server) whose schema
    has been migrated; committed when the block ends without an error."""
    with db.connect(url) as conn:
        migrate(conn)
        conn.commit()
        yield conn
        conn.commit()
