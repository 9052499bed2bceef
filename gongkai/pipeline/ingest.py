"""Registry → discover → fetch → extract + load: what `gongkai fetch` and `gongkai load` run, and the
steps of the `el_annual_reports` DAG.

The DAG's steps take and return JSON-serialisable values (what XCom carries between tasks). Every step is
idempotent: re-running one fetches conditionally (ETag / Last-Modified), skips documents whose bytes are
already in the warehouse, and the loader itself never duplicates a document.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from gongkai.fetch import (
    FetchClient,
    FetchResult,
    FetchTarget,
    discover_targets,
    fetch_targets,
    load_registry,
)
from gongkai.fetch import summarize as fetch_counts
from gongkai.pipeline import default_years
from gongkai.pipeline.batching import plan_batches, plan_extract_batches
from gongkai.progress import Progress
from gongkai.warehouse.load import (
    DocumentMeta,
    LoadSummary,
    RetryResult,
    load_paths,
    load_records,
    read_jsonl,
    retry_quarantined,
    settled_sha256,
    upsert_publishers,
)
from gongkai.warehouse.migrate import migrated

log = logging.getLogger(__name__)

FETCH_BATCH_SIZE = 25
MAX_BATCHES = 256


def _say(say: Callable[[str], None] | None, msg: str) -> None:
    if say:
        say(msg)


def _task_progress(label: str, total: int, unit: str) -> Progress:
    """Progress of a DAG task's batch, as plain lines in its log (every GONGKAI_PROGRESS_EVERY seconds)."""
    return Progress(label, total, unit=unit, tty=False, say=log.info)


# ---------------------------------------------------------------- registry


class UnknownPublishers(ValueError):
    """Publishers asked for by name are not in the registry (the message lists them)."""


def select_publishers(publishers: Sequence, names: Iterable[str] | None) -> list:
    """The publishers named in `names`, in registry order (all of them when `names` is empty). A name may
    be the full name or its short form (without 人民政府). Unknown names raise UnknownPublishers."""
    wanted = {n.strip() for n in (names or []) if n and n.strip()}
    if not wanted:
        return list(publishers)
    chosen = [p for p in publishers if p.name in wanted or p.short_name() in wanted]
    missing = wanted - {p.name for p in chosen} - {p.short_name() for p in chosen}
    if missing:
        raise UnknownPublishers(f"not in the registry: {', '.join(sorted(missing))}")
    return chosen


def registry_step(
    registry_path: str | None = None, publishers: Iterable[str] | None = None, *, url: str | None = None
) -> list[str]:
    """Read the registry, upsert its publishers into ``raw.registry_publishers``; return the names of the
    selected publishers."""
    everyone = load_registry(registry_path or None)
    chosen = select_publishers(everyone, publishers)
    with migrated(url) as conn:
        upsert_publishers(conn, [p.row() for p in everyone])
    return [p.name for p in chosen]


# ---------------------------------------------------------------- discover


def target_to_dict(t: FetchTarget) -> dict[str, Any]:
    return asdict(t)


def target_from_dict(d: dict[str, Any]) -> FetchTarget:
    names = {f.name for f in fields(FetchTarget)}
    return FetchTarget(**{k: v for k, v in d.items() if k in names})


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
    wanted = set(names)
    pubs = [p for p in load_registry(registry_path or None) if p.name in wanted]
    with migrated(url) as conn, FetchClient(landing_url, conn) as client:
        targets = discover_targets(pubs, [int(y) for y in years], client)
    rows = [target_to_dict(t) for t in targets]
    return plan_batches(rows, batch_size=batch_size, max_batches=max_batches, key=lambda d: d["url"])


# ---------------------------------------------------------------- fetch


def _iso(v: Any) -> str | None:
    return v.isoformat() if isinstance(v, datetime) else (str(v) if v else None)


def result_to_dict(r: FetchResult) -> dict[str, Any]:
    t = r.target
    return {
        "url": getattr(r, "url", None) or t.url,  # a password in the URL masked
        "publisher": t.publisher,
        "year": t.year,
        "status": r.status,
        "http_status": r.http_status,
        "sha256": r.sha256,
        "landing_path": r.landing_path,
        "media_type": r.media_type,
        "error_code": r.error_code,
        "error": r.error,
        "fetched_at": _iso(r.finished_at),
    }


def fetch_step(
    batch: Sequence[dict[str, Any]], *, landing_url: str | None = None, url: str | None = None, **settings: Any
) -> list[dict[str, Any]]:
    """Fetch one batch of targets into the landing store (conditional GET; each fetch recorded in
    ``ops.fetch_log``). One dict per target: status fetched | unchanged | failed, landing path, sha256."""
    targets = [target_from_dict(d) for d in batch]
    with migrated(url) as conn, _task_progress("fetch", len(targets), "reports") as bar:
        results = fetch_targets(targets, store=landing_url, conn=conn, **settings,
                                progress=lambda done, _total, r: bar.update(done, note=f"{r.status} {r.url}"))
    return [result_to_dict(r) for r in results]


