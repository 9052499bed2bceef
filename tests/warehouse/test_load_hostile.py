"""Issue 10 against a real Postgres: hostile file names and records never abort a batch, transient
failures are retried, a landing store loads as its documents, FIFOs and outside symlinks are refused,
and loads never interleave with a transform. Every hostile input is generated here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import psycopg

from extractors import errors
from extractors.model import ExtractionError, Record, Source
from gongkai.demo import samples
from gongkai.warehouse import load as L
from gongkai.warehouse import locks
from tests.support import ROOT
from tests.support.warehouse import spec_records

SEED = samples.text_path(0)


def _docs(conn) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in conn.execute(
        "select source_path, status, error_code, publisher, cell_count, attempts, source_url, registered_publisher "
        "from raw.documents")}


def _seed_variant(i: int) -> bytes:
    """The seed report with a distinct publisher line: distinct bytes, a distinct document."""
    text = SEED.read_text(encoding="utf-8")
    return (text + f"\n附：第{i}份副本\n").encode("utf-8")


# ------------------------------------------------------------------ 1. per-record quarantine

def test_a_gbk_file_name_loads_with_the_rest_of_its_folder(wh, tmp_path):
    """A file name that is not UTF-8 (GBK, as unzipped from a Windows archive) used to abort the COPY and
    roll back the whole batch. Now it loads, and its path is stored decoded."""
    folder = tmp_path / "zip"
    folder.mkdir()
    (folder / "good1.txt").write_bytes(_seed_variant(1))
    (folder / "good2.txt").write_bytes(_seed_variant(2))
    gbk_name = "2020年度报告.txt".encode("gbk")
    fd = os.open(os.fsencode(folder) + b"/" + gbk_name, os.O_WRONLY | os.O_CREAT)
    os.write(fd, _seed_variant(3))
    os.close(fd)
    s = L.load_paths(wh, [folder], workers=1, timeout_s=120)
    assert (s.documents_seen, s.loaded, s.quarantined) == (3, 3, 0)
    paths = set(_docs(wh))
    assert str(folder / "2020年度报告.txt") in paths  # GBK bytes decoded, not escaped


def _hostile_records() -> list[dict]:
    good = spec_records(3, seed=5)
    base = [json.loads(r.to_json()) for r in good]
    out = list(base)
    n = len(out)

    def variant(mutate) -> None:
        nonlocal n
        d = json.loads(json.dumps(base[0]))
        d["source"]["sha256"] = f"{n:064x}"
        d["source"]["path"] = f"<hostile {n}>"
        d["report"]["publisher"] = f"敌对{n:03d}镇人民政府"
        n += 1
        mutate(d)
        out.append(d)

    variant(lambda d: d["report"].update(publisher="孤\ud800立代理\udfff镇"))         # lone surrogates
    variant(lambda d: d["cells"][0].update(raw="5\x00\ud83d"))                        # NUL + lone surrogate
    variant(lambda d: d["cells"][0].update(value=float("inf")))                       # what 1e999999 parses to
    variant(lambda d: d["cells"][1].update(value="1e999999"))                         # as text
    variant(lambda d: d["source"].update(size=-5, pages=-1))                          # negative sizes
    variant(lambda d: d["report"].update(year=float("inf")))                          # int(inf) overflowed
    variant(lambda d: d["cells"][2].update(page=10**30))                              # page out of int4
    variant(lambda d: d["source"].update(path="/x/\udcb1\udca8.pdf"))                 # surrogate-escaped path
    variant(lambda d: d["issues"].append({"code": "x\ud800", "message": "\x00", "page": -3}))
    return out


def test_hostile_records_each_end_loaded_or_quarantined_and_the_batch_goes_on(wh, tmp_path):
    lines = [json.dumps(d) for d in _hostile_records()]  # json.dumps escapes lone surrogates as \udXXX
    lines.insert(2, '{"source": {"path": "broken"')  # not JSON
    lines.insert(4, "[1, 2, 3]")  # JSON, not a record
    f = tmp_path / "hostile.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = L.load_records(wh, ((r, None) for r in L.read_jsonl(f)), batch_size=50)
    assert s.documents_seen == len(lines)
    assert s.loaded + s.quarantined == len(lines)
    docs = _docs(wh)
    assert len(docs) == len(lines)
    invalid = [k for k, v in docs.items() if v[1] == L.INVALID_RECORD]
    assert sorted(invalid) == [f"{f}:3", f"{f}:5"]
    assert s.loaded == len(lines) - 2  # every record made storable; none lost
    pubs = {v[2] for v in docs.values()}
    assert "孤\ufffd立代理\ufffd镇" in pubs
    # the out-of-range values became unreadable cells, with the loader's issue saying why
    fixes = wh.execute("select count(*) from raw.extraction_issues where code = 'loader_cell_fixed'").fetchone()[0]
    assert fixes >= 2
    bad_meta = wh.execute("select count(*) from raw.extraction_issues where code = 'invalid_metadata'").fetchone()[0]
    assert bad_meta >= 2  # size and pages


def test_a_record_the_database_still_refuses_is_quarantined_by_itself(wh):
    """Whatever slips past the cleaning (here a constraint the DBA added) costs one record, not the batch."""
    wh.execute("alter table raw.documents add constraint no_evil check (publisher is distinct from '邪恶镇')")
    wh.commit()
    recs = spec_records(4, seed=9)
    recs[2].report.publisher = "邪恶镇"
    s = L.load_records(wh, ((r, None) for r in recs), batch_size=10)
    assert (s.loaded, s.quarantined) == (3, 1)
    row = wh.execute("select status, error_code, cell_count from raw.documents where sha256 = %s",
                     (recs[2].source.sha256,)).fetchone()
    assert row[:2] == ("quarantined", L.UNSTORABLE_RECORD) and row[2] == 0
    assert wh.execute("select count(*) from raw.quarantine where reason_code = 'unstorable_record'").fetchone()[0] == 1


def test_cli_load_of_hostile_records_exits_cleanly(wh_url, tmp_path):
    f = tmp_path / "hostile.jsonl"
    f.write_text("\n".join(json.dumps(d) for d in _hostile_records()) + "\nnot json\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "gongkai.cli", "load", "--records", str(f), "--json"], cwd=ROOT,
                         env={**os.environ, "WAREHOUSE_URL": wh_url}, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    summary = json.loads(out.stdout.splitlines()[-1])
    assert summary["documents_seen"] == summary["loaded"] + summary["quarantined"] == len(_hostile_records()) + 1


# ------------------------------------------------------------------ 2. transient failures are retried

def _failed(sha: str, code: str, path: str = "doc.pdf") -> Record:
    return Record(source=Source(path=path, sha256=sha), error=ExtractionError(code, "failed"))


def test_a_timeout_is_extracted_again_up_to_the_bound(wh):
    sha = "ab" * 32
    for attempt in range(1, L.MAX_ATTEMPTS + 1):
        s = L.load_records(wh, [(_failed(sha, errors.TIMEOUT), None)])
        assert s.quarantined == 1, attempt
        assert L.settled_sha256(wh, [sha]) == (set() if attempt < L.MAX_ATTEMPTS else {sha})
    s = L.load_records(wh, [(_failed(sha, errors.TIMEOUT), None)])
    assert s.unchanged == 1  # the bound is reached: settled
    attempts, n_q = wh.execute("select attempts, (select count(*) from raw.quarantine) from raw.documents").fetchone()
    assert (attempts, n_q) == (L.MAX_ATTEMPTS, L.MAX_ATTEMPTS)  # one quarantine row per attempt
    # a good extraction of the same bytes replaces it even then
    good = spec_records(1, seed=3)[0]
    good.source.sha256 = sha
    s = L.load_records(wh, [(good, None)])
    assert s.replaced == 1
    assert wh.execute("select status, is_current from raw.documents").fetchone() == ("loaded", True)


def test_a_permanent_failure_is_not_retried(wh):
    sha = "cd" * 32
    L.load_records(wh, [(_failed(sha, errors.CORRUPT_PDF), None)])
    assert L.settled_sha256(wh, [sha]) == {sha}
    assert L.load_records(wh, [(_failed(sha, errors.CORRUPT_PDF), None)]).unchanged == 1


def test_retry_quarantined_on_demand_by_reason(wh, tmp_path):
    """`gongkai load --retry quarantined --reason memory_limit`: the stored bytes are read again."""
    import hashlib

    doc, other = tmp_path / "report.txt", tmp_path / "corrupt.txt"
    doc.write_bytes(_seed_variant(7))
    other.write_bytes(_seed_variant(8))
    sha = hashlib.sha256(doc.read_bytes()).hexdigest()
    sha2 = hashlib.sha256(other.read_bytes()).hexdigest()
    meta = L.DocumentMeta(source_url="http://example.invalid/r.txt", landing_path=str(doc),
                          registered_publisher="登记镇人民政府", registered_year=2020)
    L.load_records(wh, [(_failed(sha, errors.MEMORY_LIMIT, str(doc)), meta),
                        (_failed(sha2, errors.EXTRACTOR_CRASH, str(other)), None)])
    for _ in range(L.MAX_ATTEMPTS):  # exhaust the automatic retries
        L.load_records(wh, [(_failed(sha, errors.MEMORY_LIMIT, str(doc)), None)])
    res = L.retry_quarantined(wh, reasons=["memory_limit"], workers=1, timeout_s=120)
    assert res.candidates == 1 and res.missing == [] and res.summary.replaced == 1
    row = wh.execute("select status, source_url, registered_publisher, cell_count > 0 from raw.documents "
                     "where sha256 = %s", (sha,)).fetchone()
    assert row == ("loaded", "http://example.invalid/r.txt", "登记镇人民政府", True)
    assert wh.execute("select status from raw.documents where sha256 = %s", (sha2,)).fetchone()[0] == "quarantined"
    other.unlink()
    res = L.retry_quarantined(wh, workers=1, timeout_s=120)  # every reason; its bytes are gone
    assert res.candidates == 1 and len(res.missing) == 1


# ------------------------------------------------------------------ 7/8. what a folder load reads

def test_a_landing_store_loads_as_its_documents_with_their_fetch_metadata(wh, tmp_path):
    from gongkai.fetch.landing import LandingStore

    store = LandingStore(str(tmp_path / "landing"))
    keys = []
    for i in range(3):
        data = _seed_variant(20 + i)
        meta = {"url": f"http://gov.example.invalid/{i}.txt", "publisher": f"登记{i}镇人民政府", "year": 2020,
                "sha256": __import__("hashlib").sha256(data).hexdigest(), "fetched_at": "2021-02-01T00:00:00+00:00"}
        key, _ = store.put_bytes(data, "txt", meta)
        keys.append(key)
        store.set_url_state(meta["url"], {"sha256": meta["sha256"], "landing_key": key})
        store.append_log(store.log_key("run1"), {"url": meta["url"], "status": "fetched"})
    (tmp_path / "landing" / keys[0]).with_name("dead.txt.part-99999-1").write_bytes(b"half a file")
    s = L.load_paths(wh, [tmp_path / "landing"], workers=1, timeout_s=120)
    assert (s.documents_seen, s.loaded) == (3, 3)
    rows = wh.execute("select source_url, registered_publisher, registered_year, landing_path from raw.documents "
                      "order by source_url").fetchall()
    assert [r[0] for r in rows] == [f"http://gov.example.invalid/{i}.txt" for i in range(3)]
    assert [r[1] for r in rows] == [f"登记{i}镇人民政府" for i in range(3)] and {r[2] for r in rows} == {2020}
    again = L.load_paths(wh, [tmp_path / "landing"], workers=1, timeout_s=120)
    assert (again.documents_seen, again.unchanged) == (3, 3)  # no sidecar, state or log file ever loads


def test_fifos_and_symlinks_out_of_the_folder_are_refused_without_opening(wh, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_bytes(_seed_variant(30))
    os.mkfifo(folder / "pipe.pdf")
    secret = tmp_path / "secret.txt"
    secret.write_bytes(_seed_variant(31))
    (folder / "link.txt").symlink_to(secret)
    outside_dir = tmp_path / "elsewhere"
    outside_dir.mkdir()
    (outside_dir / "x.txt").write_bytes(_seed_variant(32))
    (folder / "linkdir").symlink_to(outside_dir)
    s = L.load_paths(wh, [folder], workers=1, timeout_s=30)
    docs = _docs(wh)
    assert s.documents_seen == 4 and s.loaded == 1 and s.quarantined == 3
    assert docs[str(folder / "pipe.pdf")][:2] == ("quarantined", errors.NOT_A_REGULAR_FILE)
    assert docs[str(folder / "link.txt")][:2] == ("quarantined", errors.OUTSIDE_FOLDER)
    assert docs[str(folder / "linkdir")][:2] == ("quarantined", errors.OUTSIDE_FOLDER)
    msg = wh.execute("select error_message from raw.documents where source_path = %s",
                     (str(folder / "link.txt"),)).fetchone()[0]
    assert str(secret) in msg  # the target is recorded


def test_cli_load_of_a_fifo_does_not_hang(wh_url, tmp_path):
    fifo = tmp_path / "stdin-like"
    os.mkfifo(fifo)
    out = subprocess.run([sys.executable, "-m", "gongkai.cli", "load", str(fifo), "--timeout", "5", "--json"],
                         cwd=ROOT, env={**os.environ, "WAREHOUSE_URL": wh_url}, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.splitlines()[-1])["quarantined"] == 1


# ------------------------------------------------------------------ 10. loads and transforms

def _waiting_backends(url: str) -> int:
    with psycopg.connect(url) as c:
        return c.execute("select count(*) from pg_locks where locktype = 'advisory' and not granted").fetchone()[0]


def _load_in_thread(url: str, recs, box: dict) -> threading.Thread:
    def run():
        with psycopg.connect(url) as c:
            box["summary"] = L.load_records(c, ((r, None) for r in recs))
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_a_load_waits_for_a_transform_holding_the_lock(wh_url):
    recs = spec_records(2, seed=11)
    box: dict = {}
    with locks.transform_lock(wh_url):
        t = _load_in_thread(wh_url, recs, box)
        for _ in range(600):
            if _waiting_backends(wh_url):
                break
            t.join(0.1)
        assert _waiting_backends(wh_url) == 1  # the loader's batch waits on the shared lock
        with psycopg.connect(wh_url) as c:
            assert c.execute("select count(*) from raw.documents").fetchone()[0] == 0
    t.join(120)
    assert box["summary"].loaded == 2


def test_a_load_waits_while_a_dag_transform_holds_the_lease(wh_url, monkeypatch):
    recs = spec_records(2, seed=12)
    box: dict = {}
    waited = threading.Event()
    real_wait = locks.wait_for_transform

    def observed(e, waited_s, poll_s=0.2):
        waited.set()
        real_wait(e, waited_s, poll_s=0.2)

    monkeypatch.setattr(locks, "wait_for_transform", observed)
    lease = locks.acquire_lease("t_warehouse:test-run", url=wh_url)
    assert lease["holder"] == "t_warehouse:test-run"
    t = _load_in_thread(wh_url, recs, box)
    assert waited.wait(120), "the loader did not see the lease"
    with psycopg.connect(wh_url) as c:
        assert c.execute("select count(*) from raw.documents").fetchone()[0] == 0
    assert locks.release_lease("t_warehouse:test-run", url=wh_url)
    t.join(120)
    assert box["summary"].loaded == 2
    assert not locks.release_lease("t_warehouse:test-run", url=wh_url)


def test_an_expired_lease_does_not_block_loads(wh_url):
    locks.acquire_lease("crashed-transform", ttl_s=0, url=wh_url)
    with psycopg.connect(wh_url) as c:
        assert L.load_records(c, ((r, None) for r in spec_records(1, seed=13))).loaded == 1

