"""Extraction in isolated worker processes, under a per-document time and memory budget.

A parser bug, a pathological PDF or a decompression bomb must never take a batch down: each
document is extracted in a worker process (``forkserver`` start method, with pdfplumber preloaded)
whose address space is capped with ``RLIMIT_AS``. The parent

* kills a worker that runs past ``timeout_s`` → the document's record has error ``timeout``;
* maps a ``MemoryError`` in the worker, or a worker killed by SIGKILL (the kernel's OOM killer),
  to ``memory_limit``;
* maps any other crash (an exception escaping the extractor, a segfault) to ``extractor_crash``;
* replaces a dead worker and goes on with the next document.

Every input path yields exactly one :class:`~extractors.model.Record`.

    >>> for rec in extract_many(paths, workers=2, timeout_s=60, memory_mb=1024):
    ...     print(rec.source.path, rec.error.code if rec.error else len(rec.cells))
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import multiprocessing as mp
import os
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from extractors import errors
from extractors.model import ExtractionError, Record, Source

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 1024
# address space the OCR stack (OpenCV, onnxruntime, the models) may add on top of ``memory_mb``: the
# hard limit; extractors.ocr raises the soft limit to it when a document needs OCR
OCR_MEMORY_MB = 1536
PRELOAD = ["extractors.pdf", "pdfplumber", "pdfminer.high_level"]

Progress = Callable[[int, int, Record], None]


# --------------------------------------------------------------------------- records

def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


def error_record(path: str | Path, code: str, message: str) -> Record:
    """A record for a document that could not be read: no cells, ``error = {code, message}``."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError:
        size = None
    media_type = "application/pdf" if p.suffix.lower() == ".pdf" else mimetypes.guess_type(p.name)[0]
    return Record(
        source=Source(path=str(path), sha256=_sha256(p), media_type=media_type, size=size),
        error=ExtractionError(code=code, message=message),
    )


def _error_code(exc: BaseException) -> str | None:
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) and code in errors.ERRORS else None


DEFAULT_TARGET = "extractors.api:extract"


def _resolve(target: str) -> Callable[[str], Record]:
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name or "extract")


# --------------------------------------------------------------------------- the worker

