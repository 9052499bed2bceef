"""Warehouse test helpers: random balanced records, a migrated database."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse

import psycopg

from extractors.model import Record
from gongkai.demo.fixtures.spec import random_spec
from gongkai.warehouse import migrate


def spec_records(n: int, seed: int = 7) -> list[Record]:
    """`n` random balanced reports with distinct publishers (no supersession among them)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        spec = random_spec(rng)
        spec.publisher = f"测试{i:05d}镇人民政府"
        out.append(spec.record(path=f"<spec {seed}:{i}>"))
    return out


def migrate_url(url: str) -> str:
    with psycopg.connect(url) as conn:
        migrate.migrate(conn)
    return url


@contextmanager
def scratch_warehouse(server_url: str, prefix: str = "gk_scratch") -> Iterator[str]:
    """A new, migrated database on the test server for a module's build; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as c:
        c.execute(f'create database "{name}"')
    try:
        yield migrate_url(urlunparse(urlparse(server_url)._replace(path="/" + name)))
    finally:
        with psycopg.connect(server_url, autocommit=True) as c:
            c.execute(f'drop database if exists "{name}" with (force)')


def registered_name(record: Record, registry) -> str:
    """The registry's name of a sample report's publisher (as the demo loads it): the publisher whose
    name holds the printed one without its 人民政府 (通贵乡 → 兴庆区通贵乡人民政府)."""
    short = re.sub(r"(人民政府|街道办事处|办事处)$", "", record.report.publisher)
    return next(p.name for p in registry if short in p.name)
