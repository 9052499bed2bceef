"""Incremental builds by document: a second load rebuilds only its own documents; a newer document
replaces the rows of the one it supersedes, a reloaded document its own, a document that becomes current
again comes back; R7 follows a change of the year before; and the incremental result equals a full
rebuild, table by table."""

from __future__ import annotations

import copy
import random
from collections import Counter

import psycopg
import pytest

from extractors.model import ExtractionError
from gongkai.demo.fixtures.spec import random_spec
from gongkai.warehouse import dbt as transform
from gongkai.warehouse.load import load_records

pytestmark = pytest.mark.slow

INCREMENTAL = ["intermediate.int_applications_pivoted", "intermediate.int_review_litigation_pivoted",
               "intermediate.int_proactive_pivoted", "marts.fct_report_cells", "marts.fct_applications",
               "marts.fct_review_litigation", "marts.fct_proactive_disclosure", "marts.fct_rule_checks",
               "marts.fct_integrity_checks"]


def _record(rng, publisher: str, year: int, tag: str):
    spec = random_spec(rng, "2021", year)
    spec.publisher = publisher
    return spec.record(path=f"<{publisher} {year} {tag}>")


def _with_cell(record, row: str, column: str, value: int, tag: str):
    """A copy of `record` with one applications cell changed (another document: another sha256)."""
    out = copy.deepcopy(record)
    for c in out.cells:
        if (c.table, c.row, c.column) == ("applications", row, column):
            c.value, c.raw = value, str(value)
    out.source.path, out.source.sha256 = tag, out.source.sha256[:-8] + f"{abs(hash(tag)) % 10**8:08d}"
    return out


def _doc_id(conn, sha: str) -> int:
    return conn.execute("select document_id from raw.documents where sha256 = %s", (sha,)).fetchone()[0]


def _xmin(conn, table: str, doc: int) -> set[str]:
    return {r[0] for r in conn.execute(f"select xmin::text from {table} where document_id = %s", (doc,))}


def _snapshot(conn) -> dict[str, Counter]:
    return {t: Counter(conn.execute(f"select * from {t}").fetchall()) for t in INCREMENTAL}


def test_incremental_builds_touch_only_changed_documents_and_equal_a_full_rebuild(wh_url, tmp_path):
    rng = random.Random(15)
    build = {"profiles_dir": tmp_path / "profiles", "target_path": tmp_path / "target"}
    a21, b21, c21, d21 = (_record(rng, p, 2021, "v1") for p in ("甲镇", "乙镇", "丙镇", "丁镇"))
    with psycopg.connect(wh_url) as conn:
        load_records(conn, [(r, None) for r in (a21, b21, c21, d21)])
        assert transform.dbt_build(wh_url, **build)
        ids = {k: _doc_id(conn, r.source.sha256) for k, r in (("a21", a21), ("b21", b21), ("c21", c21),
                                                                ("d21", d21))}
        before = {t: _xmin(conn, t, ids["a21"]) for t in INCREMENTAL}
        conn.commit()

        # a yearly load: 2022 for 甲 and 乙; a newer 丙 2021 (supersedes); 丁 2021 reloaded by a newer extractor
        a22, b22 = _record(rng, "甲镇", 2022, "v1"), _record(rng, "乙镇", 2022, "v1")
        c21_new = _with_cell(c21, "new_received", "total", 999, "<丙镇 2021 v2>")
        d21_reload = copy.deepcopy(d21)
        d21_reload.extractor_version = "9.0.0"
        next(c for c in d21_reload.cells if c.row == "granted" and c.column == "total").value = 777
        load_records(conn, [(r, None) for r in (a22, b22, c21_new, d21_reload)])
        conn.commit()
        assert transform.dbt_build(wh_url, **build)
        ids |= {"a22": _doc_id(conn, a22.source.sha256), "b22": _doc_id(conn, b22.source.sha256),
                "c21_new": _doc_id(conn, c21_new.source.sha256)}

        for t in INCREMENTAL:  # 甲 2021 did not change: its rows were not rewritten
            assert _xmin(conn, t, ids["a21"]) == before[t], t
        for t in INCREMENTAL:  # the superseded document left every model, its successor arrived
            assert not _xmin(conn, t, ids["c21"]) and _xmin(conn, t, ids["c21_new"]), t
        q = lambda sql, *a: conn.execute(sql, a).fetchall()  # noqa: E731
        assert q("select granted from marts.fct_applications where document_id = %s and applicant_type = 'total'",
                 ids["d21"]) == [(777,)]
        assert q("select new_received from marts.fct_applications where document_id = %s "
                 "and applicant_type = 'total'", ids["c21_new"]) == [(999,)]
        r7 = q("select document_id, compared_document_id from marts.fct_rule_checks where rule_id = 'R7' "
               "group by 1, 2 order by 1")
        assert r7 == [(ids["a22"], ids["a21"]), (ids["b22"], ids["b21"])]
        assert q("select count(*) from marts.fct_rule_checks where rule_id = 'R1' and document_id = %s",
                 ids["c21_new"]) == [(7,)]

        # 甲 2021 superseded (R7 of 甲 2022 must follow); the newer 丙 2021 reloaded into an error: the
        # older 丙 document is current again
        a21_new = _with_cell(a21, "carried_forward", "natural_person", 12345, "<甲镇 2021 v2>")
        c21_broken = copy.deepcopy(c21_new)
        c21_broken.extractor_version, c21_broken.cells = "9.0.0", []
        c21_broken.error = ExtractionError("corrupt_pdf", "unreadable on reload")
        load_records(conn, [(a21_new, None), (c21_broken, None)])
        conn.commit()
        assert transform.dbt_build(wh_url, **build)
        ids["a21_new"] = _doc_id(conn, a21_new.source.sha256)
        r7 = dict(q("select document_id, compared_document_id from marts.fct_rule_checks where rule_id = 'R7' "
                    "group by 1, 2"))
        assert r7 == {ids["a22"]: ids["a21_new"], ids["b22"]: ids["b21"]}
        (status,), = q("select status from marts.fct_rule_checks where rule_id = 'R7' and document_id = %s "
                       "and rule_scope = 'natural_person'", ids["a22"])
        assert status == "FAIL"  # carried_over of 2022 no longer equals the new carried_forward 12345
        assert _xmin(conn, "marts.fct_report_cells", ids["c21"])  # back in the marts
        assert not _xmin(conn, "marts.fct_report_cells", ids["c21_new"])
        incremental = _snapshot(conn)
        conn.commit()

    assert transform.run_dbt(["build", "--full-refresh"], wh_url, **build).success
    with psycopg.connect(wh_url) as conn:
        full = _snapshot(conn)
    for t in INCREMENTAL:
        assert incremental[t] == full[t], f"{t}: the incremental build differs from a full rebuild"