@dataclass
class FetchRun:
    """What :func:`fetch_reports` did: the targets discovered and, unless it was a dry run, one result each."""

    targets: list[FetchTarget]
    results: list[FetchResult]
    landing_url: str
    run_id: str

    def counts(self) -> dict[str, int]:
        """Results per status: fetched, unchanged, failed."""
        return fetch_counts(self.results)


def fetch_reports(
    years: Iterable[int] | None = None,
    *,
    publishers: Iterable[str] | None = None,
    registry_path: str | None = None,
    base_url: str | None = None,
    landing_url: str | None = None,
    record_in_db: bool = False,
    url: str | None = None,
    dry_run: bool = False,
    say: Callable[[str], None] | None = None,
    progress: Callable[[int, int, FetchResult], None] | None = None,
    **settings: Any,
) -> FetchRun:
    """Registry → discovery → fetch, in one go (what `gongkai fetch` runs; the DAG runs the same steps as
    separate tasks). `years` default to last year; `settings` are FetchSettings fields (workers,
    per_host_limit, per_host_delay, read_timeout, max_attempts, max_bytes …). With `record_in_db`
    every fetch is also recorded in the warehouse's ``ops.fetch_log`` (migrated first)."""
    pubs = select_publishers(load_registry(registry_path, base_url=base_url), publishers)
    years = sorted({int(y) for y in years or ()}) or default_years()
    with ExitStack() as stack:
        conn = stack.enter_context(migrated(url)) if record_in_db else None
        client = stack.enter_context(FetchClient(landing_url, conn, **settings))
        _say(say, f"discovering: {len(pubs)} publishers × years {', '.join(map(str, years))} …")
        targets = discover_targets(pubs, years, client)
        _say(say, f"{len(targets)} report URLs found")
        results = [] if dry_run else client.fetch_many(targets, progress=progress)
    return FetchRun(targets, results, client.store.url, client.run_id)


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


