"""The raw loader: extraction records → ``raw.documents`` / ``raw.cells`` / ``raw.claims`` /
``raw.extraction_issues`` / ``raw.quarantine``, idempotently.

* One transaction per batch; rows go in with COPY (into temp staging tables, then ``insert … select``).
* Idempotent by content sha256: the same document again changes nothing (``unchanged``).
* The same sha256 from a **newer extractor version** replaces that document's cells and issues
  atomically (``replaced``); an older or equal version changes nothing.
* A new document (another sha256) for the same publisher and year supersedes the older one: both are
  kept, the newest loaded one is ``is_current``, the others point at it through ``superseded_by``.
  The publisher and year are the registered ones (from the fetch/registry) when known, else extracted.
* A record with an ``error`` is kept with status ``quarantined`` and a ``raw.quarantine`` row with the
  reason: every document ends loaded or quarantined.
* A document quarantined for a *transient* reason (``timeout``, ``memory_limit``, ``worker_killed``) is
  extracted again when it comes back, up to ``MAX_ATTEMPTS`` times; ``retry_quarantined`` re-runs
  quarantined documents on demand (``gongkai load --retry quarantined [--reason R]``).
* Every value is made storable before it is written (lone surrogates and NUL replaced, numbers and
  sizes bounded); a record the database still refuses is quarantined by itself (``unstorable_record``)
  and the rest of its batch loads.

Concurrent loaders are serialised by a transaction-level advisory lock; loads and transforms never
interleave (``gongkai.warehouse.locks``).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import psycopg

from extractors.errors import TRANSIENT
from extractors.files import display_path
from extractors.model import STATUSES, VALUE_STATUSES, ExtractionError, Record, Source
from extractors.sandbox import extract_many
from gongkai.warehouse import locks
from gongkai.warehouse.stats import RAW_TABLES, refresh_statistics

LOAD_LOCK_KEY = 72010002
LOADER_CELL_FIX = "loader_cell_fixed"
DUPLICATE_CELL = "duplicate_cell"
INVALID_METADATA = "invalid_metadata"
# quarantine reasons of the loader itself
UNSTORABLE_RECORD = "unstorable_record"  # the database refused the record's data even after cleaning
INVALID_RECORD = "invalid_record"        # a --records line that is not a record

MAX_ATTEMPTS = 3  # extractions of a document quarantined for a transient reason, first one included
MAX_ABS_VALUE = Decimal(10) ** 15  # no count or amount of the form is near this: beyond it, unreadable
_INT4 = 2**31 - 1
_INT8 = 2**63 - 1

# Called after every document read (extracted) and after every batch committed.
Progress = Callable[["LoadSummary"], None]
log = logging.getLogger(__name__)


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
    # documents read so far, the batch not yet committed included (for progress displays)
    documents_read: int = field(default=0, repr=False, compare=False)

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


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _sha256_of(record: Record) -> str:
    """The document's identity: its content sha256. The loader never opens a file to compute it (the
    path may be a FIFO or point anywhere): a record without one is identified by its path."""
    sha = _clean(str(record.source.sha256 or "")).strip().lower()
    if _HEX64.fullmatch(sha):
        return sha
    if sha:  # not a sha256 (a hand-made --records line): a stable identity derived from it
        return hashlib.sha256(f"given:{sha}".encode()).hexdigest()
    # no content: identify the failure by its path (a later readable fetch gets its real hash)
    return hashlib.sha256(f"nocontent:{_path_text(record.source.path)}".encode()).hexdigest()


_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(s: str) -> str:
    """A string Postgres accepts: no NUL, no lone surrogate (replaced by U+FFFD)."""
    if "\x00" in s:
        s = s.replace("\x00", "")
    if not s.isascii():
        s = _SURROGATES.sub("\ufffd", s)
    return s


def _path_text(p) -> str:
    """A file path as storable text (GBK or other non-UTF-8 names decoded, see display_path)."""
    try:
        return _clean(display_path(p if isinstance(p, str | bytes | Path) else str(p)))
    except Exception:  # noqa: BLE001 - whatever it is, it is stored as its repr
        return _clean(repr(p))


def _int_in(v, lo: int, hi: int) -> int | None:
    """``v`` as an int within [lo, hi], else None (never raises: 1e999999, "12", -5, NaN …)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        i = int(v) if isinstance(v, int | float | Decimal) else int(str(v).strip())
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return None
    return i if lo <= i <= hi else None


