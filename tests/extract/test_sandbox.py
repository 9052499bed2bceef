"""The isolated worker pool: real worker processes running a deliberately misbehaving extractor
(`misbehave` below, chosen by the file name) — hanging, allocating without bound, segfaulting,
raising — must each end as one record with its error code, and never stop the batch.

The tests assert on what the pool decided (the error code and its message), never on how long it took;
only a hang waits for its time budget, and every other case is done in milliseconds, far inside it."""

from __future__ import annotations

import ctypes
import os
import time
from pathlib import Path

import numpy as np
import pytest

from extractors import errors
from extractors.model import Record, Source
from extractors.pdf import ExtractionFailure
from extractors.sandbox import WorkerPool, error_record, extract_isolated, extract_many

TARGET = f"{__name__}:misbehave"


def misbehave(path: str) -> Record:
    """An extractor that does what the file name says (runs inside the worker process)."""
    name = Path(path).stem
    if name.startswith("hang"):
        time.sleep(3600)
    if name.startswith("oom"):
        # Address space without bound, 64 MB at a time, never touched: the memory limit (RLIMIT_AS)
        # stops it within a few allocations, however busy the machine is.
        hog = []
        while True:
            hog.append(np.empty(64 * 1024 * 1024, dtype=np.uint8))
    if name.startswith("segv"):
        ctypes.string_at(0)  # reads address 0: SIGSEGV
    if name.startswith("boom"):
        raise ValueError("a bug in the extractor")
    if name.startswith("fail"):
        raise ExtractionFailure(errors.CORRUPT_PDF, "cannot parse")
    if name.startswith("killed"):
        os.kill(os.getpid(), 9)
    return Record(source=Source(path=path, sha256="x", media_type="text/plain"))


def _files(tmp_path, names):
    paths = []
    for n in names:
        p = tmp_path / f"{n}.txt"
        p.write_text(n)
        paths.append(p)
    return paths


def test_ok_record_comes_back_from_the_worker(tmp_path):
    (p,) = _files(tmp_path, ["good"])
    rec = extract_isolated(p, target=TARGET, timeout_s=30)
    assert rec.error is None and rec.source.path == str(p)


@pytest.mark.timeout(600)  # a broken timeout fails here instead of sleeping for an hour
def test_timeout_kills_the_worker(tmp_path):
    (p,) = _files(tmp_path, ["hang"])
    rec = extract_isolated(p, target=TARGET, timeout_s=1.5)
    assert rec.error is not None and rec.error.code == errors.TIMEOUT
    assert "longer than 1.5 s" in rec.error.message
    assert rec.source.sha256 and rec.source.path == str(p)


def test_memory_limit(tmp_path):
    (p,) = _files(tmp_path, ["oom"])
    rec = extract_isolated(p, target=TARGET, timeout_s=60, memory_mb=600)
    assert rec.error is not None and rec.error.code == errors.MEMORY_LIMIT
    assert "more than 600 MB" in rec.error.message


@pytest.mark.parametrize(("name", "code"), [
    ("segv", errors.EXTRACTOR_CRASH),
    ("boom", errors.EXTRACTOR_CRASH),
    ("fail", errors.CORRUPT_PDF),
    ("killed", errors.WORKER_KILLED),  # a SIGKILL without an OOM kill: from outside, retried later
])
def test_crashes_become_error_records(tmp_path, name, code):
    (p,) = _files(tmp_path, [name])
    rec = extract_isolated(p, target=TARGET, timeout_s=30)
    assert rec.error is not None and rec.error.code == code, rec.error


def test_batch_survives_every_failure_and_yields_one_record_per_path(tmp_path):
    names = ["good1", "hang", "segv", "good2", "boom", "oom", "fail", "good3", "killed", "good4"]
    paths = _files(tmp_path, names)
    seen = []
    # 5 s: the hang's budget; every other case needs milliseconds (the oom case allocates untouched pages)
    with WorkerPool(2, timeout_s=5, memory_mb=600, target=TARGET) as pool:
        recs = list(pool.run(paths, progress=lambda done, total, rec: seen.append((done, total))))
        replaced = pool.replaced
    assert sorted(r.source.path for r in recs) == sorted(str(p) for p in paths)
    by_name = {Path(r.source.path).stem: r for r in recs}
    assert all(by_name[n].error is None for n in names if n.startswith("good"))
    assert by_name["hang"].error.code == errors.TIMEOUT
    assert by_name["oom"].error.code == errors.MEMORY_LIMIT, by_name["oom"].error
    assert by_name["segv"].error.code == errors.EXTRACTOR_CRASH
    assert seen[-1] == (len(names), len(names)) and len(seen) == len(names)
    assert replaced >= 4  # hang, segv, oom, killed each cost a worker


def test_extract_many_with_missing_extractor_module_reports_crashes(tmp_path):
    paths = _files(tmp_path, ["a", "b"])
    recs = list(extract_many(paths, target="no_such_module_xyz:extract", timeout_s=30))
    assert len(recs) == 2
    assert all(r.error.code == errors.EXTRACTOR_CRASH and "no_such_module_xyz" in r.error.message for r in recs)


def test_error_record_shape(tmp_path):
    p = tmp_path / "x.pdf"
    p.write_bytes(b"%PDF-1.4 junk")
    rec = error_record(p, errors.CORRUPT_PDF, "bad")
    d = rec.to_dict()
    assert d["error"] == {"code": "corrupt_pdf", "message": "bad"} and d["cells"] == []
    assert d["source"]["media_type"] == "application/pdf" and d["source"]["size"] == 13


def _from_daemon(path: str, q) -> None:
    try:
        rec = extract_isolated(path, target=TARGET, timeout_s=30)
        q.put(("ok", rec.error.code if rec.error else None, rec.source.path))
    except BaseException as e:  # noqa: BLE001 - report anything to the parent
        q.put(("fail", repr(e), None))


def test_works_inside_a_daemonic_process(tmp_path):
    """Celery prefork workers and multiprocessing pools are daemonic: the pool must still start."""
    import multiprocessing as mp

    (p,) = _files(tmp_path, ["good"])
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    proc = ctx.Process(target=_from_daemon, args=(str(p), q), daemon=True)
    proc.start()
    try:
        got = q.get(timeout=60)
        assert got == ("ok", None, str(p)), got
    finally:
        proc.join(10)
