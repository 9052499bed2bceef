"""R8, prose against tables, end to end: the five seeds as published and a report whose prose contradicts
its table, extracted by the real extractor, loaded into a real Postgres (raw.claims), built with dbt
(int_prose_checks → fct_rule_checks) and validated by the GX suite gongkai_prose."""

from __future__ import annotations

import random
import re
from collections import Counter

import psycopg
import pytest

from extractors.api import extract
from gongkai.demo import samples
from gongkai.demo.fixtures.render import render
from gongkai.demo.fixtures.spec import random_spec
from gongkai.quality.model import FAIL, PASS, UNCERTAIN
from tests.support.quality import checked_warehouse, set_cell

CONTRADICTING = "文字测试镇人民政府"


def _contradicting_report() -> bytes:
    """A rendered report whose table says 7 new applications while its prose says 10."""
    spec = random_spec(random.Random(8), format_version="2021", year=2022)
    spec.publisher = CONTRADICTING
    set_cell(spec, "applications", "new_received", "total", 7)
    text = render(spec, "txt").decode("utf-8")
    said, n = re.subn(r"全年共收到政府信息公开申请7件", "全年共收到政府信息公开申请10件", text)
    assert n == 1, "the renderer's prose no longer quotes the applications received"
    return said.encode("utf-8")


@pytest.fixture(scope="module")
def prose_warehouse(pg_server_url, tmp_path_factory):
    records = [extract(samples.text_path(sid)) for sid in samples.SEED_IDS]
    records.append(extract(_contradicting_report(), name="r8_contradiction.txt"))
    assert [r.error for r in records] == [None] * 6
    yield from checked_warehouse(pg_server_url, records, None, tmp_path_factory)


def _r8(run) -> dict[tuple[str, str], tuple[str, float | None, float | None]]:
    return {(r.publisher, r.rule_scope): (r.status, r.left_value, r.right_value) for r in run.results
            if r.rule == "R8"}


def test_r8_on_the_seeds_is_what_a_careful_reader_finds(prose_warehouse):
    _url, run = prose_warehouse
    got = _r8(run)
    pubs = {sid: extract(samples.text_path(sid)).report.publisher for sid in samples.SEED_IDS}
    a = "applications."
    want = {
        # 000, 002: "未收到依申请公开事项" / "共收到政府信息公开申请0件", table 0
        (pubs["000"], a + "new_received.total"): (PASS, 0, 0),
        (pubs["002"], a + "new_received.total"): (PASS, 0, 0),
        # 003: 5 received, said of "2019年截至目前" in the 2020 report: not decided; 复议 0, 涉诉 0
        (pubs["003"], a + "new_received.total"): (UNCERTAIN, None, 5),
        (pubs["003"], "review_litigation.administrative_review.total"): (PASS, 0, 0),
        (pubs["003"], "review_litigation.litigation.total"): (PASS, 0, 0),
        # 004: the prose's 同意公开答复 5 against the table's 予以公开 4; the rest agrees
        (pubs["004"], a + "new_received.total"): (PASS, 5, 5),
        (pubs["004"], a + "total_handled.total"): (PASS, 5, 5),
        (pubs["004"], a + "granted.total"): (FAIL, 5, 4),
        (pubs["004"], a + "partially_granted.total"): (PASS, 0, 0),
        (pubs["004"], "review_litigation.administrative_review.total"): (PASS, 0, 0),
        (pubs["004"], "review_litigation.litigation.total"): (PASS, 0, 0),
        # the fixture: prose 10, table 7
        (CONTRADICTING, a + "new_received.total"): (FAIL, 10, 7),
    }
    assert got == want  # 001 quotes no measure of the form: no R8 row
    fail = next(r for r in run.results if r.rule == "R8" and r.publisher == pubs["004"] and r.status == FAIL)
    assert fail.severity == "warning" and fail.message == "prose 5 (“同意公开答复5件”) ≠ table 4"
    assert Counter(r.status for r in run.results if r.rule == "R8") == Counter({PASS: 9, FAIL: 2, UNCERTAIN: 1})
    assert not run.critical_failures or all(r.rule != "R8" for r in run.critical_failures)


def test_claims_are_stored_once_per_document_and_reloading_changes_nothing(prose_warehouse):
    url, _run = prose_warehouse
    from gongkai.warehouse.load import load_records

    with psycopg.connect(url) as conn:
        count = lambda: conn.execute(  # noqa: E731
            "select count(*), count(distinct document_id) from raw.claims").fetchone()
        before = count()
        # 12 claims of the seeds (1 + 0 + 1 + 3 + 7; 001 has none) and the fixture's 1
        assert before == (13, 5)
        summary = load_records(conn, [(extract(samples.text_path("004")), None)])
        assert summary.unchanged == 1 and count() == before
        claims = conn.execute(
            "select c.measure, c.value, c.period, c.page, c.raw_text from raw.claims c join raw.documents d "
            "using (document_id) where d.publisher like '%%景芝镇%%' order by claim_no").fetchall()
    assert [(m, int(v), p) for m, v, p, _pg, _r in claims][:2] == [
        ("proactive.items_published", 296, "report_year"), ("applications.new_received.total", 5, "report_year")]
    assert all(row[3] is None for row in claims)  # a text document has no pages