def _date(s: str | None) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(str(s)[:10])
    except ValueError:
        return None


def _year(y) -> int | None:
    return _int_in(y, 1900, 2200)


def _number(v) -> int | float | Decimal | None:
    """A finite number within ±MAX_ABS_VALUE, else None."""
    t = type(v)
    if t is int:
        return v if -MAX_ABS_VALUE < v < MAX_ABS_VALUE else None
    if v is None or t is bool:
        return None
    if t is float:
        return v if math.isfinite(v) and -MAX_ABS_VALUE < v < MAX_ABS_VALUE else None
    try:
        d = v if isinstance(v, Decimal) else Decimal(str(v))
        return d if d.is_finite() and -MAX_ABS_VALUE < d < MAX_ABS_VALUE else None
    except (InvalidOperation, ValueError, TypeError, ArithmeticError):
        return None


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(v) -> str:
    """A value in COPY text format."""
    if v is None:
        return "\\N"
    if type(v) is str:
        v = _clean(v)
        if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
            return v.translate(_COPY_ESCAPES)
        return v
    return str(v)


def _confidence(v) -> str:
    """An OCR confidence in COPY text format: a number in 0..1, else null."""
    if type(v) not in (int, float) or not math.isfinite(v) or not 0 <= v <= 1:
        return "\\N"
    return repr(float(v))


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
    return _clean(str(s))[:limit]


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
    claims: list[tuple] = field(default_factory=list)  # raw.claims rows without the document id
    size: int | None = None
    pages: int | None = None
    attempts: int = 1


def prepare(record: Record, meta: DocumentMeta | None = None) -> _Prepared:
    """Identify a record (its sha256); the rows are built by `_fill` only if it is to be written."""
    return _Prepared(_sha256_of(record), record, meta or DocumentMeta(), record.error is not None)


def _opt_txt(v, limit: int = 200) -> str | None:
    return None if v is None else _txt(v, limit)


def _fill(p: _Prepared) -> _Prepared:
    record = p.record
    issues = [(_txt(i.code, 100) or "unknown", _txt(i.message), _opt_txt(i.table), _opt_txt(i.row),
               _opt_txt(i.column), _int_in(i.page, 0, _INT4)) for i in record.issues]
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
            key = (_txt(c.table, 200), _txt(c.row, 200), _txt(c.column, 200))
            status, value = c.status, _number(c.value)
            if status in VALUE_STATUSES:
                if value is None:
                    shown = _txt(repr(c.value), 80)
                    issues.append((LOADER_CELL_FIX, f"status {status} without a storable number ({shown}): unreadable",
                                   *key, _int_in(c.page, 0, _INT4)))
                    status = "unreadable"
            elif status not in STATUSES:
                issues.append((LOADER_CELL_FIX, f"unknown status {_txt(repr(status), 80)}: unreadable", *key,
                               _int_in(c.page, 0, _INT4)))
                status, value = "unreadable", None
            elif value is not None:
                issues.append((LOADER_CELL_FIX, f"status {status} with a value: value dropped", *key,
                               _int_in(c.page, 0, _INT4)))
                value = None
            page = c.page if type(c.page) is int and 0 <= c.page <= _INT4 else _int_in(c.page, 0, _INT4)
            raw = c.raw if c.raw is None or type(c.raw) is str else _txt(c.raw)
            ocr = "t" if c.ocr else "\\N"
            conf = _confidence(c.confidence)
            lines.append(f"\t{code(c.table)}\t{code(c.row)}\t{code(c.column)}\t{esc(value)}\t{esc(raw)}"
                         f"\t{status}\t{esc(page)}\t{ocr}\t{conf}\n")
    r = record.report
    if r.published_on and _date(r.published_on) is None:
        issues.append((INVALID_METADATA, f"published_on {_txt(repr(r.published_on), 80)} is not a date",
                       None, None, None, None))
    src = record.source
    p.size, p.pages = _int_in(src.size, 0, _INT8), _int_in(src.pages, 0, _INT4)
    for name, given, kept in (("size", src.size, p.size), ("pages", src.pages, p.pages)):
        if given is not None and kept is None:
            issues.append((INVALID_METADATA, f"source {name} {_txt(repr(given), 80)} is not a valid count: dropped",
                           None, None, None, None))
    p.cell_lines, p.issues = lines, issues
    p.claims = _claim_rows(record, issues) if record.error is None else []
    return p


