"""Extract-load steps of the `el_annual_reports` DAG: registry → discover → fetch → extract + load.

Every function takes and returns JSON-serialisable values (what XCom carries between tasks) and is
idempotent: re-running a step fetches conditionally (ETag / Last-Modified), skips documents whose bytes
are already in the warehouse, and the loader itself never duplicates a document.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from gongkai.pipeline.batching import plan_batches

FETCH_BATCH_SIZE = 25
MAX_BATCHES = 256


class MissingComponent(RuntimeError):
    """A part of the pipeline written by another module is not installed / not written yet."""


def _need(module: str, name: str):
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise MissingComponent(f"{module} is missing ({e}); the pipeline needs {module}.{name}") from e
    try:
        return getattr(mod, name)
    except AttributeError:
        raise MissingComponent(f"{module} has no {name}; the pipeline needs {module}.{name}") from None


@contextmanager
def warehouse(url: str | None = None, *, migrate: bool = True):
    """A connection to the warehouse (WAREHOUSE_URL or the embedded server), migrated first."""
    from gongkai.warehouse import db
    from gongkai.warehouse.migrate import migrate as run_migrations

    with db.connect(url) as conn:
        if migrate:
            run_migrations(conn)
        conn.commit()
        yield conn
        conn.commit()


# ---------------------------------------------------------------- registry


def select_publishers(publishers: Sequence, names: Iterable[str] | None) -> list:
    """The publishers named in `names` (all of them when `names` is empty). A name may be the full name
    or its short form (without 人民政府). Unknown names raise ValueError, listing them."""
    wanted = [n.strip() for n in (names or []) if n and n.strip()]
    if not wanted:
        return list(publishers)

    def short(p) -> str:
        return p.short_name() if hasattr(p, "short_name") else p.name

    by_name = {}
    for p in publishers:
        by_name.setdefault(p.name, p)
        by_name.setdefault(short(p), p)
    missing = [n for n in wanted if n not in by_name]
    if missing:
        raise ValueError(f"not in the registry: {', '.join(missing)}")
    out, seen = [], set()
    for n in wanted:
        p = by_name[n]
        if p.name not in seen:
            seen.add(p.name)
            out.append(p)
    return out


def registry_step(
    registry_path: str | None = None, publishers: Iterable[str] | None = None, *, url: str | None = None
) -> list[str]:
    """Read the registry, upsert its publishers into ``raw.registry_publishers``; return the names of the
    selected publishers."""
    load_registry = _need("gongkai.fetch.registry", "load_registry")
    upsert_publishers = _need("gongkai.warehouse.load", "upsert_publishers")
    everyone = load_registry(registry_path or None)
    chosen = select_publishers(everyone, publishers)
    with warehouse(url) as conn:
        upsert_publishers(conn, [p.row() for p in everyone])
    return [p.name for p in chosen]


# ---------------------------------------------------------------- discover


def target_to_dict(t: Any) -> dict[str, Any]:
    return asdict(t)


def target_from_dict(d: dict[str, Any]):
    FetchTarget = _need("gongkai.fetch.client", "FetchTarget")
    names = {f.name for f in fields(FetchTarget)}
    return FetchTarget(**{k: v for k, v in d.items() if k in names})


def _discover_fn():
    for module in ("gongkai.fetch", "gongkai.fetch.discover", "gongkai.fetch.discovery", "gongkai.fetch.client"):
        try:
            import importlib

            fn = getattr(importlib.import_module(module), "discover_targets", None)
        except ModuleNotFoundError:
            continue
        if fn is not None:
            return fn
    raise MissingComponent("gongkai.fetch has no discover_targets(publishers, years, client) yet")


def discover_step(
    names: Sequence[str],
    years: Sequence[int],
    *,
    registry_path: str | None = None,
    landing_url: str | None = None,
    url: str | None = None,
    batch_size: int = FETCH_BATCH_SIZE,
    max_batches: int = MAX_BATCHES,
) -> list[list[dict[str, Any]]]:
    """Find the report URLs of the publishers `names` for `years` (explicit registry URLs, or links found
    on index pages) and cut them into fetch batches of dicts (FetchTarget fields)."""
    if not years:
        raise ValueError("no years given")
    load_registry = _need("gongkai.fetch.registry", "load_registry")
    FetchClient = _need("gongkai.fetch.client", "FetchClient")
    discover_targets = _discover_fn()
    wanted = set(names)
    pubs = [p for p in load_registry(registry_path or None) if p.name in wanted]
    with warehouse(url) as conn, FetchClient(landing_url, conn) as client:
        targets = discover_targets(pubs, [int(y) for y in years], client)
    rows = [target_to_dict(t) for t in targets]
    return plan_batches(rows, batch_size=batch_size, max_batches=max_batches, key=lambda d: d["url"])


# ---------------------------------------------------------------- fetch


def _iso(v: Any) -> str | None:
    return v.isoformat() if isinstance(v, datetime) else (str(v) if v else None)


def result_to_dict(r: Any) -> dict[str, Any]:
    t = r.target
    return {
        "url": getattr(r, "url", None) or t.url,  # a password in the URL masked
        "publisher": t.publisher,
        "year": t.year,
        "status": r.status,
        "http_status": r.http_status,
        "sha256": getattr(r, "sha256", None),
        "landing_path": r.landing_path,
        "media_type": r.media_type,
        "error_code": getattr(r, "error_code", None),
        "error": r.error,
        "fetched_at": _iso(getattr(r, "finished_at", None)),
    }


def fetch_step(
    batch: Sequence[dict[str, Any]], *, landing_url: str | None = None, url: str | None = None, **settings: Any
) -> list[dict[str, Any]]:
    """Fetch one batch of targets into the landing store (conditional GET; each fetch recorded in
    ``ops.fetch_log``). One dict per target: status fetched | unchanged | failed, landing path, sha256."""
    fetch_targets = _need("gongkai.fetch.client", "fetch_targets")
    targets = [target_from_dict(d) for d in batch]
    with warehouse(url) as conn:
        results = fetch_targets(targets, store=landing_url, conn=conn, **settings)
    return [result_to_dict(r) for r in results]


# ---------------------------------------------------------------- extract + load


def documents_to_load(fetched: Sequence[dict[str, Any]], known_sha256: set[str]) -> list[dict[str, Any]]:
    """The fetch results worth extracting: fetched or unchanged, with bytes in the landing store, and not
    already in the warehouse (by sha256). Duplicated bytes (two URLs, one file) are extracted once."""
    out, seen = [], set()
    for d in fetched:
        if d.get("status") not in ("fetched", "unchanged") or not d.get("landing_path"):
            continue
        sha = d.get("sha256")
        if sha and (sha in known_sha256 or sha in seen):
            continue
        if sha:
            seen.add(sha)
        out.append(d)
    return out


def _known_sha256(conn, shas: list[str]) -> set[str]:
    # stored and settled: a transient quarantine (timeout, memory, worker killed) is extracted again
    return _need("gongkai.warehouse.load", "settled_sha256")(conn, shas)


@contextmanager
def _local_copies(docs: Sequence[dict[str, Any]]):
    """Local paths for landing paths: local files as they are, remote ones (s3://…) copied to a temp dir."""
    tmp = None
    paths: list[Path] = []
    try:
        for d in docs:
            lp = str(d["landing_path"])
            if "://" in lp and not lp.startswith("file://"):
                import fsspec

                tmp = tmp or Path(tempfile.mkdtemp(prefix="gongkai-extract-"))
                dest = tmp / os.path.basename(lp)
                with fsspec.open(lp, "rb") as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out)
                paths.append(dest)
            else:
                paths.append(Path(lp.removeprefix("file://")))
        yield paths
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def extract_load_step(
    fetched: Sequence[dict[str, Any]],
    *,
    url: str | None = None,
    workers: int = 2,
    timeout_s: float = 60.0,
) -> dict[str, Any]:
    """Extract one fetch batch's documents in worker processes (per-document timeout) and load them.
    Returns the LoadSummary as a dict plus ``skipped_known`` (bytes already in the warehouse)."""
    load_paths = _need("gongkai.warehouse.load", "load_paths")
    DocumentMeta = _need("gongkai.warehouse.load", "DocumentMeta")
    candidates = [d for d in fetched if d.get("status") in ("fetched", "unchanged") and d.get("landing_path")]
    with warehouse(url) as conn:
        known = _known_sha256(conn, [d["sha256"] for d in candidates if d.get("sha256")])
        docs = documents_to_load(candidates, known)
        summary: dict[str, Any] = {"documents_seen": 0, "loaded": 0, "unchanged": 0, "replaced": 0,
                                   "quarantined": 0, "cells_loaded": 0}
        if docs:
            with _local_copies(docs) as paths:
                meta = {}
                for p, d in zip(paths, docs, strict=True):
                    fetched_at = datetime.fromisoformat(d["fetched_at"]) if d.get("fetched_at") else None
                    meta[str(p)] = DocumentMeta(
                        source_url=d.get("url"),
                        fetched_at=fetched_at,
                        landing_path=d.get("landing_path"),
                        registered_publisher=d.get("publisher"),
                        registered_year=d.get("year"),
                    )
                result = load_paths(conn, paths, workers=workers, timeout_s=timeout_s,
                                    meta_for=lambda p: meta.get(str(p)))
            summary.update({k: v for k, v in asdict(result).items() if k != "document_ids"})
    summary["skipped_known"] = len(candidates) - len(docs)
    return summary


# ---------------------------------------------------------------- summary

_FETCH_KEYS = ("fetched", "unchanged", "failed")
_LOAD_KEYS = ("documents_seen", "loaded", "unchanged", "replaced", "quarantined", "cells_loaded", "skipped_known")


def summarize(fetch_batches: Iterable[Sequence[dict[str, Any]]], load_summaries: Iterable[dict[str, Any]]) -> dict:
    """Totals over all batches: fetch statuses, failed fetches (url + error code), load counts."""
    fetch = dict.fromkeys(_FETCH_KEYS, 0)
    failures = []
    for batch in fetch_batches or []:
        for d in batch or []:
            fetch[d.get("status", "failed")] = fetch.get(d.get("status", "failed"), 0) + 1
            if d.get("status") == "failed":
                failures.append({"url": d.get("url"), "error_code": d.get("error_code"), "error": d.get("error")})
    load = dict.fromkeys(_LOAD_KEYS, 0)
    for s in load_summaries or []:
        for k in _LOAD_KEYS:
            load[k] += int((s or {}).get(k) or 0)
    return {"fetch": fetch, "fetch_failures": failures, "load": load}
