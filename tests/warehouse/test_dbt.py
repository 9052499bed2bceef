"""`dbt build` on a loaded warehouse (one database and one build shared by the module), and the marts."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import uuid
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest

from extractors import vocab
from extractors.model import ExtractionError, Record, Source
from gongkai.warehouse import dbt, vocab_seed
from gongkai.warehouse.load import DocumentMeta, load_records, upsert_publishers
from tests.support import ROOT
from tests.support.browser import browser_or_skip, launch
from tests.support.golden import golden_records
from tests.support.warehouse import migrate_url, spec_records

pytestmark = pytest.mark.slow

NAMED = ["淮安市洪泽区人民政府", "淮安市洪泽区教育局", "宁夏回族自治区人民政府", "银川市人民政府",
         "兴庆区通贵乡", "城关街道办事处"]


class Built:
    def __init__(self, url: str, ok: bool, target, records: list[Record], superseded: Record):
        self.url, self.ok, self.target, self.records, self.superseded = url, ok, target, records, superseded


@pytest.fixture(scope="module")
def built(pg_server_url, tmp_path_factory) -> Built:
    name = f"gk_dbt_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server_url, autocommit=True) as c:
        c.execute(f'create database "{name}"')
    url = migrate_url(urlunparse(urlparse(pg_server_url)._replace(path="/" + name)))
    golden = golden_records()
    specs = spec_records(40, seed=41)
    for rec, pub in zip(specs, NAMED, strict=False):
        rec.report.publisher = pub
    specs[20].report.year = 2017  # before the revised regulation: the year dimension widens
    # a report superseded by a newer document for the same publisher and year
    old = copy.deepcopy(specs[10])
    old.source = Source(path="old.pdf", sha256="0" * 64)
    old.cells[0].value, old.cells[0].raw = 999999, "999999"
    bad = Record(source=Source(path="bad.pdf", sha256="f" * 64), error=ExtractionError("corrupt_pdf", "x"))
    with psycopg.connect(url) as conn:
        load_records(conn, [(old, None)])
        load_records(conn, [(r, DocumentMeta(source_url=f"http://gov.example/{i}")) for i, r in
                            enumerate(golden + specs)] + [(bad, None)])
        upsert_publishers(conn, [{"name": "兴庆区通贵乡", "level": "乡镇/街道", "parent_region": "银川市兴庆区",
                                  "admin_code": "640104100"}])
    target = tmp_path_factory.mktemp("dbt_target")
    profiles = tmp_path_factory.mktemp("dbt_profiles")
    ok = dbt.dbt_build(url, target_path=target, profiles_dir=profiles)
    yield Built(url, ok, target, golden + specs, old)
    with psycopg.connect(pg_server_url, autocommit=True) as c:
        c.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def q(built):
    assert built.ok, "dbt build failed"
    with psycopg.connect(built.url) as conn:
        yield lambda sql, *a: conn.execute(sql, a or None).fetchall()


def test_dbt_build_is_green(built):
    assert built.ok


def test_applications_received_per_township_and_year(q):
    # the question BI asks, in one query on the marts
    rows = q("""
        select u.publisher_name, a.report_year, a.new_received
        from marts.fct_applications a
        join marts.dim_government_unit u using (government_unit_key)
        where u.level = '乡镇/街道' and a.applicant_type = 'total'
        order by 1, 2""")
    got = {(p, y): v for p, y, v in rows}
    assert got[("安丘市景芝镇人民政府", 2020)] == 5
    assert got[("小王庄镇", 2020)] == 5
    assert got[("灵武市东塔镇人民政府", 2020)] == 0


def test_marts_match_the_records(built, q):
    townships = {}
    for r in built.records:
        cm = r.cell_map()
        c = cm.get(("applications", "new_received", "total"))
        townships[(r.report.publisher, r.report.year)] = c.value if c and c.status == "ok" else None
    rows = q("""select u.publisher_name, a.report_year, a.new_received from marts.fct_applications a
                join marts.dim_government_unit u using (government_unit_key) where a.applicant_type = 'total'""")
    assert {(p, y): (int(v) if v is not None else None) for p, y, v in rows} == townships
    # one row per report × applicant type; every cell of every current report
    assert q("select count(*) from marts.fct_applications")[0][0] == 7 * len(built.records)
    assert q("select count(*) from marts.fct_report_cells")[0][0] == sum(len(r.cells) for r in built.records)
    assert q("select count(*) from marts.fct_review_litigation")[0][0] == 3 * len(built.records)


def test_only_current_loaded_documents_reach_the_marts(built, q):
    shas = {r[0] for r in q("select sha256 from marts.rpt_report_overview")}
    assert built.superseded.source.sha256 not in shas
    assert "f" * 64 not in shas
    assert shas == {r.source.sha256 for r in built.records}
    assert q("select count(*) from marts.fct_report_cells where value = 999999")[0][0] == 0


def test_balance_status(built, q):
    status = dict(q("select sha256, balance_status from marts.rpt_report_overview"))
    for r in spec_records(40, seed=41):  # random specs balance by construction
        assert status[r.source.sha256] == "balanced"
    seeds = {p: s for p, s in q("select publisher_name, balance_status from marts.rpt_report_overview")}
    assert seeds["小王庄镇"] == "unbalanced"          # R1/R2 fail in the published table
    assert seeds["安丘市景芝镇人民政府"] == "balanced"


def test_government_unit_levels_and_parents(q):
    dim = {p: (lvl, parent, code) for p, lvl, parent, code in q(
        "select publisher_name, level, parent_region, admin_code from marts.dim_government_unit")}
    assert dim["淮安市洪泽区人民政府"][:2] == ("县区", "淮安市")
    assert dim["淮安市洪泽区教育局"][:2] == ("部门", "淮安市洪泽区")
    assert dim["宁夏回族自治区人民政府"][0] == "省"
    assert dim["银川市人民政府"][0] == "地市"
    assert dim["城关街道办事处"][0] == "乡镇/街道"
    assert dim["兴庆区通贵乡"] == ("乡镇/街道", "银川市兴庆区", "640104100")  # the registry wins
    assert dim["安丘市景芝镇人民政府"][:2] == ("乡镇/街道", "安丘市")
    assert dim["（未知）"][0] == "未知"


def test_report_year_deadlines(q):
    rows = {y: (fv, gov, dep) for y, fv, gov, dep in q(
        "select report_year, format_version, government_deadline, department_deadline from marts.dim_report_year")}
    assert rows[2020][0] == "2019" and rows[2021][0] == "2021"
    assert str(rows[2020][1]) == "2021-03-31" and str(rows[2020][2]) == "2021-01-31"
    assert rows[2017][0] is None and set(range(2017, 2022)) <= set(rows)


def test_table_section_dimension_is_the_vocabulary(q):
    n = q("select count(*) from marts.dim_table_section where table_section_key <> '-1'")[0][0]
    assert n == len(vocab.all_codes())
    assert q("select count(*) from marts.fct_report_cells where table_section_key = '-1'")[0][0] == 0


def test_bi_role_can_read_the_marts(q):
    assert q("select has_table_privilege('gongkai_bi', 'marts.fct_applications', 'select'), "
             "has_table_privilege('gongkai_bi', 'marts.fct_applications', 'insert')")[0] == (True, False)


@pytest.fixture(scope="module")
def docs_page(built):
    """`dbt docs generate --static` on the built warehouse: the single-file site."""
    assert built.ok
    assert dbt.dbt_docs(built.url, target_path=built.target, profiles_dir=built.target / "profiles")
    return built.target / dbt.STATIC_DOCS


def test_docs_generate(built, docs_page):
    assert (built.target / "catalog.json").stat().st_size > 1000
    assert docs_page.is_file() and docs_page.stat().st_size > (built.target / "manifest.json").stat().st_size


def test_the_docs_render_a_model_opened_as_a_file(built, docs_page):
    """The file the demo points at, opened as a person opens it (file://, in Chromium): a model's page shows
    its description and its columns with the types read from the warehouse, and nothing is fetched
    from anywhere (it works offline). dbt's index.html, by contrast, stays on "loading" over file://."""
    sync_api = browser_or_skip()
    node = "model.gongkai.fct_applications"
    manifest = json.loads((built.target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((built.target / "catalog.json").read_text(encoding="utf-8"))
    described = re.sub(r"[*_`]", "", manifest["nodes"][node]["description"]).split("\n")[0][:60]  # as rendered
    column, about = next((c, v) for c, v in catalog["nodes"][node]["columns"].items() if c == "document_id")
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        fetched = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto(docs_page.as_uri() + f"#!/model/{node}")
        page.wait_for_function("text => document.body.innerText.includes(text)", arg=described, timeout=60_000)
        row = page.locator("tr", has_text=column).first
        row.wait_for(timeout=60_000)
        assert about["type"] in row.inner_text()
        assert page.get_by_text("fct_applications").first.is_visible()
        browser.close()
    assert fetched and all(u.startswith(("file:", "data:", "blob:")) for u in fetched), fetched


@pytest.mark.parametrize("path", list(vocab_seed.GENERATED), ids=lambda p: p.name)
def test_generated_dbt_files_are_current(path):
    """The seed and the vocabulary / rule-catalogue macros are generated from extractors/vocab.py and
    expectations/catalogue.py: `python -m gongkai.warehouse.vocab_seed` rewrites them."""
    assert path.read_text(encoding="utf-8") == vocab_seed.GENERATED[path](), f"{path} is stale: regenerate it"


def test_no_hand_copy_of_the_vocabulary_in_the_models():
    """The SQL names the outcome rows through the generated macros, never as a written-out list."""
    models = (ROOT / "dbt_project" / "models").rglob("*.sql")
    outcome_rows = vocab.OUTCOME_ROWS
    for path in models:
        text = path.read_text(encoding="utf-8")
        hits = [r for r in outcome_rows if f"'{r}'" in text or f".{r}" in text or f" {r} " in text]
        assert len(hits) < 3, f"{path.name} spells out outcome rows {hits}: use outcome_row_codes()"


def test_dbt_parse_has_no_deprecation_warnings(dbt_manifest):
    # dbt's file log keeps every warning of the parse (the console is --quiet)
    log = (dbt_manifest.parent / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "Running with dbt" in log  # the log of this parse
    warnings = [line for line in log.splitlines() if "deprecat" in line.lower() and re.search(r"\[(warn|error)", line)]
    assert warnings == []


def test_seed_files_end_to_end_through_the_cli(fresh_db_url, seeds_dir, tmp_path):
    """`gongkai load` on the real seed texts (the extractor), `gongkai transform`, then one query."""
    env = {**os.environ, "WAREHOUSE_URL": fresh_db_url}
    cli = [sys.executable, "-m", "gongkai.cli"]
    load = subprocess.run([*cli, "load", str(seeds_dir)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert load.returncode == 0, load.stderr
    tr = subprocess.run([*cli, "transform", "--profiles-dir", str(tmp_path),
                         "--target-path", str(tmp_path / "target")], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=600)
    assert tr.returncode == 0, tr.stdout[-3000:] + tr.stderr[-3000:]
    with psycopg.connect(fresh_db_url) as conn:
        got = {(p, y): v for p, y, v in conn.execute("""
            select u.publisher_name, a.report_year, a.new_received
            from marts.fct_applications a
            join marts.dim_government_unit u using (government_unit_key)
            where u.level = '乡镇/街道' and a.applicant_type = 'total'""").fetchall()}
    assert got[("安丘市景芝镇人民政府", 2020)] == 5
    assert got[("小王庄镇", 2020)] == 5
    assert got[("灵武市东塔镇人民政府", 2020)] == 0