_CLAIM_PERIODS = ("report_year", "previous_year", "unclear")


def _claim_rows(record: Record, issues: list[tuple]) -> list[tuple]:
    """The record's prose claims as raw.claims rows (claim_no from 1); a claim without a storable
    number, measure or period is dropped with an issue (it cannot be compared with anything)."""
    rows = []
    for c in record.claims or []:
        value, measure = _number(c.value), _txt(c.measure, 200)
        period = c.period if c.period in _CLAIM_PERIODS else None
        if value is None or not measure or period is None:
            issues.append((LOADER_CELL_FIX, f"prose claim {_txt(repr(c.measure), 80)} = {_txt(repr(c.value), 40)} "
                           f"({_txt(repr(c.period), 40)}) is not storable: dropped", None, None, None, None))
            continue
        rows.append((len(rows) + 1, measure, value, _txt(c.raw, 1000), period, _txt(c.sentence, 2000),
                     _int_in(c.page, 1, _INT4), _int_in(c.offset, 0, _INT4)))
    return rows


# ---------------------------------------------------------------- loading

_DOC_COLS = ("document_id", "sha256", "source_path", "source_url", "landing_path", "fetched_at", "media_type",
             "size_bytes", "pages", "registered_publisher", "registered_year", "publisher", "report_year",
             "format_version", "published_on", "extractor_version", "status", "error_code", "error_message",
             "cell_count", "issue_count", "attempts")
_CELL_COLS = ("document_id", "table_code", "row_code", "column_code", "value", "raw_text", "status", "page",
              "ocr", "confidence")
_ISSUE_COLS = ("document_id", "issue_no", "code", "message", "table_code", "row_code", "column_code", "page")
_CLAIM_COLS = ("document_id", "claim_no", "measure", "value", "raw_text", "period", "sentence", "page",
               "char_offset")


def _doc_row(doc_id: int, p: _Prepared) -> tuple:
    rec, m, r = p.record, p.meta, p.record.report
    fv = r.format_version if r.format_version in ("2019", "2021") else None
    fetched_at = m.fetched_at if isinstance(m.fetched_at, datetime) else None
    return (doc_id, p.sha256, _path_text(rec.source.path)[:10_000], _txt(m.source_url), _txt(m.landing_path),
            fetched_at, _opt_txt(rec.source.media_type), p.size, p.pages,
            _txt(m.registered_publisher), _year(m.registered_year), _txt(r.publisher), _year(r.year), fv,
            _date(r.published_on), _txt(rec.extractor_version or "", 100), "quarantined" if p.quarantined else "loaded",
            (_txt(rec.error.code, 100) or "unknown") if rec.error else None,
            _txt(rec.error.message) if rec.error else None, len(p.cell_lines), len(p.issues), p.attempts)


def _copy(cur: psycopg.Cursor, table: str, cols: Sequence[str], rows: Iterable[tuple]) -> int:
    n = 0
    with cur.copy(f"copy {table} ({', '.join(cols)}) from stdin") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def retryable(status: str | None, error_code: str | None, attempts: int | None) -> bool:
    """Whether a stored document is extracted again when it comes back: quarantined for a transient
    reason (timeout, memory_limit, worker_killed) with fewer than MAX_ATTEMPTS extractions."""
    return status == "quarantined" and error_code in TRANSIENT and (attempts or 1) < MAX_ATTEMPTS


def _rewrite(p: _Prepared, ver: str, status: str, code: str | None, attempts: int, force: bool) -> bool:
    """Whether a record replaces the stored document with the same sha256."""
    if force:
        return True  # an explicit retry (gongkai load --retry quarantined)
    if version_key(p.record.extractor_version) > version_key(ver):
        return True  # a newer extractor
    if status == "quarantined" and code in TRANSIENT:
        # a transient failure: a good extraction always replaces it; a failed one only while attempts remain
        return not p.quarantined or attempts < MAX_ATTEMPTS
    return False