def _worker_main(conn: Connection, memory_mb: int | None, target: str = DEFAULT_TARGET) -> None:
    """Worker loop: receive ``(task_id, path)``, send back ``(task_id, kind, payload)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C and kills us
    if memory_mb:
        import resource

        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit + OCR_MEMORY_MB * 1024 * 1024))
    try:
        extract = _resolve(target)
    except Exception as e:  # the extractor cannot even be imported: every task is a crash
        extract = None
        import_error = f"cannot import {target}: {e!r}"
    conn.send(("ready", None, os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        task_id, path = msg
        try:
            if extract is None:
                conn.send((task_id, "error", (errors.EXTRACTOR_CRASH, import_error)))
                continue
            rec = extract(path)
            conn.send((task_id, "ok", rec.to_dict()))
        except MemoryError:
            try:
                conn.send((task_id, "error", (errors.MEMORY_LIMIT,
                                              f"the extraction needed more than {memory_mb} MB")))
            finally:
                os._exit(3)  # the heap may be in a bad state: let the parent start a fresh worker
        except Exception as e:
            code = _error_code(e)
            if code:
                conn.send((task_id, "error", (code, getattr(e, "message", None) or str(e))))
            else:
                tb = traceback.format_exception_only(type(e), e)[-1].strip()
                conn.send((task_id, "error", (errors.EXTRACTOR_CRASH, f"unexpected {tb}"[:500])))


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    ready: bool = False
    task: tuple[int, str] | None = None
    deadline: float = 0.0
    started: float = field(default_factory=time.monotonic)


def _forget_inherited_forkserver() -> None:
    """After a plain fork, the child inherits the parent's forkserver bookkeeping, but that server
    is not its child (Python 3.11 then fails with ChildProcessError in ensure_running): forget it,
    so the child starts its own forkserver when it needs one."""
    try:
        from multiprocessing import forkserver

        fs = forkserver._forkserver
        fs._forkserver_pid = None
        fs._forkserver_address = None
        fs._forkserver_alive_fd = None
    except Exception:  # noqa: BLE001 - other Python versions: nothing to reset
        pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_forkserver)


def _context() -> Any:
    ctx = mp.get_context("forkserver")
    with contextlib.suppress(Exception):
        ctx.set_forkserver_preload(PRELOAD)
    return ctx


class WorkerPool:
    """A pool of extraction workers reused across documents; a worker that times out, runs out of
    memory or crashes is replaced. Use :func:`extract_many` unless you need to keep the pool."""

    def __init__(self, workers: int = 1, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 memory_mb: int | None = DEFAULT_MEMORY_MB, startup_timeout_s: float = 120.0,
                 target: str = DEFAULT_TARGET):
        """``target`` is the extraction function as ``"module:function"`` (path → Record)."""
        self.size = max(1, int(workers))
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.startup_timeout_s = startup_timeout_s
        self.target = target
        self._ctx = _context()
        self._workers: list[_Worker] = []
        self.replaced = 0

    # -- worker lifecycle
    def _spawn(self) -> _Worker:
        cur = mp.current_process()
        if cur.daemon:
            # Inside a daemonic process (a Celery prefork worker, a multiprocessing pool …)
            # multiprocessing refuses to start children. Our workers are daemons themselves and
            # are killed by close(), so nothing is orphaned: lift the flag for this process.
            cur._config["daemon"] = False  # type: ignore[attr-defined]
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(child, self.memory_mb, self.target), daemon=True,
                                 name="gongkai-extract")
        proc.start()
        child.close()
        w = _Worker(proc=proc, conn=parent)
        w.deadline = time.monotonic() + self.startup_timeout_s
        self._workers.append(w)
        return w

    def _kill(self, w: _Worker) -> None:
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join(5)
        w.conn.close()
        self._workers.remove(w)

    def close(self) -> None:
        for w in list(self._workers):
            with contextlib.suppress(OSError):
                w.conn.send(None)
        for w in list(self._workers):
            w.proc.join(2)
            self._kill(w)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- running
    def run(self, paths: Iterable[str | Path], progress: Progress | None = None) -> Iterator[Record]:
        queue: deque[tuple[int, str]] = deque((i, str(p)) for i, p in enumerate(paths))
        total = len(queue)
        done = 0
        while len(self._workers) < min(self.size, max(total, 1)):
            self._spawn()
        while queue or any(w.task for w in self._workers):
            # hand out work
            for w in self._workers:
                if w.ready and w.task is None and queue:
                    w.task = queue.popleft()
                    w.deadline = time.monotonic() + self.timeout_s + _ocr_allowance(w.task[1])
                    with contextlib.suppress(OSError):  # dead: noticed below through its sentinel
                        w.conn.send(w.task)
            now = time.monotonic()
            timeout = max(0.0, min((w.deadline for w in self._workers), default=now + 1) - now)
            ready = wait([w.conn for w in self._workers] + [w.proc.sentinel for w in self._workers],
                         timeout=min(timeout, 1.0))
            finished: list[Record] = []
            for w in list(self._workers):
                rec = self._poll(w, ready)
                if rec is not None:
                    finished.append(rec)
            for rec in finished:
                done += 1
                if progress:
                    progress(done, total, rec)
                yield rec
            # keep the pool full while there is work
            while len(self._workers) < self.size and queue:
                self._spawn()

    def _poll(self, w: _Worker, ready: list[Any]) -> Record | None:
        """Collect a result, a death or a timeout of one worker."""
        if w.conn in ready:
            try:
                msg = w.conn.recv()
            except (EOFError, OSError):
                msg = None
            if msg is not None:
                tag, kind, payload = msg
                if tag == "ready":
                    w.ready = True
                    return None
                task = w.task
                w.task = None
                if task is None or task[0] != tag:
                    return None
                if kind == "ok":
                    return Record.from_dict(payload)
                code, message = payload
                if code == errors.MEMORY_LIMIT:
                    self._kill(w)
                    self.replaced += 1
                return error_record(task[1], code, message)
        if not w.proc.is_alive():
            task = w.task
            exitcode = w.proc.exitcode
            self._kill(w)
            self.replaced += 1
            if task is None:
                if not w.ready:
                    raise RuntimeError(f"an extraction worker died while starting (exit code {exitcode})")
                return None
            if exitcode is not None and exitcode == -signal.SIGKILL:
                return error_record(task[1], errors.MEMORY_LIMIT,
                                    "the extraction worker was killed (SIGKILL: out of memory)")
            return error_record(task[1], errors.EXTRACTOR_CRASH,
                                f"the extraction worker died (exit code {exitcode})")
        if time.monotonic() > w.deadline:
            task = w.task
            self._kill(w)
            self.replaced += 1
            if task is None:
                raise RuntimeError("an extraction worker did not start in time")
            return error_record(task[1], errors.TIMEOUT,
                                f"the extraction took longer than {self.timeout_s:g} s and was stopped")
        return None


def _ocr_allowance(path: str) -> float:
    """Extra seconds for a document with pages only OCR can read: each such page has its own budget
    (``extractors.ocr.reader``), on top of the document's ``timeout_s``."""
    try:
        from extractors.ocr import time_allowance

        return time_allowance(path)
    except Exception:  # noqa: BLE001 - an unreadable file is the worker's to report
        return 0.0


def extract_many(
    paths: Iterable[str | Path],
    *,
    workers: int = 1,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    progress: Progress | None = None,
    target: str = DEFAULT_TARGET,
) -> Iterator[Record]:
    """Extract many documents in a pool of isolated workers; yields one record per path, in
    completion order (``record.source.path`` says which). ``progress(done, total, record)`` is
    called after each document."""
    with WorkerPool(workers, timeout_s=timeout_s, memory_mb=memory_mb, target=target) as pool:
        yield from pool.run(paths, progress)


def extract_isolated(
    path: str | Path, *, timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: int | None = DEFAULT_MEMORY_MB,
    target: str = DEFAULT_TARGET,
) -> Record:
    """Extract one document in a fresh worker process under a time and memory budget."""
    recs = list(extract_many([path], workers=1, timeout_s=timeout_s, memory_mb=memory_mb, target=target))
    assert len(recs) == 1
    return recs[0]
