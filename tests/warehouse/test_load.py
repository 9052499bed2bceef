"""The raw loader against a real Postgres: idempotence, re-extraction, supersession, quarantine."""

from __future__ import annotations

import copy

from extractors.model import Cell, ExtractionError, Issue, Record, Source
from gongkai.warehouse import migrate
from gongkai.warehouse.load import DocumentMeta, load_records, upsert_publishers, version_key
from tests.support.golden import golden_records
from tests.support.warehouse import spec_records

COUNTS = """select (select count(*) from raw.documents), (select count(*) from raw.cells),
                   (select count(*) from raw.extraction_issues), (select count(*) from raw.quarantine),
                   (select count(*) from raw.documents where is_current),
                   (select coalesce(sum(value), 0) from raw.cells)"""


def corpus() -> list[Record]:
    return golden_records() + spec_records(30)


def test_migrations_are_idempotent(wh):
    assert migrate.migrate(wh) == []
    tables = {r[0] for r in wh.execute(
        "select table_name from information_schema.tables where table_schema = 'raw'")}
    assert {"documents", "cells", "extraction_issues", "quarantine", "registry_publishers"} <= tables


def test_loading_the_corpus_twice_changes_nothing(wh):
    recs = corpus()
    first = load_records(wh, ((r, None) for r in recs), batch_size=7)
    assert first.loaded == len(recs) and first.unchanged == 0
    assert first.cells_loaded == sum(len(r.cells) for r in recs)
    before = wh.execute(COUNTS).fetchone()
    stamps = wh.execute("select document_id, loaded_at from raw.documents order by 1").fetchall()
    second = load_records(wh, ((r, None) for r in recs), batch_size=5)
    assert (second.loaded, second.replaced, second.unchanged, second.cells_loaded) == (0, 0, len(recs), 0)
    assert wh.execute(COUNTS).fetchone() == before
    assert wh.execute("select document_id, loaded_at from raw.documents order by 1").fetchall() == stamps
    # every cell of every record is there exactly once, with its value
    assert before[1] == sum(len(r.cells) for r in recs)


def test_golden_seed_values_arrive(wh):
    recs = golden_records()
    load_records(wh, ((r, None) for r in recs))
    got = dict(wh.execute("""
        select d.publisher, c.value from raw.cells c join raw.documents d using (document_id)
        where c.table_code = 'applications' and c.row_code = 'new_received' and c.column_code = 'total'
    """).fetchall())
    assert got["安丘市景芝镇人民政府"] == 5
    assert got["小王庄镇"] == 5
    assert got["灵武市东塔镇人民政府"] == 0


def test_newer_extractor_version_replaces_rows(wh):
    rec = spec_records(1)[0]
    s1 = load_records(wh, [(rec, None)])
    doc_id = s1.document_ids[0]
    newer = copy.deepcopy(rec)
    newer.extractor_version = "99.0.0"
    newer.cells[0].value, newer.cells[0].raw = 123456, "123456"
    newer.cells = newer.cells[:-1]  # the new extractor no longer reports the last cell
    newer.issues = [Issue("row_not_found", "gone", "review_litigation")]
    s2 = load_records(wh, [(newer, None)])
    assert (s2.replaced, s2.loaded, s2.unchanged) == (1, 0, 0)
    assert s2.document_ids == [doc_id]
    n, v, ver = wh.execute("""select count(*), max(value), max(d.extractor_version) from raw.cells
                             join raw.documents d using (document_id) where document_id = %s
                             group by document_id""", (doc_id,)).fetchone()
    assert n == len(newer.cells) and v == 123456 and ver == "99.0.0"
    assert wh.execute("select count(*) from raw.extraction_issues where document_id = %s",
                      (doc_id,)).fetchone()[0] == 1
    # an older extractor version does not roll it back
    older = copy.deepcopy(rec)
    older.extractor_version = "0.0.1"
    s3 = load_records(wh, [(older, None)])
    assert s3.unchanged == 1
    assert wh.execute("select count(*) from raw.cells where document_id = %s", (doc_id,)).fetchone()[0] == n


def test_version_key_orders_numerically():
    assert version_key("0.10.0") > version_key("0.9.1") > version_key("0.9")


def test_new_document_supersedes_the_older(wh):
    a, b = spec_records(2, seed=3)
    b.report.publisher, b.report.year = a.report.publisher, a.report.year
    load_records(wh, [(a, None)])
    load_records(wh, [(b, None)])
    rows = wh.execute("select sha256, is_current, superseded_by, document_id from raw.documents "
                      "order by document_id").fetchall()
    assert len(rows) == 2
    (sa, ca, supa, ida), (sb, cb, supb, idb) = rows
    assert (sa, sb) == (a.source.sha256, b.source.sha256)
    assert (ca, cb) == (False, True) and supa == idb and supb is None
    # loading the old one again changes nothing: it stays superseded
    assert load_records(wh, [(a, None)]).unchanged == 1
    assert wh.execute("select document_id from raw.documents where is_current").fetchall() == [(idb,)]


def test_registered_publisher_decides_supersession(wh):
    a, b = spec_records(2, seed=4)
    # extracted names differ (a typo, a short form) but the registry files both under one publisher
    meta = DocumentMeta(source_url="http://x/1", registered_publisher="安丘市景芝镇人民政府", registered_year=2020)
    load_records(wh, [(a, meta), (b, DocumentMeta(registered_publisher="安丘市景芝镇人民政府", registered_year=2020))])
    cur = wh.execute("select count(*) filter (where is_current), count(*) from raw.documents").fetchone()
    assert cur == (1, 2)


