"""The rules, computed by dbt in the warehouse and validated by the GX suites: golden seeds and synthetic
reports, loaded into a real Postgres, built with dbt, checked with GX."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from extractors import vocab
from extractors.model import OK
from gongkai.demo.fixtures.spec import ReportSpec, random_spec
from gongkai.quality.alerts import render_digest
from gongkai.quality.model import FAIL, PASS, UNCERTAIN, CheckRun
from tests.support.golden import golden_record
from tests.support.quality import SEED_URLS, checked_warehouse, r4_fixture, set_cell

BALANCING = {"R1", "R2", "R3", "R4", "R5", "R6"}
APPLICANT_TYPES = tuple(c.code for c in vocab.APPLICANT_COLUMNS)


@pytest.fixture(scope="module")
def seeds():
    return {i: golden_record(i) for i in range(5)}


@pytest.fixture(scope="module")
def seed_run(seed_warehouse):
    return seed_warehouse[1]


def _by_publisher(run, publisher):
    return [r for r in run.results if r.publisher == publisher]


def test_seed_003_fails_r1_r2_for_natural_person_and_total(seed_run, seeds):
    rs = _by_publisher(seed_run, seeds[3].report.publisher)
    fails = {(r.rule, r.rule_scope) for r in rs if r.status == FAIL}
    assert fails == {("R1", "natural_person"), ("R1", "total"), ("R2", "natural_person"), ("R2", "total")}
    r1 = next(r for r in rs if (r.rule, r.rule_scope) == ("R1", "total"))
    cm = seeds[3].cell_map()
    v = lambda row: cm[("applications", row, "total")].value  # noqa: E731
    assert (r1.left_value, r1.right_value) == (v("new_received") + v("carried_over"),
                                               v("total_handled") + v("carried_forward"))
    assert r1.severity == "critical" and r1.source_url == SEED_URLS[3]
    assert not [r for r in rs if r.status == UNCERTAIN]


@pytest.mark.parametrize("i", [0, 2, 4])
def test_clean_seeds_pass_every_rule(seed_run, seeds, i):
    rs = _by_publisher(seed_run, seeds[i].report.publisher)
    assert {r.rule for r in rs} >= BALANCING | {"COMPLETENESS", "VALIDITY", "YEAR_RANGE", "UNIQUENESS"}
    assert Counter(r.status for r in rs) == Counter({PASS: len(rs)})


def _inputs(rule: str, scope: str, fv: str) -> list[tuple[str, str, str]]:
    """The cells a balancing rule needs (stated here from format.md, independently of the dbt model)."""
    a = "applications"
    if rule == "R1":
        return [(a, r, scope) for r in ("new_received", "carried_over", "total_handled", "carried_forward")]
    if rule == "R2":
        others = ["other_handling"] if fv == "2019" else list(vocab.OTHER_SUBROWS)
        return [(a, r, scope) for r in ("total_handled", *vocab.OUTCOME_ROWS, *others)]
    if rule == "R3":
        return [(a, scope, c) for c in APPLICANT_TYPES]
    return [("review_litigation", scope, c) for c in (*vocab.RESULT_PARTS, "total")]


def test_seed_001_short_rows_are_uncertain_not_fail(seed_run, seeds):
    rec = seeds[1]
    cm = rec.cell_map()
    rs = [r for r in _by_publisher(seed_run, rec.report.publisher) if r.rule in BALANCING]
    assert not [r for r in rs if r.status == FAIL]
    uncertain = [r for r in rs if r.status == UNCERTAIN]
    assert uncertain, "the short rows must make some rules uncertain"
    for r in rs:
        needs_blank = any(cm[k].status != OK for k in _inputs(r.rule, r.rule_scope, rec.report.format_version))
        assert (r.status == UNCERTAIN) == needs_blank, r
        if r.status == UNCERTAIN:  # the reason names the first cells not read, with their status
            fv = rec.report.format_version
            unread = sorted((k for k in _inputs(r.rule, r.rule_scope, fv) if cm[k].status != OK),
                            key=lambda k: vocab.cell_index(fv)[k].order)
            first = unread[0][1] if r.rule in ("R1", "R2") else unread[0][2]
            assert r.message.startswith(f"not read: {first} ({cm[unread[0]].status})"), r.message


def test_digest_names_year_count_and_publisher(seed_run, seeds):
    d = render_digest(seed_run)
    pub = seeds[3].report.publisher
    assert d.subject == f"[gongkai] 2020: 1 report fails balancing ({pub})"
    assert {(f.publisher, f.rule, f.rule_scope) for f in d.failures} == {
        (pub, "R1", "natural_person"), (pub, "R1", "total"), (pub, "R2", "natural_person"), (pub, "R2", "total")}
    assert SEED_URLS[3] in d.text and f'href="{SEED_URLS[3]}"' in d.html
    for other in (0, 1, 2, 4):
        assert seeds[other].report.publisher not in d.text


def test_no_digest_when_nothing_critical_fails(seed_run, seeds):
    clean = {seeds[0].report.publisher, seeds[2].report.publisher}
    run = CheckRun(run_id="clean", started_at=seed_run.started_at,
                   results=[r for r in seed_run.results if r.publisher in clean])
    assert run.critical_failures == []
    assert render_digest(run) is None
    d = render_digest(run, include_success=True)
    assert d.subject == "[gongkai] 2020: all 2 reports pass balancing" and d.failures == []


def test_data_docs_are_built(seed_run):
    assert seed_run.docs_path and seed_run.docs_path.endswith("index.html")
    from pathlib import Path

    html = Path(seed_run.docs_path).read_text(encoding="utf-8")
    assert "gongkai_balancing" in html


# ---------------------------------------------------------------- synthetic cases in one GX run


def _shift(spec: ReportSpec, row: str, col: str, delta: int, compensate: str = "new_received") -> None:
    """Change `row` and (to keep R1/R3) the compensating row, in `col` and in `total`."""
    for c in (col, "total"):
        set_cell(spec, "applications", row, c, spec.cells[("applications", row, c)].value + delta)
        set_cell(spec, "applications", compensate, c, spec.cells[("applications", compensate, c)].value + delta)


def _linked_pair(rng) -> tuple[ReportSpec, ReportSpec]:
    """Two consecutive reports of one publisher whose carry-over matches, except natural_person (+1)."""
    prev, cur = random_spec(rng, "2021", 2021), random_spec(rng, "2021", 2022)
    prev.publisher = cur.publisher = "R7测试镇人民政府"
    for col in APPLICANT_TYPES[:-1]:
        want = cur.cells[("applications", "carried_over", col)].value + (1 if col == "natural_person" else 0)
        # carried_over(prev) := 0 and new_received := handled + forward keeps R1 and non-negativity
        handled = prev.cells[("applications", "total_handled", col)].value
        set_cell(prev, "applications", "carried_forward", col, want)
        set_cell(prev, "applications", "carried_over", col, 0)
        set_cell(prev, "applications", "new_received", col, handled + want)
    for row in ("carried_forward", "carried_over", "new_received"):
        set_cell(prev, "applications", row, "total",
                 sum(prev.cells[("applications", row, c)].value for c in APPLICANT_TYPES[:-1]))
    return prev, cur


@pytest.fixture(scope="module")
def cases():
    rng = random.Random(20240601)
    out: dict[str, list[ReportSpec]] = {}
    out["r4"] = [r4_fixture(rng)]
    out["r7"] = list(_linked_pair(rng))
    v = random_spec(rng, "2019", 2020)
    v.publisher = "V测试镇人民政府"
    set_cell(v, "proactive", "regulations", "made_this_year", -3)
    set_cell(v, "proactive", "administrative_licensing", "decisions", 2.5)
    set_cell(v, "proactive", "administrative_licensing", "items_change", -15)
    set_cell(v, "proactive", "centralized_procurement", "procurement_amount", 12.3456)
    out["validity"] = [v]
    u1, u2 = random_spec(rng, "2021", 2022), random_spec(rng, "2021", 2022)
    u1.publisher = u2.publisher = "U测试镇人民政府"
    out["unique"] = [u1, u2]
    single = random_spec(rng, "2021", 2023, keep_single_other=True)
    single.publisher = "S测试乡人民政府"
    out["single_other"] = [single]
    y = random_spec(rng, "2019", 2019)
    y.year, y.publisher = 2018, "Y测试街道办事处"
    out["year"] = [y]
    return out


def _two_current_reports(conn) -> None:
    """The loader keeps one current report per publisher and year (a unique index); to see UNIQUENESS
    fail, break that invariant as a damaged warehouse would have it."""
    conn.execute("drop index raw.documents_one_current_idx")
    conn.execute("update raw.documents set is_current = true, superseded_by = null "
                 "where unit_name = 'U测试镇人民政府'")


@pytest.fixture(scope="module")
def case_run(cases, pg_server_url, tmp_path_factory):
    records = [s.record(path=f"<{name}{i}>") for name, specs in cases.items() for i, s in enumerate(specs)]
    c = random_spec(random.Random(7), "2019", 2020).record(path="<complete>")
    c.report.publisher = "C测试镇人民政府"
    c.cells = [x for x in c.cells if x.key() != ("proactive", "regulations", "total_published")]
    c.source.sha256 = "c" * 64
    gen = checked_warehouse(pg_server_url, [*records, c], None, tmp_path_factory, prepare=_two_current_reports)
    _url, run = next(gen)
    yield run
    gen.close()


def _fails(run, publisher, rule=None):
    return {(r.rule, r.rule_scope) for r in run.results
            if r.publisher == publisher and r.status == FAIL and (rule is None or r.rule == rule)}


def test_r4_fails_when_total_is_zero(case_run):
    assert _fails(case_run, "R4测试区人民政府") == {("R4", "administrative_review")}
    (r,) = [r for r in case_run.results if r.publisher == "R4测试区人民政府" and r.rule == "R4"]
    assert (r.left_value, r.right_value, r.severity) == (0, 11, "critical")


def test_r7_carry_over_is_a_warning(case_run):
    r7 = [r for r in case_run.results if r.rule == "R7"]
    assert {r.report_year for r in r7} == {2022}  # year N carries the result, only where N-1 exists
    assert {(r.rule_scope, r.status) for r in r7 if r.status != PASS} == {("natural_person", FAIL), ("total", FAIL)}
    assert len(r7) == 7 and all(r.severity == "warning" for r in r7)
    assert not _fails(case_run, "R7测试镇人民政府") - {("R7", "natural_person"), ("R7", "total")}


def test_validity_flags_negative_and_fractional_counts_only(case_run):
    assert _fails(case_run, "V测试镇人民政府") == {
        ("VALIDITY", "proactive.regulations.made_this_year"),
        ("VALIDITY", "proactive.administrative_licensing.decisions")}


def test_uniqueness_fails_both_current_reports(case_run):
    rs = [r for r in case_run.results if r.publisher == "U测试镇人民政府" and r.rule == "UNIQUENESS"]
    assert [r.status for r in rs] == [FAIL, FAIL] and rs[0].left_value == 2


def test_2021_report_keeping_single_other_row_passes(case_run):
    rs = [r for r in case_run.results if r.publisher == "S测试乡人民政府"]
    assert rs and all(r.status == PASS for r in rs)


def test_year_out_of_range_fails(case_run):
    assert ("YEAR_RANGE", "report") in _fails(case_run, "Y测试街道办事处")


def test_completeness_missing_cell_is_a_warning(case_run):
    (r,) = [r for r in case_run.results if r.publisher == "C测试镇人民政府" and r.rule == "COMPLETENESS"]
    assert r.status == FAIL and r.severity == "warning"
    assert "proactive.regulations.total_published" in r.message and r.right_value - r.left_value == 1


def test_digest_with_several_reports(case_run):
    d = render_digest(case_run)
    n = len({r.report_key for r in case_run.critical_failures})
    assert n == 5  # R4, validity, 2 × uniqueness, year range
    assert d.subject.startswith(f"[gongkai] 2018–2023: {n} reports fail critical checks (")
    assert d.subject.endswith(" +2 more)")