def sniff_ocr_pages(docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each document with ``ocr_pages``: how many of its pages only OCR can read (0 for a text
    document; milliseconds each, no rendering)."""
    from extractors.ocr import ocr_pages

    with _local_copies(docs) as paths:
        return [{**d, "ocr_pages": len(ocr_pages(p)) if p.is_file() else 0} for p, d in zip(paths, docs, strict=True)]


def plan_extract_step(
    fetch_batches: Iterable[Sequence[dict[str, Any]]],
    *,
    url: str | None = None,
    text_batch_size: int = FETCH_BATCH_SIZE,
    ocr_batch_pages: int = 12,
) -> dict[str, Any]:
    """What the fetch batches brought that needs extracting (not already settled in the warehouse),
    cut into text batches (pool ``gongkai_extract``) and OCR batches (pool ``gongkai_ocr``):
    ``{"text": [[doc…]…], "ocr": [[doc…]…], "skipped_known": n}``."""
    fetched = [d for b in fetch_batches or [] for d in b or []]
    candidates = [d for d in fetched if d.get("status") in ("fetched", "unchanged") and d.get("landing_path")]
    with migrated(url) as conn:
        known = settled_sha256(conn, [d["sha256"] for d in candidates if d.get("sha256")])
    docs = sniff_ocr_pages(documents_to_load(candidates, known))
    plan = plan_extract_batches(docs, text_batch_size=text_batch_size, ocr_batch_pages=ocr_batch_pages,
                                max_batches=MAX_BATCHES)
    log.info("extraction plan: %d text documents in %d batches, %d scans (%d pages) in %d OCR batches, "
             "%d already in the warehouse", sum(map(len, plan["text"])), len(plan["text"]),
             sum(map(len, plan["ocr"])), sum(d["ocr_pages"] for b in plan["ocr"] for d in b), len(plan["ocr"]),
             len(candidates) - len(docs))
    return {**plan, "skipped_known": len(candidates) - len(docs)}


def extract_load_step(
    fetched: Sequence[dict[str, Any]],
    *,
    url: str | None = None,
    workers: int = 2,
    timeout_s: float = 60.0,
) -> dict[str, Any]:
    """Extract one fetch batch's documents in worker processes (per-document timeout) and load them.
    Returns the LoadSummary as a dict plus ``skipped_known`` (bytes already in the warehouse)."""
    candidates = [d for d in fetched if d.get("status") in ("fetched", "unchanged") and d.get("landing_path")]
    with migrated(url) as conn:
        # stored and settled: a transient quarantine (timeout, memory, worker killed) is extracted again
        known = settled_sha256(conn, [d["sha256"] for d in candidates if d.get("sha256")])
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
                t0 = time.perf_counter()
                with _task_progress("extract + load", len(paths), "documents") as bar:
                    result = load_paths(conn, paths, workers=workers, timeout_s=timeout_s,
                                        meta_for=lambda p: meta.get(str(p)),
                                        progress=lambda s: bar.update(s.documents_read,
                                                                      note=f"{s.cells_loaded} cells loaded"))
                seconds = time.perf_counter() - t0
            summary.update({k: v for k, v in asdict(result).items() if k != "document_ids"})
            # throughput by medium (a DAG batch is all text or all scans): OCR pages/s apart
            pages = sum(int(d.get("ocr_pages") or 0) for d in docs)
            kind = "ocr" if pages else "text"
            summary.update({f"{kind}_seconds": round(seconds, 3), f"{kind}_documents": len(docs)})
            if pages:
                summary["ocr_pages"] = pages
                log.info("OCR: %d pages of %d scanned documents in %.1f s: %.2f pages/s", pages, len(docs),
                         seconds, pages / seconds if seconds else 0.0)
            else:
                log.info("text: %d documents in %.1f s: %.2f documents/s", len(docs), seconds,
                         len(docs) / seconds if seconds else 0.0)
    summary["skipped_known"] = len(candidates) - len(docs)
    return summary


def load_files(
    paths: Iterable[str | Path] = (),
    records: Iterable[str | Path] = (),
    *,
    url: str | None = None,
    meta: DocumentMeta | None = None,
    workers: int = 2,
    timeout_s: float = 60.0,
    batch_size: int = 50,
    progress: Callable[[LoadSummary], None] | None = None,
    retry_reasons: Iterable[str] | None = None,
) -> tuple[LoadSummary, RetryResult | None]:
    """Extract the documents at `paths` (files or folders) in worker processes and load them, and load
    the pre-extracted `records` (JSON Lines files), into the migrated warehouse (what `gongkai load`
    runs). `meta` (registered publisher / year) applies to every document. With `retry_reasons` (an
    iterable, empty = every reason) the quarantined documents are extracted again as well; the second
    value is then what that retry found, else None."""
    summary, retried = LoadSummary(), None
    with migrated(url) as conn:
        for f in records:
            summary.add(load_records(conn, ((r, meta) for r in read_jsonl(f)), batch_size=batch_size,
                                     progress=progress))
        paths = list(paths)
        if paths:
            summary.add(load_paths(conn, paths, workers=workers, timeout_s=timeout_s, meta_for=lambda _p: meta,
                                   progress=progress, batch_size=batch_size))
        if retry_reasons is not None:
            retried = retry_quarantined(conn, reasons=retry_reasons, workers=workers, timeout_s=timeout_s,
                                        batch_size=batch_size, progress=progress)
            summary.add(retried.summary)
    return summary, retried


# ---------------------------------------------------------------- summary

_FETCH_KEYS = ("fetched", "unchanged", "failed")
_LOAD_KEYS = ("documents_seen", "loaded", "unchanged", "replaced", "quarantined", "cells_loaded", "skipped_known")
_RATE_KEYS = ("text_documents", "text_seconds", "ocr_documents", "ocr_pages", "ocr_seconds")


def summarize(fetch_batches: Iterable[Sequence[dict[str, Any]]], load_summaries: Iterable[dict[str, Any]],
              planned: Iterable[Sequence[dict[str, Any]]] | None = None) -> dict:
    """Totals over all batches: fetch statuses, failed fetches (url + error code), load counts, and the
    throughput of text and of OCR apart (``rates``: documents/s and pages/s per batch task; None where
    no such batch ran). With `planned` (the extraction batches of :func:`plan_extract_step`), the
    documents fetched but left out of them (already in the warehouse) count as ``skipped_known``."""
    fetch_batches = [list(b or []) for b in fetch_batches or []]
    skipped_known = 0
    if planned is not None:
        landed = sum(1 for b in fetch_batches for d in b
                     if d.get("status") in ("fetched", "unchanged") and d.get("landing_path"))
        skipped_known = max(0, landed - sum(len(b or []) for b in planned))
    fetch = dict.fromkeys(_FETCH_KEYS, 0)
    failures = []
    for batch in fetch_batches:
        for d in batch:
            fetch[d.get("status", "failed")] = fetch.get(d.get("status", "failed"), 0) + 1
            if d.get("status") == "failed":
                failures.append({"url": d.get("url"), "error_code": d.get("error_code"), "error": d.get("error")})
    load = dict.fromkeys(_LOAD_KEYS, 0)
    work = dict.fromkeys(_RATE_KEYS, 0.0)
    for s in load_summaries or []:
        for k in _LOAD_KEYS:
            load[k] += int((s or {}).get(k) or 0)
        for k in _RATE_KEYS:
            work[k] += float((s or {}).get(k) or 0)
    load["skipped_known"] += skipped_known

    def rate(n: str, sec: str) -> float | None:
        return round(work[n] / work[sec], 3) if work[sec] else None

    rates = {"text_documents": int(work["text_documents"]), "text_documents_per_s": rate("text_documents", "text_seconds"),
             "ocr_documents": int(work["ocr_documents"]), "ocr_pages": int(work["ocr_pages"]),
             "ocr_pages_per_s": rate("ocr_pages", "ocr_seconds")}
    return {"fetch": fetch, "fetch_failures": failures, "load": load, "rates": rates}
