"""The extraction sandbox inside the processes production runs it in (issue 8, items 2–3; issue 10,
FIFOs and SIGTERM): a Celery/billiard worker, a process whose ``__main__`` must never be re-imported
(``bin/airflow`` in a supervised task), and a loader killed by SIGTERM or SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from extractors import errors
from extractors.sandbox import extract_isolated, extract_many
from gongkai.demo import samples

REPO = Path(__file__).resolve().parents[2]
MISBEHAVE = "tests.extract.test_sandbox:misbehave"


def _in_billiard_worker(path: str) -> tuple:
    rec = extract_isolated(path, timeout_s=60)
    return (rec.error.code if rec.error else None, rec.source.path, len(rec.cells))


def test_sandbox_runs_inside_a_billiard_pool_worker(tmp_path):
    """A Celery prefork worker is a daemonic billiard process with its own current-process object:
    the stdlib forkserver failed there ("Pickling an AuthenticationString object is disallowed")."""
    billiard = pytest.importorskip("billiard")
    p = tmp_path / "report.txt"
    p.write_text(samples.text_path(0).read_text(encoding="utf-8"), encoding="utf-8")
    with billiard.Pool(1) as pool:
        code, path, ncells = pool.apply_async(_in_billiard_worker, (str(p),)).get(timeout=180)
    assert code is None and path == str(p) and ncells > 100


def test_workers_never_import_the_parents_main(tmp_path):
    """A parent whose main script exits when imported again (as ``bin/airflow`` does in a supervised
    task with its metadata-DB URL blanked): the workers must start, and the script must run once."""
    marker = tmp_path / "reimported"
    good = tmp_path / "good.txt"
    good.write_text("good")
    script = tmp_path / "main_script.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        if __name__ != "__main__":  # imported again (spawn/forkserver fix-up of __main__)
            open({str(marker)!r}, "w").write(__name__)
            sys.exit(7)
        sys.path.insert(0, {str(REPO)!r})
        from extractors.sandbox import extract_many
        recs = list(extract_many([{str(good)!r}] * 3, workers=2, timeout_s=60,
                                 target={MISBEHAVE!r}))
        print("codes", [r.error.code if r.error else None for r in recs])
    """))
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "codes [None, None, None]" in out.stdout
    assert not marker.exists(), f"the worker re-imported the main script as {marker.read_text()!r}"


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    good = tmp_path / "good.txt"
    good.write_text("good")
    recs = {r.source.path: r for r in extract_many([fifo, good], workers=1, timeout_s=30, target=MISBEHAVE)}
    assert recs[str(fifo)].error.code == errors.NOT_A_REGULAR_FILE
    assert "FIFO" in recs[str(fifo)].error.message
    assert recs[str(good)].error is None
    # the in-process extractor refuses it the same way (it would block in open())
    from extractors.api import extract

    assert extract(fifo).error.code == errors.NOT_A_REGULAR_FILE


def test_a_file_that_vanished_is_file_vanished(tmp_path):
    from extractors.api import extract

    p = tmp_path / "gone.pdf"
    rec = extract(p)
    assert rec.error.code == errors.FILE_VANISHED


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out |= {int(x) for x in (task / "children").read_text().split()}
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_loader_leaves_no_busy_worker(tmp_path, sig):
    """SIGTERM (or SIGKILL) to the process running the pool ends its workers too, at once."""
    hang = tmp_path / "hang.txt"
    hang.write_text("hang")
    script = tmp_path / "loader.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from extractors.sandbox import extract_many
        list(extract_many([{str(hang)!r}], workers=1, timeout_s=3600, target={MISBEHAVE!r}))
    """))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=REPO)
    try:
        worker = None
        for _ in range(600):  # the worker starts (bounded wait, not a timing assertion)
            kids = _children(proc.pid)
            if kids:
                worker = next(iter(kids))
                break
            time.sleep(0.1)
        assert worker is not None, "no worker started"
        time.sleep(1.0)  # let it pick up the hanging document
        proc.send_signal(sig)
        proc.wait(60)
        for _ in range(300):
            if not _alive(worker):
                break
            time.sleep(0.1)
        assert not _alive(worker), "the worker outlived the loader"
    finally:
        if proc.poll() is None:
            proc.kill()
