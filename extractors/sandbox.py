"""Extraction in isolated worker processes, under a per-document time and memory budget.

A parser bug, a pathological PDF or a decompression bomb must never take a batch down: each
document is extracted in a worker process whose address space is capped with ``RLIMIT_AS``. The
parent

* kills a worker that runs past ``timeout_s`` → the document's record has error ``timeout``;
* maps a ``MemoryError`` in the worker, or a worker killed by the kernel's OOM killer, to
  ``memory_limit``; a worker killed from outside (an operator's ``kill -9``, a supervisor's SIGTERM)
  to ``worker_killed``: these three are *transient* (``errors.TRANSIENT``), the loader retries them;
* maps any other crash (an exception escaping the extractor, a segfault) to ``extractor_crash``;
* refuses paths that are not regular files (a FIFO, a device) without opening them;
* replaces a dead worker and goes on with the next document.

Workers are fresh interpreters (``subprocess`` running this module's :func:`_worker_entry`), talking to
the parent over a socket pair. They never import the parent's ``__main__`` (under Airflow that is
``bin/airflow`` in a supervised task) and they need nothing from :mod:`multiprocessing`'s process
objects, so the pool works the same in a CLI, in any Airflow executor's task process and inside a
Celery/billiard worker (daemonic, with a replaced current-process object). A worker dies with the
thread that started it (``PR_SET_PDEATHSIG``), so a loader killed by SIGTERM or SIGKILL never leaves a
busy worker running outside its limits.

Every input path yields exactly one :class:`~extractors.model.Record`.

    >>> for rec in extract_many(paths, workers=2, timeout_s=60, memory_mb=1024):
    ...     print(rec.source.path, rec.error.code if rec.error else len(rec.cells))
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from extractors import errors
from extractors.files import file_problem
from extractors.model import ExtractionError, Record, Source

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 1024
# address space the OCR stack (OpenCV, onnxruntime, the models) may add on top of ``memory_mb``: the
# hard limit; extractors.ocr raises the soft limit to it when a document needs OCR
OCR_MEMORY_MB = 1536
# imported by every worker before its memory cap is set (and before its first document)
PRELOAD = ["extractors.api", "extractors.pdf", "pdfplumber", "pdfminer.high_level"]

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
    """A record for a document that could not be read: no cells, ``error = {code, message}``. The
    file is hashed only when it is a regular file (a FIFO is never opened)."""
    p = Path(path)
    regular = file_problem(p) is None
    try:
        size = p.stat().st_size if regular else None
    except OSError:
        size = None
    media_type = "application/pdf" if p.suffix.lower() == ".pdf" else mimetypes.guess_type(p.name)[0]
    return Record(
        source=Source(path=str(path), sha256=_sha256(p) if regular else "", media_type=media_type, size=size),
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
    for module in PRELOAD:
        with contextlib.suppress(Exception):
            __import__(module)
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


def _die_with_parent(parent_pid: int) -> None:
    """Linux: get SIGKILL when the thread that started us ends (the loader killed, or exiting)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _worker_entry() -> None:
    """``python -c`` entry of a worker: argv = fd, memory_mb, target, parent pid."""
    fd, memory_mb, target, parent_pid = sys.argv[1:5]
    _die_with_parent(int(parent_pid))
    conn = Connection(int(fd))
    _worker_main(conn, int(memory_mb) or None, target)


_BOOT = ("import os, sys; sys.path[:0] = [p for p in os.environ.pop('GONGKAI_SANDBOX_PATH', '').split(os.pathsep) "
         "if p]; from extractors.sandbox import _worker_entry; _worker_entry()")


def _worker_env() -> dict[str, str]:
    """The worker's environment: ours, plus our import path (so it imports the same ``extractors``
    and the same target module as we would, e.g. a test module or a DAG folder)."""
    path = [os.path.abspath(p) if p else os.getcwd() for p in sys.path]
    return dict(os.environ, GONGKAI_SANDBOX_PATH=os.pathsep.join(path))


@dataclass
class _Worker:
    proc: subprocess.Popen
    conn: Connection
    ready: bool = False
    task: tuple[int, str] | None = None
    deadline: float = 0.0
    started: float = field(default_factory=time.monotonic)
    oom_kills: int = 0  # the kernel's OOM-kill counter when the current task started


def _oom_kills() -> int:
    """How many processes the kernel's OOM killer has killed (system-wide, and in our cgroup v2)."""
    total = 0
    for path, key in (("/proc/vmstat", "oom_kill"), ("/sys/fs/cgroup/memory.events", "oom_kill")):
        with contextlib.suppress(OSError, ValueError), open(path) as f:
            for line in f:
                k, _, v = line.partition(" ")
                if k == key:
                    total += int(v)
    return total


