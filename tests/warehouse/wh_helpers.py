"""Warehouse test helpers: golden seed records, random spec records, a migrated database."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import psycopg

from extractors.model import Record
from gongkai.demo.fixtures.spec import random_spec
from gongkai.warehouse import migrate

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"


def golden_records() -> list[Record]:
    """The hand-checked records of the five seed reports (tests/golden/seed_00N.json), with the
    sha256 of the seed file they describe."""
    out = []
    for f in sorted(GOLDEN.glob("seed_*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        src = dict(d["source"])
        seed_file = ROOT.parent / src["path"]
        if not src.get("sha256"):
            data = seed_file.read_bytes() if seed_file.is_file() else f.read_bytes()
            src["sha256"] = hashlib.sha256(data).hexdigest()
        d["source"] = {k: v for k, v in src.items() if k in ("path", "sha256", "media_type", "pages", "size")}
        d["cells"] = [{"raw": None, "page": None, **{k: v for k, v in c.items()
                                                      if k in ("table", "row", "column", "value", "raw",
                                                               "status", "page")}}
                      for c in d.get("cells", [])]
        d["issues"] = [{"message": "", **{k: v for k, v in i.items()
                        if k in ("code", "message", "table", "row", "column", "page")}}
                       for i in d.get("issues", [])]
        out.append(Record.from_dict(d))
    return out


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


