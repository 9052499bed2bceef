"""The landing store: every fetched byte, content-addressed, on any fsspec filesystem.

Layout under the store's root URL (a local folder by default, ``s3://bucket/prefix`` in production)::

    ab/ab12…ef.pdf            the bytes, named by their sha256 (+ an extension from the sniffed type)
    ab/ab12…ef.pdf.json       metadata of the first fetch that brought these bytes
    _fetch_log/2026-11-22/<run_id>.jsonl   one JSON line per fetch attempt-series (fetched/unchanged/failed)
    _state/urls/<h[:2]>/<h>.json           the last successful fetch of a URL (h = sha256 of the URL):
                                           validators (ETag, Last-Modified) for conditional GET

Writes are atomic on a local folder (a temporary file, fsync, rename): a full disk leaves either the old
file or the new one, never an empty or half-written one. A state file that cannot be parsed anyway is
discarded with a warning (the URL is then fetched unconditionally), and unfinished ``.part-…`` files are
removed when their write fails and swept when the store is opened.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import fsspec

DEFAULT_LANDING = "data/landing"
LANDING_ENV = "GONGKAI_LANDING_URL"
STALE_PART_S = 3600  # an unfinished .part file older than this belongs to a dead writer
PART_RE = re.compile(r"\.(?:part|tmp)-\d+-\d+$")

log = logging.getLogger(__name__)


def is_landing_store(path: str | os.PathLike) -> bool:
    """Whether a local folder is a landing store (it has the fetch log or the URL state folder)."""
    p = Path(path)
    return (p / "_fetch_log").is_dir() or (p / "_state").is_dir()


def read_sidecar(path: str | os.PathLike) -> dict[str, Any] | None:
    """The fetch metadata stored beside a document (``<blob>.json``), or None when it is not one."""
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError):
        return None
    return d if isinstance(d, dict) and "sha256" in d and "url" in d else None


def default_landing_url() -> str:
    url = os.environ.get(LANDING_ENV)
    if url:
        return url
    return str(Path(os.environ.get("GONGKAI_DATA_DIR", "data")).resolve() / "landing")


class LandingStore:
    """Content-addressed bytes + JSON metadata + a JSON Lines fetch log, over fsspec."""

    def __init__(self, url: str | os.PathLike | None = None, **storage_options: Any):
        url = str(url) if url else default_landing_url()
        self.fs, root = fsspec.core.url_to_fs(url, **storage_options)
        self.local = "file" in (self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,))
        self.root = root.rstrip("/")
        self.url = url
        self._lock = threading.Lock()
        self._pending_log: dict[str, list[str]] = {}
        self.fs.makedirs(self.root, exist_ok=True)
        if self.local:
            self.sweep_parts()

    def __repr__(self) -> str:
        return f"LandingStore({self.url!r})"

    # ---- paths
    def _p(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    @staticmethod
    def blob_key(sha256: str, ext: str) -> str:
        return f"{sha256[:2]}/{sha256}.{ext}"

    def full_path(self, key: str) -> str:
        """The path of a key as the filesystem sees it (prefixed with the protocol if not local)."""
        p = self._p(key)
        return p if self.local else self.fs.unstrip_protocol(p)

    # ---- blobs
    def has(self, key: str) -> bool:
        return self.fs.exists(self._p(key))

    def put_file(self, src: IO[bytes], sha256: str, ext: str, meta: dict[str, Any]) -> tuple[str, bool]:
        """Store the bytes of ``src`` under their sha256; return (key, created). Idempotent."""
        key = self.blob_key(sha256, ext)
        if self.has(key):
            return key, False
        self.fs.makedirs(self._p(sha256[:2]), exist_ok=True)
        tmp = self._p(f"{key}.part-{os.getpid()}-{threading.get_ident()}")
        try:
            with self.fs.open(tmp, "wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
                if self.local:
                    out.flush()
                    os.fsync(out.fileno())
            self.fs.mv(tmp, self._p(key))
        except BaseException:
            with contextlib.suppress(Exception):  # a full disk: leave no .part behind
                self.fs.rm(tmp)
            raise
        self.write_json(key + ".json", meta)
        return key, True

    def sweep_parts(self, older_than_s: float = STALE_PART_S) -> int:
        """Remove unfinished ``.part-…``/``.tmp-…`` files older than ``older_than_s`` (their writer died:
        a write of the largest allowed body takes seconds). Local folders only; returns how many."""
        removed = 0
        now = time.time()
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                if not PART_RE.search(name):
                    continue
                full = os.path.join(dirpath, name)
                try:
                    if now - os.stat(full).st_mtime > older_than_s:
                        os.remove(full)
                        removed += 1
                except OSError:
                    continue
        if removed:
            log.warning("removed %d unfinished .part file(s) from the landing store %s", removed, self.url)
        return removed

    def put_bytes(self, data: bytes, ext: str, meta: dict[str, Any] | None = None) -> tuple[str, bool]:
        from io import BytesIO
        return self.put_file(BytesIO(data), hashlib.sha256(data).hexdigest(), ext, meta or {})

    def read_bytes(self, key: str) -> bytes:
        with self.fs.open(self._p(key), "rb") as f:
            return f.read()

    def open(self, key: str, mode: str = "rb"):
        return self.fs.open(self._p(key), mode)

    def blobs(self) -> list[str]:
        """Keys of all stored documents (not metadata, logs or state)."""
        out = []
        for p in self.fs.find(self.root):
            rel = p[len(self.root) + 1:] if p.startswith(self.root) else p
            if rel.startswith("_") or rel.endswith(".json") or PART_RE.search(rel):
                continue
            out.append(rel)
        return sorted(out)

    # ---- JSON
    def write_json(self, key: str, obj: Any) -> None:
        """Write a JSON file atomically (local: temporary file, fsync, rename; object stores write an
        object whole)."""
        parent = key.rsplit("/", 1)[0] if "/" in key else ""
        if parent:
            self.fs.makedirs(self._p(parent), exist_ok=True)
        data = json.dumps(obj, ensure_ascii=False, default=str, sort_keys=True).encode("utf-8")
        if not self.local:
            with self.fs.open(self._p(key), "wb") as f:
                f.write(data)
            return
        path = self._p(key)
        tmp = f"{path}.tmp-{os.getpid()}-{threading.get_ident()}"
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise
        with contextlib.suppress(OSError):  # make the rename itself durable
            dfd = os.open(os.path.dirname(path), os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

    def read_json(self, key: str) -> Any | None:
        """The JSON at ``key``; None when it is missing, or corrupt (then it is removed, with a warning)."""
        try:
            with self.fs.open(self._p(key), "rb") as f:
                return json.loads(f.read().decode("utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, UnicodeDecodeError) as e:
            log.warning("discarding the corrupt landing-store file %s (%s)", key, e)
            with contextlib.suppress(Exception):
                self.fs.rm(self._p(key))
            return None

    # ---- per-URL state (for conditional GET without a database)
    @staticmethod
    def _state_key(url: str) -> str:
        h = hashlib.sha256(url.encode()).hexdigest()
        return f"_state/urls/{h[:2]}/{h}.json"

    def url_state(self, url: str) -> dict[str, Any] | None:
        state = self.read_json(self._state_key(url))
        return state if isinstance(state, dict) else None

    def set_url_state(self, url: str, state: dict[str, Any]) -> None:
        self.write_json(self._state_key(url), state)

    # ---- fetch log (JSON Lines)
    @staticmethod
    def log_key(run_id: str, when: datetime | None = None) -> str:
        day = (when or datetime.now(UTC)).strftime("%Y-%m-%d")
        return f"_fetch_log/{day}/{run_id}.jsonl"

    def append_log(self, key: str, entry: dict[str, Any]) -> None:
        """Append one line. Local folders are appended to at once; object stores (no append) are
        buffered and written by :meth:`flush_log`."""
        line = json.dumps(entry, ensure_ascii=False, default=str, sort_keys=True) + "\n"
        with self._lock:
            if self.local:
                self.fs.makedirs(self._p(key.rsplit("/", 1)[0]), exist_ok=True)
                with open(self._p(key), "a", encoding="utf-8") as f:
                    f.write(line)
            else:
                self._pending_log.setdefault(key, []).append(line)

    def flush_log(self) -> None:
        with self._lock:
            for key, lines in self._pending_log.items():
                existing = ""
                if self.fs.exists(self._p(key)):
                    with self.fs.open(self._p(key), "r", encoding="utf-8") as f:
                        existing = f.read()
                with self.fs.open(self._p(key), "w", encoding="utf-8") as f:
                    f.write(existing + "".join(lines))
            self._pending_log.clear()

    def read_log(self, run_id: str | None = None) -> list[dict[str, Any]]:
        """Every logged fetch (optionally of one run), oldest file first."""
        self.flush_log()
        pattern = self._p(f"_fetch_log/*/{run_id or '*'}.jsonl")
        out: list[dict[str, Any]] = []
        for p in sorted(self.fs.glob(pattern)):
            with self.fs.open(p, "r", encoding="utf-8") as f:
                out += [json.loads(line) for line in f if line.strip()]
        return out