_DATA_ERRORS = (psycopg.DataError, psycopg.IntegrityError, psycopg.errors.InvalidTextRepresentation,
                ValueError, TypeError, OverflowError, UnicodeError, ArithmeticError, AttributeError, KeyError)


def _load_batch(conn: psycopg.Connection, batch: list[_Prepared], summary: LoadSummary,
                force: frozenset[str] = frozenset()) -> None:
    """Load a batch in one transaction; if the database refuses it for its data, load its records one
    by one, and quarantine by itself (``unstorable_record``) any record it still refuses."""
    part = LoadSummary()
    try:
        _load_batch_once(conn, batch, part, force)
    except _DATA_ERRORS as e:
        if len(batch) > 1:
            for p in batch:
                _load_batch(conn, [p], summary, force)
            return
        p = batch[0]
        log.warning("quarantining %s: the warehouse refused it (%s: %s)", _path_text(p.record.source.path)[:200],
                    type(e).__name__, _txt(str(e), 300))
        part = LoadSummary()
        _load_batch_once(conn, [_unstorable(p, e)], part, force)
    summary.add(part)


def _ascii(v, limit: int = 2000) -> str | None:
    return None if v is None else str(v).encode("ascii", "backslashreplace").decode("ascii")[:limit]


def _unstorable(p: _Prepared, e: BaseException) -> _Prepared:
    """A quarantine-only record for one the database refused: identity, path, the reason; nothing else."""
    src = p.record.source
    rec = Record(source=Source(path=_ascii(_path_text(src.path)) or "", sha256=p.sha256),
                 error=ExtractionError(UNSTORABLE_RECORD,
                                       _ascii(f"the warehouse refused the record ({type(e).__name__}: {e})") or ""),
                 extractor_version=_ascii(p.record.extractor_version) or "")
    safe = _ascii
    m = p.meta
    meta = DocumentMeta(source_url=safe(m.source_url), landing_path=safe(m.landing_path),
                        fetched_at=m.fetched_at if isinstance(m.fetched_at, datetime) else None,
                        registered_publisher=safe(m.registered_publisher), registered_year=_year(m.registered_year))
    return _Prepared(p.sha256, rec, meta, True)


def _load_batch_once(conn: psycopg.Connection, batch: list[_Prepared], summary: LoadSummary,
                     force: frozenset[str] = frozenset()) -> None:
    waited, t0 = 0.0, time.monotonic()
    while True:
        try:
            _write_batch(conn, batch, summary, force)
            return
        except locks.TransformRunning as e:  # rolled back: nothing written; wait for the transform
            locks.wait_for_transform(e, waited)
            waited = time.monotonic() - t0