def test_quarantined_documents_are_recorded(wh):
    good = spec_records(2, seed=5)
    bad = Record(source=Source(path="broken.pdf", sha256="ab" * 32, media_type="application/pdf"),
                 error=ExtractionError("corrupt_pdf", "no %%EOF"))
    nosha = Record(source=Source(path="/nonexistent/x.pdf", sha256=""), error=ExtractionError("timeout", "60 s"))
    s = load_records(wh, [(good[0], None), (bad, DocumentMeta(source_url="http://gov/x.pdf")), (nosha, None),
                          (good[1], None)])
    assert (s.loaded, s.quarantined) == (2, 2)
    rows = wh.execute("""select d.status, d.error_code, d.is_current, d.cell_count, q.reason_code, q.source_url
                         from raw.documents d join raw.quarantine q using (document_id)
                         order by d.document_id""").fetchall()
    assert rows == [("quarantined", "corrupt_pdf", False, 0, "corrupt_pdf", "http://gov/x.pdf"),
                    ("quarantined", "timeout", False, 0, "timeout", None)]
    # every document ends loaded or quarantined
    assert wh.execute("select count(*) from raw.documents where status not in ('loaded', 'quarantined')"
                      ).fetchone()[0] == 0
    # a newer extractor that can read it moves it to loaded
    fixed = copy.deepcopy(good[0])
    fixed.source = bad.source
    fixed.extractor_version = "99.0"
    assert load_records(wh, [(fixed, None)]).replaced == 1
    assert wh.execute("select status, is_current from raw.documents where sha256 = %s",
                      (bad.source.sha256,)).fetchone() == ("loaded", True)


def test_inconsistent_cells_are_repaired_not_fatal(wh):
    rec = spec_records(1, seed=6)[0]
    rec.cells.append(copy.deepcopy(rec.cells[0]))                                   # duplicate
    rec.cells[1] = Cell(rec.cells[1].table, rec.cells[1].row, rec.cells[1].column, None, "x", "ok")
    rec.cells[2] = Cell(rec.cells[2].table, rec.cells[2].row, rec.cells[2].column, 3, "—", "marker")
    rec.cells[3].raw = "tab\there\nnewline \\ backslash\x00"
    rec.report.published_on = "2021-02-30"
    s = load_records(wh, [(rec, None)])
    assert s.loaded == 1 and s.cells_loaded == len(rec.cells) - 1
    codes = sorted(r[0] for r in wh.execute("select code from raw.extraction_issues"))
    assert codes == ["duplicate_cell", "invalid_metadata", "loader_cell_fixed", "loader_cell_fixed"]
    assert wh.execute("select status, value from raw.cells where row_code = %s and column_code = %s",
                      (rec.cells[2].row, rec.cells[2].column)).fetchall() == [("marker", None)]
    assert wh.execute("select raw_text from raw.cells where table_code = %s and row_code = %s "
                      "and column_code = %s", rec.cells[3].key()).fetchone()[0] == "tab\there\nnewline \\ backslash"


def test_same_document_twice_in_one_batch(wh):
    rec = spec_records(1, seed=8)[0]
    s = load_records(wh, [(rec, None), (copy.deepcopy(rec), None)])
    assert (s.documents_seen, s.loaded, s.unchanged) == (2, 1, 1)


def test_upsert_publishers(wh):
    rows = [{"name": "安丘市景芝镇人民政府", "level": "乡镇/街道", "parent_region": "安丘市", "admin_code": "370784104"},
            {"name": "淮安市洪泽区人民政府", "level": "县区", "parent_region": "淮安市", "homepage": "http://x"}]
    assert upsert_publishers(wh, rows) == 2
    rows[0]["admin_code"] = "370784105"
    upsert_publishers(wh, rows)
    assert wh.execute("select name, admin_code from raw.registry_publishers order by name").fetchall() == [
        ("安丘市景芝镇人民政府", "370784105"), ("淮安市洪泽区人民政府", None)]


def test_bi_role_reads_marts_only(wh):
    wh.execute("create table marts.probe (x int)")
    wh.commit()
    assert wh.execute("select has_table_privilege('gongkai_bi', 'marts.probe', 'select'), "
                      "has_table_privilege('gongkai_bi', 'marts.probe', 'insert'), "
                      "has_table_privilege('gongkai_bi', 'raw.documents', 'select'), "
                      "(select rolcanlogin from pg_roles where rolname = 'gongkai_bi')").fetchone() == (
        True, False, False, False)


def test_recovered_cells_keep_their_value(wh):
    """A value split from run-together digits loads with its number and status 'recovered'."""
    rec = spec_records(1, seed=9)[0]
    c = next(c for c in rec.cells if c.table == "applications" and c.status == "ok")
    c.status = "recovered"
    s = load_records(wh, [(rec, None)])
    assert s.loaded == 1
    assert wh.execute("select status, value from raw.cells where table_code = %s and row_code = %s "
                      "and column_code = %s", c.key()).fetchall() == [("recovered", c.value)]
    assert not wh.execute("select code from raw.extraction_issues where code = 'loader_cell_fixed'").fetchall()