def death_record(path: str, exitcode: int | None, oom_before: int, memory_mb: int | None) -> Record:
    """The record of a document whose worker died: a true label of what killed it."""
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
        if sig == signal.SIGKILL and _oom_kills() > oom_before:
            return error_record(path, errors.MEMORY_LIMIT,
                                "the extraction worker was killed by the kernel's OOM killer (out of memory)")
        if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
            return error_record(path, errors.WORKER_KILLED,
                                f"the extraction worker was killed from outside ({name}); it will be retried")
        return error_record(path, errors.EXTRACTOR_CRASH, f"the extraction worker died of {name}")
    if exitcode == 3:
        return error_record(path, errors.MEMORY_LIMIT, f"the extraction needed more than {memory_mb} MB")
    return error_record(path, errors.EXTRACTOR_CRASH, f"the extraction worker died (exit code {exitcode})")


@contextlib.contextmanager
def _terminate_on_sigterm() -> Iterator[None]:
    """In a CLI (main thread, default SIGTERM action), turn SIGTERM into SystemExit so the pool is
    closed (its workers killed) and open transactions roll back. Airflow and Celery install their
    own handlers: those are left alone."""
    installed = False
    old: Any = None
    if threading.current_thread() is threading.main_thread():
        with contextlib.suppress(ValueError, OSError):
            old = signal.getsignal(signal.SIGTERM)
            if old == signal.SIG_DFL:
                def _exit(signum, frame):  # noqa: ARG001
                    raise SystemExit(128 + signum)

                signal.signal(signal.SIGTERM, _exit)
                installed = True
    try:
        yield
    finally:
        if installed:
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signal.SIGTERM, old)


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
        self._workers: list[_Worker] = []
        self.replaced = 0

    # -- worker lifecycle
    def _spawn(self) -> _Worker:
        parent, child = socket.socketpair()
        try:
            out = sys.__stderr__.fileno() if sys.__stderr__ is not None else subprocess.DEVNULL
        except (OSError, ValueError):
            out = subprocess.DEVNULL
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(child.fileno()), str(int(self.memory_mb or 0)), self.target,
                 str(os.getpid())],
                pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, stdout=out, env=_worker_env(),
                close_fds=True)
        finally:
            child.close()
        conn = Connection(parent.detach())
        w = _Worker(proc=proc, conn=conn)
        w.deadline = time.monotonic() + self.startup_timeout_s
        self._workers.append(w)
        return w

    def _kill(self, w: _Worker) -> None:
        if w.proc.poll() is None:
            with contextlib.suppress(OSError):
                w.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            w.proc.wait(5)
        w.conn.close()
        self._workers.remove(w)

    def close(self) -> None:
        for w in list(self._workers):
            with contextlib.suppress(OSError):
                w.conn.send(None)
        for w in list(self._workers):
            with contextlib.suppress(subprocess.TimeoutExpired):
                w.proc.wait(2)
            self._kill(w)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- running
    def run(self, paths: Iterable[str | Path], progress: Progress | None = None) -> Iterator[Record]:
        with _terminate_on_sigterm():
            yield from self._run(paths, progress)

    def _run(self, paths: Iterable[str | Path], progress: Progress | None) -> Iterator[Record]:
        queue: deque[tuple[int, str]] = deque()
        refused: list[Record] = []
        for i, p in enumerate(paths):
            problem = file_problem(p)  # a FIFO or a device never reaches a worker (nor is opened)
            if problem:
                refused.append(error_record(p, *problem))
            else:
                queue.append((i, str(p)))
        total = len(queue) + len(refused)
        done = 0
        for rec in refused:
            done += 1
            if progress:
                progress(done, total, rec)
            yield rec
        while len(self._workers) < min(self.size, len(queue)):
            self._spawn()
        while queue or any(w.task for w in self._workers):
            # hand out work
            for w in self._workers:
                if w.ready and w.task is None and queue:
                    w.task = queue.popleft()
                    w.deadline = time.monotonic() + self.timeout_s + _ocr_allowance(w.task[1])
                    w.oom_kills = _oom_kills()
                    with contextlib.suppress(OSError):  # dead: noticed below through its exit
                        w.conn.send(w.task)
            now = time.monotonic()
            timeout = max(0.0, min((w.deadline for w in self._workers), default=now + 1) - now)
            # a dead worker closes its end of the socket: its connection becomes readable (EOF)
            ready = wait([w.conn for w in self._workers], timeout=min(timeout, 1.0))
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
                with contextlib.suppress(subprocess.TimeoutExpired):
                    w.proc.wait(5)  # EOF: the worker is exiting; collect its status
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
        if w.proc.poll() is not None:
            task = w.task
            exitcode = w.proc.returncode
            self._kill(w)
            self.replaced += 1
            if task is None:
                if not w.ready:
                    raise RuntimeError(f"an extraction worker died while starting (exit code {exitcode})")
                return None
            return death_record(task[1], exitcode, w.oom_kills, self.memory_mb)
        if time.monotonic() > w.deadline:
            if w.conn not in ready and w.conn.poll():  # the answer came in after wait() returned
                return self._poll(w, [w.conn])
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