def _write_batch(conn: psycopg.Connection, batch: list[_Prepared], summary: LoadSummary,
                 force: frozenset[str]) -> None:
    # the same document twice inside one batch: the newest extractor version wins
    by_sha: dict[str, _Prepared] = {}
    for p in batch:
        q = by_sha.get(p.sha256)
        if q is None or version_key(p.record.extractor_version) > version_key(q.record.extractor_version):
            by_sha[p.sha256] = p
    seen, dup = len(batch), len(batch) - len(by_sha)

    with conn.transaction(), conn.cursor() as cur:
        locks.hold_for_load(cur)
        cur.execute("select pg_advisory_xact_lock(%s)", (LOAD_LOCK_KEY,))
        existing = {sha: (doc_id, ver, status, code, attempts, unit) for sha, doc_id, ver, status, code, attempts, *unit
                    in cur.execute(
            "select sha256, document_id, extractor_version, status, error_code, attempts, unit_name, unit_year "
            "from raw.documents where sha256 = any(%s)", (list(by_sha),))}
        new: list[_Prepared] = []
        replace: list[tuple[int, _Prepared]] = []
        unchanged_ids: list[int] = []
        for sha, p in by_sha.items():
            if sha not in existing:
                new.append(p)
                continue
            doc_id, ver, status, code, attempts, _unit = existing[sha]
            if _rewrite(p, ver, status, code, attempts, sha in force):
                p.attempts = (attempts or 1) + 1
                replace.append((doc_id, p))
            else:
                unchanged_ids.append(doc_id)
        if not new and not replace:
            summary.documents_seen += seen
            summary.unchanged += dup + len(unchanged_ids)
            summary.document_ids.extend(unchanged_ids)
            return

        ids = [r[0] for r in cur.execute(
            "select nextval(pg_get_serial_sequence('raw.documents', 'document_id')) "
            "from generate_series(1, %s)", (len(new),))] if new else []
        work = list(zip(ids, new, strict=True)) + replace
        for _, p in work:
            _fill(p)
        replace_ids = [doc_id for doc_id, _ in replace]
        touched_units = [tuple(existing[p.sha256][5]) for _, p in replace]

        cur.execute("create temp table if not exists _stage_documents "
                    "(like raw.documents including defaults) on commit delete rows")
        cur.execute("create temp table if not exists _stage_issues (like raw.extraction_issues) "
                    "on commit delete rows")
        # empty even when the caller's own transaction is still open (then no commit emptied them)
        cur.execute("delete from _stage_documents")
        cur.execute("delete from _stage_issues")
        _copy(cur, "_stage_documents", _DOC_COLS, (_doc_row(doc_id, p) for doc_id, p in work))
        _copy(cur, "_stage_issues", _ISSUE_COLS,
              ((doc_id, i, *iss) for doc_id, p in work for i, iss in enumerate(p.issues, 1)))

        if replace_ids:
            cur.execute("delete from raw.cells where document_id = any(%s)", (replace_ids,))
            cur.execute("delete from raw.claims where document_id = any(%s)", (replace_ids,))
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
        # prose claims, like the cells: new (or just emptied) document ids, straight in
        _copy(cur, "raw.claims", _CLAIM_COLS, ((doc_id, *row) for doc_id, p in work for row in p.claims))
        cur.execute("""insert into raw.quarantine
                           (document_id, sha256, source_url, source_path, reason_code, message, extractor_version)
                       select document_id, sha256, source_url, source_path, error_code, error_message,
                              extractor_version
                       from _stage_documents where status = 'quarantined'""")
        _recompute_currency(cur, [doc_id for doc_id, _ in work], touched_units)

    summary.documents_seen += seen
    summary.unchanged += dup + len(unchanged_ids)
    summary.document_ids.extend(unchanged_ids)
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
    cur.execute("delete from _stage_units")
    cur.execute("""insert into _stage_units select distinct unit_name, unit_year from raw.documents
                   where document_id = any(%s) and unit_name is not null and unit_year is not null""",
                (doc_ids,))
    units = [u for u in old_units if u[0] is not None and u[1] is not None]
    if units:
        cur.executemany("insert into _stage_units values (%s, %s)", units)
    cur.execute("""
        create temp table if not exists _stage_currency
            (document_id bigint, winner bigint, any_loaded boolean) on commit delete rows""")
    cur.execute("delete from _stage_currency")
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
                 batch_size: int = 200, progress: Progress | None = None, force: Iterable[str] = ()) -> LoadSummary:
    """Load (record, meta) pairs, one transaction per batch of `batch_size` documents. ``force``:
    sha256s whose stored documents are replaced whatever their state (an explicit retry)."""
    summary = LoadSummary()
    forced = frozenset(force)
    batch: list[_Prepared] = []
    for item in items:
        record, meta = item if isinstance(item, tuple) else (item, None)
        batch.append(prepare(record, meta))
        summary.documents_read += 1
        if progress:
            progress(summary)
        if len(batch) >= batch_size:
            _load_batch(conn, batch, summary, forced)
            batch = []
            if progress:
                progress(summary)
    if batch:
        _load_batch(conn, batch, summary, forced)
        if progress:
            progress(summary)
    refresh_statistics(conn, RAW_TABLES)
    return summary


# ---------------------------------------------------------------- extraction + load


@dataclass
class Collected:
    """What a load of files and folders will read: the files to extract, the fetch metadata of those that
    come from a landing store, and records for what is refused without being opened."""

    files: list[Path] = field(default_factory=list)
    meta: dict[str, DocumentMeta] = field(default_factory=dict)
    refused: list[Record] = field(default_factory=list)


def _refused(path: Path, code: str, message: str) -> Record:
    return Record(source=Source(path=str(path), sha256=""), error=ExtractionError(code, message))


