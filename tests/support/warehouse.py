"""Warehouse test helpers: random balanced records, a migrated database."""

from __future__ import annotations

import random

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
