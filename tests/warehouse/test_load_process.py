"""The loader as a process: `gongkai load` on files and JSON Lines, and a loader killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psycopg

from tests.support import ROOT
from tests.support.warehouse import spec_records

GONGKAI = [sys.executable, "-m", "gongkai.cli"]


def run_cli(args: list[str], url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WAREHOUSE_URL": url}
    return subprocess.run([*GONGKAI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_cli_load_records_jsonl_is_idempotent(wh_url, tmp_path):
    recs = spec_records(12, seed=21)
    f = tmp_path / "recs.jsonl"
    f.write_text("".join(r.to_json() + "\n" for r in recs), encoding="utf-8")
    first = run_cli(["load", "--records", str(f), "--json"], wh_url)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout.splitlines()[-1])["loaded"] == 12
    second = run_cli(["load", "--records", str(f), "--json"], wh_url)
    assert json.loads(second.stdout.splitlines()[-1])["unchanged"] == 12
    with psycopg.connect(wh_url) as c:
        assert c.execute("select count(*) from raw.cells").fetchone()[0] == sum(len(r.cells) for r in recs)


def test_cli_load_seed_files(wh_url, seeds_dir):
    first = run_cli(["load", str(seeds_dir), "--json"], wh_url)
    assert first.returncode == 0, first.stderr
    n = len([p for p in seeds_dir.iterdir() if p.is_file()])
    s1 = json.loads(first.stdout.splitlines()[-1])
    assert s1["loaded"] + s1["quarantined"] == n
    with psycopg.connect(wh_url) as c:
        counts = c.execute("select count(*), (select count(*) from raw.cells) from raw.documents").fetchone()
    s2 = json.loads(run_cli(["load", str(seeds_dir), "--json"], wh_url).stdout.splitlines()[-1])
    assert s2["unchanged"] == n and s2["cells_loaded"] == 0
    with psycopg.connect(wh_url) as c:
        assert c.execute("select count(*), (select count(*) from raw.cells) from raw.documents"
                         ).fetchone() == counts


KILL_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
import psycopg
from tests.support.warehouse import spec_records
from gongkai.warehouse.load import load_records

recs = spec_records({n}, seed=31)
with psycopg.connect({url!r}) as conn:
    def progress(s):
        print(s.documents_seen, flush=True)
    load_records(conn, ((r, None) for r in recs), batch_size=25, progress=progress)
print("done", flush=True)
"""


def _check_no_partial(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as c:
        # every document has exactly the cells it declares; no orphans; no duplicates
        partial = c.execute("""select count(*) from raw.documents d
                               where d.cell_count <> (select count(*) from raw.cells c
                                                      where c.document_id = d.document_id)""").fetchone()[0]
        orphans = c.execute("""select count(*) from raw.cells c where not exists
                               (select 1 from raw.documents d where d.document_id = c.document_id)""").fetchone()[0]
        dups = c.execute("select count(*) - count(distinct sha256) from raw.documents").fetchone()[0]
        assert (partial, orphans, dups) == (0, 0, 0)
        return c.execute("select count(*), (select count(*) from raw.cells) from raw.documents").fetchone()


def test_sigkill_mid_batch_leaves_no_partial_document(wh_url):
    n = 1500
    script = KILL_SCRIPT.format(root=str(ROOT), n=n, url=wh_url)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 100 and time.monotonic() < deadline:  # a few batches committed, the next one running
        line = proc.stdout.readline()
        if not line:
            break
        seen = int(line.split()[0]) if line[0].isdigit() else n
    time.sleep(0.03)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    docs, _ = _check_no_partial(wh_url)
    assert 0 < docs < n, "the loader should have been killed part-way"
    assert docs % 25 == 0  # whole batches only

    rerun = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    docs, cells = _check_no_partial(wh_url)
    assert docs == n
    assert cells == sum(len(r.cells) for r in spec_records(n, seed=31))


def test_concurrent_loaders_do_not_duplicate(wh_url):
    n = 300
    script = KILL_SCRIPT.format(root=str(ROOT), n=n, url=wh_url)
    procs = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    docs, cells = _check_no_partial(wh_url)
    assert docs == n and cells == sum(len(r.cells) for r in spec_records(n, seed=31))