def collect(paths: Iterable[str | Path]) -> Collected:
    """Files as given; folders walked (hidden entries skipped, symlinked folders not followed), sorted.

    * Only regular files are documents: a FIFO, device or socket is refused (``not_a_regular_file``)
      without being opened; a symlink that points out of the folder is refused (``outside_folder``,
      the message names its target).
    * A landing store (``gongkai fetch``'s folder) is loaded as its documents: the ``_state``/``_fetch_log``
      folders, the ``.json`` sidecars and unfinished ``.part-…`` files are not documents, and each
      document carries its sidecar's fetch metadata (source URL, registered publisher and year).
    """
    from extractors.errors import NOT_A_REGULAR_FILE, OUTSIDE_FOLDER
    from extractors.files import file_problem
    from gongkai.fetch.landing import PART_RE, is_landing_store, read_sidecar

    out = Collected()
    for given in map(Path, paths):
        if not given.is_dir():
            out.files.append(given)  # named explicitly: the sandbox refuses it if it is not a regular file
            continue
        root = os.path.realpath(given)
        landing = is_landing_store(given)
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(given):
            rel = Path(dirpath).relative_to(given)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                                 and not (landing and rel == Path(".") and d.startswith("_")))
            for d in dirnames:
                full = Path(dirpath) / d
                if full.is_symlink() and not _inside(os.path.realpath(full), root):
                    out.refused.append(_refused(full, OUTSIDE_FOLDER, f"a symlink to {os.path.realpath(full)}, "
                                                                      "outside the loaded folder: not followed"))
            names = set(filenames)
            for name in sorted(filenames):
                if name.startswith(".") or PART_RE.search(name):
                    continue
                if name.endswith(".json") and name[:-5] in names:
                    continue  # a landing-store sidecar: metadata, not a document
                f = Path(dirpath) / name
                if f.is_symlink() and not _inside(os.path.realpath(f), root):
                    out.refused.append(_refused(f, OUTSIDE_FOLDER, f"a symlink to {os.path.realpath(f)}, "
                                                                   "outside the loaded folder: not followed"))
                    continue
                problem = file_problem(f)
                if problem and problem[0] == NOT_A_REGULAR_FILE:
                    out.refused.append(_refused(f, *problem))
                    continue
                found.append(f)
                if name + ".json" in names:
                    side = read_sidecar(Path(dirpath) / (name + ".json"))
                    if side:
                        out.meta[str(f)] = DocumentMeta(
                            source_url=side.get("url"), fetched_at=_datetime(side.get("fetched_at")),
                            landing_path=str(f), registered_publisher=side.get("publisher"),
                            registered_year=_year(side.get("year")))
        out.files.extend(sorted(found))
    return out


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _datetime(v) -> datetime | None:
    if isinstance(v, datetime):
        return v
    try:
        return datetime.fromisoformat(str(v)) if v else None
    except ValueError:
        return None


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files a load of ``paths`` extracts (see :func:`collect`)."""
    return collect(paths).files


def _merge(base: DocumentMeta | None, override: DocumentMeta | None) -> DocumentMeta | None:
    if override is None:
        return base
    if base is None:
        return override
    return DocumentMeta(**{k: (getattr(override, k) if getattr(override, k) is not None else getattr(base, k))
                           for k in DocumentMeta.__dataclass_fields__})


def load_paths(conn: psycopg.Connection, paths: Iterable[str | Path], *, workers: int = 2,
               timeout_s: float = 60.0, meta_for: Callable[[Path], DocumentMeta | None] | None = None,
               progress: Progress | None = None, batch_size: int = 50,
               force: Iterable[str] = ()) -> LoadSummary:
    """Extract the documents at `paths` (files or directories) and load them. ``meta_for(path)`` gives
    metadata that overrides a landing store's (its fields that are not None); ``force``: sha256s whose
    stored documents are replaced whatever their state (an explicit retry)."""
    col = collect(paths)
    files = col.files

    by_name = {str(f): f for f in files}
    by_name.update({str(f.resolve()): f for f in files})

    def meta(path: Path) -> DocumentMeta | None:
        return _merge(col.meta.get(str(path)), meta_for(path) if meta_for else None)

    def items() -> Iterator[tuple[Record, DocumentMeta | None]]:
        for rec in col.refused:
            yield rec, meta(Path(rec.source.path))
        # extract_many yields in completion order; record.source.path says which file it is
        for rec in extract_many(files, workers=workers, timeout_s=timeout_s, memory_mb=1024):
            path = by_name.get(rec.source.path) or by_name.get(str(Path(rec.source.path).resolve()))
            yield rec, meta(path or Path(rec.source.path))

    return load_records(conn, items(), batch_size=batch_size, progress=progress, force=force)


def settled_sha256(conn: psycopg.Connection, shas: list[str]) -> set[str]:
    """The sha256s among ``shas`` that need no new extraction: stored, and not a transient quarantine
    with attempts left (those are extracted again)."""
    if not shas:
        return set()
    rows = conn.execute("select sha256, status, error_code, attempts from raw.documents where sha256 = any(%s)",
                        (list(shas),)).fetchall()
    return {sha for sha, status, code, attempts in rows if not retryable(status, code, attempts)}


@dataclass
class RetryResult:
    summary: LoadSummary
    candidates: int = 0
    missing: list[str] = field(default_factory=list)  # quarantined documents whose bytes are gone


def retry_quarantined(conn: psycopg.Connection, *, reasons: Iterable[str] = (), workers: int = 2,
                      timeout_s: float = 60.0, batch_size: int = 50,
                      progress: Progress | None = None) -> RetryResult:
    """Extract the quarantined documents again (only those quarantined for one of ``reasons`` when
    given), from their landing-store copy or their original path, and replace their rows whatever
    their attempts so far. A document whose bytes can no longer be found is listed in ``missing``."""
    import shutil
    import tempfile

    reasons = [r for r in reasons if r]
    rows = conn.execute("""
        select sha256, landing_path, source_path, source_url, fetched_at, registered_publisher, registered_year
        from raw.documents where status = 'quarantined' and (cardinality(%s::text[]) = 0 or error_code = any(%s))
        order by document_id""", (reasons, reasons)).fetchall()
    conn.commit()
    result = RetryResult(LoadSummary(), candidates=len(rows))
    tmp: Path | None = None
    files: list[Path] = []
    metas: dict[str, DocumentMeta] = {}
    try:
        for sha, landing, source, url, fetched_at, reg_pub, reg_year in rows:
            path = None
            for cand in (landing, source):
                if not cand:
                    continue
                if "://" in cand and not cand.startswith("file://"):
                    try:
                        import fsspec

                        tmp = tmp or Path(tempfile.mkdtemp(prefix="gongkai-retry-"))
                        dest = tmp / f"{sha}{Path(cand).suffix}"
                        with fsspec.open(cand, "rb") as src, open(dest, "wb") as out:
                            shutil.copyfileobj(src, out)
                        path = dest
                        break
                    except (OSError, ValueError, ImportError):
                        continue
                local = Path(cand.removeprefix("file://"))
                if local.is_file():
                    path = local
                    break
            if path is None:
                result.missing.append(landing or source or sha)
                continue
            files.append(path)
            metas[str(path)] = DocumentMeta(source_url=url, fetched_at=fetched_at, landing_path=landing,
                                            registered_publisher=reg_pub, registered_year=reg_year)
        if files:
            result.summary = load_paths(conn, files, workers=workers, timeout_s=timeout_s, batch_size=batch_size,
                                        meta_for=lambda p: metas.get(str(p)), progress=progress,
                                        force={r[0] for r in rows})
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def read_jsonl(path: str | Path) -> Iterator[Record]:
    """Records from a JSON Lines file (the output of `gongkai extract --json`). A line that is not a
    record becomes a quarantine record (``invalid_record``, named ``FILE:LINE``): the rest still loads."""
    import json

    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                d = json.loads(raw.decode("utf-8"))
                if not isinstance(d, dict):
                    raise TypeError(f"a JSON {type(d).__name__}, not an object")
                yield Record.from_dict(d)
            except Exception as e:  # noqa: BLE001 - any malformed line is quarantined by itself
                yield Record(source=Source(path=f"{path}:{n}", sha256=hashlib.sha256(raw.strip()).hexdigest()),
                             error=ExtractionError(INVALID_RECORD, f"line {n} is not an extraction record: "
                                                                   f"{type(e).__name__}: {e}"[:500]))


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
