"""The raw loader: extraction records → ``raw.documents`` / ``raw.cells`` / ``raw.extraction_issues`` /
``raw.quarantine``, idempotently.

* One transaction per batch; rows go in with COPY (into temp staging tables, then ``insert … select``).
* Idempotent by content sha256: the same document again changes nothing (``unchanged``).
* The same sha256 from a **newer extractor version** replaces that document's cells and issues
  atomically (``replaced``); an older or equal version changes nothing.
* A new document (another sha256) for the same publisher and year supersedes the older one: both are
  kept, the newest loaded one is ``is_current``, the others point at it through ``superseded_by``.
  The publisher and year are the registered ones (from the fetch/registry) when known, else extracted.
* A record with an ``error`` is kept with status ``quarantined`` and a ``raw.quarantine`` row with the
  reason: every document ends loaded or quarantined.

Concurrent loaders are serialised by a transaction-level advisory lock.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import psycopg

from extractors.model import STATUSES, VALUE_STATUSES, Record

LOAD_LOCK_KEY = 72010002
LOADER_CELL_FIX = "loader_cell_fixed"
DUPLICATE_CELL = "duplicate_cell"
INVALID_METADATA = "invalid_metadata"

Progress = Callable[["LoadSummary"], None]


@dataclass
class DocumentMeta:
    source_url: str | None = None
    fetched_at: datetime | None = None
    landing_path: str | None = None
    registered_publisher: str | None = None
    registered_year: int | None = None


@dataclass
class LoadSummary:
    documents_seen: int = 0
    loaded: int = 0
    unchanged: int = 0
    replaced: int = 0
    quarantined: int = 0
    cells_loaded: int = 0
    document_ids: list[int] = field(default_factory=list, repr=False)

    def add(self, other: LoadSummary) -> None:
        for f in ("documents_seen", "loaded", "unchanged", "replaced", "quarantined", "cells_loaded"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.document_ids.extend(other.document_ids)

    def as_dict(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in
                ("documents_seen", "loaded", "unchanged", "replaced", "quarantined", "cells_loaded")}

    def __str__(self) -> str:
        return (f"{self.documents_seen} documents: {self.loaded} loaded, {self.replaced} replaced, "
                f"{self.unchanged} unchanged, {self.quarantined} quarantined; {self.cells_loaded} cells")


# ---------------------------------------------------------------- pure helpers


def version_key(v: str | None) -> tuple:
    """Sort key of an extractor version ("0.10.0" > "0.9.1"); non-numeric parts compare as text."""
    parts = re.split(r"[.\-+]", v or "")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def _sha256_of(record: Record) -> str:
    sha = (record.source.sha256 or "").strip().lower()
    if sha:
        return sha
    path = Path(record.source.path or "")
    try:
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        pass
    # no content: identify the failure by its path (a later readable fetch gets its real hash)
    return hashlib.sha256(f"nocontent:{record.source.path}".encode()).hexdigest()


def _date(s: str | None) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(str(s)[:10])
    except ValueError:
        return None


def _year(y) -> int | None:
    try:
        y = int(y)
    except (TypeError, ValueError):
        return None
    return y if 1900 <= y <= 2200 else None


def _number(v) -> int | float | Decimal | None:
    t = type(v)
    if t is int:
        return v
    if v is None or t is bool:
        return None
    if t is float:
        return v if math.isfinite(v) else None
    try:
        d = v if isinstance(v, Decimal) else Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(v) -> str:
    """A value in COPY text format."""
    if v is None:
        return "\\N"
    if type(v) is str:
        if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
            return v.translate(_COPY_ESCAPES)
        return v
    return str(v)


_code_cache: dict[str, str] = {}


def _code(v) -> str:
    """A vocabulary code in COPY text format (few distinct values: cached)."""
    try:
        return _code_cache[v]
    except (KeyError, TypeError):
        out = _copy_text(v if v is None or type(v) is str else str(v))
        if type(v) is str and len(_code_cache) < 10_000:
            _code_cache[v] = out
        return out


def _txt(s, limit: int = 10_000) -> str | None:
    if s is None:
        return None
    s = str(s).replace("\x00", "")
    return s[:limit]


@dataclass
class _Prepared:
    """A record made safe for the database: cells deduplicated and consistent, as COPY text lines
    (without the leading document id)."""

    sha256: str
    record: Record
    meta: DocumentMeta
    quarantined: bool
    cell_lines: list[str] = field(default_factory=list)
    issues: list[tuple] = field(default_factory=list)


def prepare(record: Record, meta: DocumentMeta | None = None) -> _Prepared:
    """Identify a record (its sha256); the rows are built by `_fill` only if it is to be written."""
    return _Prepared(_sha256_of(record), record, meta or DocumentMeta(), record.error is not None)


def _fill(p: _Prepared) -> _Prepared:
    record = p.record
    issues = [(i.code, _txt(i.message), i.table, i.row, i.column, i.page) for i in record.issues]
    lines: list[str] = []
    if record.error is None:
        seen: set[tuple[str, str, str]] = set()
        esc, code = _copy_text, _code
        for c in record.cells:
            key = (c.table, c.row, c.column)
            if key in seen:
                issues.append((DUPLICATE_CELL, "cell given twice; the first is kept", *key, c.page))
                continue
            seen.add(key)
            status, value = c.status, _number(c.value)
            if status in VALUE_STATUSES:
                if value is None:
                    issues.append((LOADER_CELL_FIX, f"status {status} without a number ({c.value!r})", *key, c.page))
                    status = "unreadable"
            elif status not in STATUSES:
                issues.append((LOADER_CELL_FIX, f"unknown status {status!r}: unreadable", *key, c.page))
                status, value = "unreadable", None
            elif value is not None:
                issues.append((LOADER_CELL_FIX, f"status {status} with a value: value dropped", *key, c.page))
                value = None
            page = c.page if type(c.page) is int else None
            raw = c.raw if c.raw is None or (type(c.raw) is str and "\x00" not in c.raw) else _txt(c.raw)
            lines.append(f"\t{code(c.table)}\t{code(c.row)}\t{code(c.column)}\t{esc(value)}\t{esc(raw)}"
                         f"\t{status}\t{esc(page)}\n")
    r = record.report
    if r.published_on and _date(r.published_on) is None:
        issues.append((INVALID_METADATA, f"published_on {r.published_on!r} is not a date", None, None, None, None))
    p.cell_lines, p.issues = lines, issues
    return p


# ---------------------------------------------------------------- loading

_DOC_COLS = ("document_id", "sha256", "source_path", "source_url", "landing_path", "fetched_at", "media_type",
             "size_bytes", "pages", "registered_publisher", "registered_year", "publisher", "report_year",
             "format_version", "published_on", "extractor_version", "status", "error_code", "error_message",
             "cell_count", "issue_count")
_CELL_COLS = ("document_id", "table_code", "row_code", "column_code", "value", "raw_text", "status", "page")
_ISSUE_COLS = ("document_id", "issue_no", "code", "message", "table_code", "row_code", "column_code", "page")


def _doc_row(doc_id: int, p: _Prepared) -> tuple:
    rec, m, r = p.record, p.meta, p.record.report
    fv = r.format_version if r.format_version in ("2019", "2021") else None
    return (doc_id, p.sha256, _txt(rec.source.path), _txt(m.source_url), _txt(m.landing_path), m.fetched_at,
            _txt(rec.source.media_type), rec.source.size, rec.source.pages,
            _txt(m.registered_publisher), _year(m.registered_year), _txt(r.publisher), _year(r.year), fv,
            _date(r.published_on), rec.extractor_version or "", "quarantined" if p.quarantined else "loaded",
            _txt(rec.error.code) if rec.error else None, _txt(rec.error.message) if rec.error else None,
            len(p.cell_lines), len(p.issues))


def _copy(cur: psycopg.Cursor, table: str, cols: Sequence[str], rows: Iterable[tuple]) -> int:
    n = 0
    with cur.copy(f"copy {table} ({', '.join(cols)}) from stdin") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def _load_batch(conn: psycopg.Connection, batch: list[_Prepared], summary: LoadSummary) -> None:
    # the same document twice inside one batch: the newest extractor version wins
    by_sha: dict[str, _Prepared] = {}
    for p in batch:
        q = by_sha.get(p.sha256)
        if q is None or version_key(p.record.extractor_version) > version_key(q.record.extractor_version):
            by_sha[p.sha256] = p
    summary.documents_seen += len(batch)
    summary.unchanged += len(batch) - len(by_sha)

    with conn.transaction(), conn.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (LOAD_LOCK_KEY,))
        existing = {sha: (doc_id, ver, unit) for sha, doc_id, ver, *unit in cur.execute(
            "select sha256, document_id, extractor_version, unit_name, unit_year from raw.documents "
            "where sha256 = any(%s)", (list(by_sha),))}
        new: list[_Prepared] = []
        replace: list[tuple[int, _Prepared]] = []
        for sha, p in by_sha.items():
            if sha not in existing:
                new.append(p)
            elif version_key(p.record.extractor_version) > version_key(existing[sha][1]):
                replace.append((existing[sha][0], p))
            else:
                summary.unchanged += 1
                summary.document_ids.append(existing[sha][0])
        if not new and not replace:
            return

        ids = [r[0] for r in cur.execute(
            "select nextval(pg_get_serial_sequence('raw.documents', 'document_id')) "
            "from generate_series(1, %s)", (len(new),))] if new else []
        work = list(zip(ids, new, strict=True)) + replace
        for _, p in work:
            _fill(p)
        replace_ids = [doc_id for doc_id, _ in replace]
        touched_units = [tuple(existing[p.sha256][2]) for _, p in replace]

        cur.execute("create temp table if not exists _stage_documents "
                    "(like raw.documents including defaults) on commit delete rows")
        cur.execute("create temp table if not exists _stage_issues (like raw.extraction_issues) "
                    "on commit delete rows")
        _copy(cur, "_stage_documents", _DOC_COLS, (_doc_row(doc_id, p) for doc_id, p in work))
        _copy(cur, "_stage_issues", _ISSUE_COLS,
              ((doc_id, i, *iss) for doc_id, p in work for i, iss in enumerate(p.issues, 1)))

        if replace_ids:
            cur.execute("delete from raw.cells where document_id = any(%s)", (replace_ids,))
            cur.execute("delete from raw.extraction_issues where document_id = any(%s)", (replace_ids,))
            sets = ", ".join(f"{c} = s.{c}" for c in _DOC_COLS[2:] if c not in (
                "source_url", "landing_path", "fetched_at", "registered_publisher", "registered_year"))
            cur.execute(f"""update raw.documents d set {sets}, loaded_at = now(),
                                source_url = coalesce(s.source_url, d.source_url),
                                landing_path = coalesce(s.landing_path, d.landing_path),
                                fetched_at = coalesce(s.fetched_at, d.fetched_at),
                                registered_publisher = coalesce(s.registered_publisher, d.registered_publisher),
                                registered_year = coalesce(s.registered_year, d.registered_year),
                                is_current = false, superseded_by = null
                            from _stage_documents s where s.document_id = d.document_id""")
        cols = ", ".join(_DOC_COLS)
        cur.execute(f"insert into raw.documents ({cols}) select {cols} from _stage_documents s "
                    "where not exists (select 1 from raw.documents d where d.document_id = s.document_id)")
        # cells go straight into raw.cells: their document ids are new (or just emptied) in this
        # transaction, so nothing can conflict, and staging would double the cost of the largest table
        ncells = 0
        with cur.copy(f"copy raw.cells ({', '.join(_CELL_COLS)}) from stdin") as cp:
            for doc_id, p in work:
                if p.cell_lines:
                    prefix = str(doc_id)
                    cp.write("".join([prefix + line for line in p.cell_lines]).encode())
                    ncells += len(p.cell_lines)
        cur.execute(f"insert into raw.extraction_issues ({', '.join(_ISSUE_COLS)}) "
                    f"select {', '.join(_ISSUE_COLS)} from _stage_issues")
        cur.execute("""insert into raw.quarantine
                           (document_id, sha256, source_url, source_path, reason_code, message, extractor_version)
                       select document_id, sha256, source_url, source_path, error_code, error_message,
                              extractor_version
                       from _stage_documents where status = 'quarantined'""")
        _recompute_currency(cur, [doc_id for doc_id, _ in work], touched_units)

    for _, p in work:
        if p.quarantined:
            summary.quarantined += 1
    summary.loaded += sum(1 for p in new if not p.quarantined)
    summary.replaced += sum(1 for _, p in replace if not p.quarantined)
    summary.cells_loaded += ncells
    summary.document_ids.extend(doc_id for doc_id, _ in work)


def _recompute_currency(cur: psycopg.Cursor, doc_ids: list[int], old_units: list[tuple]) -> None:
    """For every (publisher, year) touched, make the newest loaded document current and point the
    others at it."""
    cur.execute("""
        create temp table if not exists _stage_units (unit_name text, unit_year integer)
        on commit delete rows""")
    cur.execute("""insert into _stage_units select distinct unit_name, unit_year from raw.documents
                   where document_id = any(%s) and unit_name is not null and unit_year is not null""",
                (doc_ids,))
    units = [u for u in old_units if u[0] is not None and u[1] is not None]
    if units:
        cur.executemany("insert into _stage_units values (%s, %s)", units)
    cur.execute("""
        create temp table if not exists _stage_currency
            (document_id bigint, winner bigint, any_loaded boolean) on commit delete rows""")
    cur.execute("""
        insert into _stage_currency
        select d.document_id,
               first_value(d.document_id) over (
                   partition by d.unit_name, d.unit_year
                   order by (d.status = 'loaded') desc, d.document_id desc),
               bool_or(d.status = 'loaded') over (partition by d.unit_name, d.unit_year)
        from raw.documents d
        join (select distinct unit_name, unit_year from _stage_units) u
          on d.unit_name = u.unit_name and d.unit_year = u.unit_year""")
    # two steps, losers first: the one-current unique index is checked row by row
    cur.execute("""
        update raw.documents d
           set is_current = false,
               superseded_by = case when d.status = 'loaded' and r.any_loaded then r.winner end
          from _stage_currency r
         where r.document_id = d.document_id and not (r.any_loaded and r.document_id = r.winner)
           and (d.is_current or d.superseded_by is distinct from
                (case when d.status = 'loaded' and r.any_loaded then r.winner end))""")
    cur.execute("""
        update raw.documents d set is_current = true, superseded_by = null
          from _stage_currency r
         where r.document_id = d.document_id and r.any_loaded and r.document_id = r.winner
           and (not d.is_current or d.superseded_by is not null)""")
    # documents without a publisher or year cannot be superseded: each stands alone
    cur.execute("""update raw.documents set is_current = (status = 'loaded'), superseded_by = null
                   where document_id = any(%s) and (unit_name is null or unit_year is null)""", (doc_ids,))


def load_records(conn: psycopg.Connection, items: Iterable[tuple[Record, DocumentMeta | None]], *,
                 batch_size: int = 200, progress: Progress | None = None) -> LoadSummary:
    """Load (record, meta) pairs, one transaction per batch of `batch_size` documents."""
    summary = LoadSummary()
    batch: list[_Prepared] = []
    for item in items:
        record, meta = item if isinstance(item, tuple) else (item, None)
        batch.append(prepare(record, meta))
        if len(batch) >= batch_size:
            _load_batch(conn, batch, summary)
            batch = []
            if progress:
                progress(summary)
    if batch:
        _load_batch(conn, batch, summary)
        if progress:
            progress(summary)
    return summary


# ---------------------------------------------------------------- extraction + load


def _extract_iter(paths: list[Path], workers: int, timeout_s: float) -> Iterator[Record]:
    try:
        from extractors.sandbox import extract_many
    except ImportError:
        extract_many = None
    if extract_many is not None:
        yield from extract_many(paths, workers=workers, timeout_s=timeout_s, memory_mb=1024)
        return
    from extractors.api import extract  # noqa: PLC0415 — written in parallel by the extraction team

    for p in paths:
        yield extract(p)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; directories expanded to the files under them (hidden files skipped), sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file()
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def load_paths(conn: psycopg.Connection, paths: Iterable[str | Path], *, workers: int = 2,
               timeout_s: float = 60.0, meta_for: Callable[[Path], DocumentMeta | None] | None = None,
               progress: Progress | None = None, batch_size: int = 50) -> LoadSummary:
    """Extract the documents at `paths` (files or directories) and load them."""
    files = expand_paths(paths)

    by_name = {str(f): f for f in files}
    by_name.update({str(f.resolve()): f for f in files})

    def items() -> Iterator[tuple[Record, DocumentMeta | None]]:
        # extract_many yields in completion order; record.source.path says which file it is
        for rec in _extract_iter(files, workers, timeout_s):
            path = by_name.get(rec.source.path) or by_name.get(str(Path(rec.source.path).resolve()))
            yield rec, (meta_for(path or Path(rec.source.path)) if meta_for else None)

    return load_records(conn, items(), batch_size=batch_size, progress=progress)


def read_jsonl(path: str | Path) -> Iterator[Record]:
    """Records from a JSON Lines file (the output of `gongkai extract --json`)."""
    import json

    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield Record.from_dict(json.loads(line))


def upsert_publishers(conn: psycopg.Connection, rows: Iterable[dict]) -> int:
    """Insert or update registry publishers (keys name, level, parent_region, admin_code, homepage)."""
    data = [(r["name"], r.get("level"), r.get("parent_region"), r.get("admin_code"), r.get("homepage"))
            for r in rows]
    if not data:
        return 0
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany("""
            insert into raw.registry_publishers (name, level, parent_region, admin_code, homepage)
            values (%s, %s, %s, %s, %s)
            on conflict (name) do update set
                level = excluded.level, parent_region = excluded.parent_region,
                admin_code = excluded.admin_code, homepage = excluded.homepage, updated_at = now()
            where (raw.registry_publishers.level, raw.registry_publishers.parent_region,
                   raw.registry_publishers.admin_code, raw.registry_publishers.homepage)
                  is distinct from (excluded.level, excluded.parent_region, excluded.admin_code,
                                    excluded.homepage)""", data)
    return len(data)
