"""BI-ready marts and `gongkai export`, on a real warehouse after a real `dbt build` (one per module):
keys declared and enforced in Postgres (and kept when a dimension is rebuilt), integer counts, the wide
report row with measures comparable across the 2019 and 2021 forms, the rule results in the form's
Chinese readable by the BI role, and marts written as CSV / Parquet and read back."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime
from decimal import Decimal

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extractors import vocab
from gongkai.cli import main
from gongkai.demo.fixtures.spec import random_spec
from gongkai.fetch.registry import load_registry
from gongkai.pipeline import export
from gongkai.warehouse import dbt
from gongkai.warehouse.load import DocumentMeta, load_records, upsert_publishers
from tests.support.golden import golden_records
from tests.support.warehouse import registered_name, scratch_warehouse

pytestmark = pytest.mark.slow

# (format version, keep （六）其他处理 as one row) of the synthetic reports
SPECS = [("2019", None), ("2019", None), ("2021", False), ("2021", False), ("2021", True), ("2021", False)]
FRACTION_PUBLISHER = "分数镇人民政府"  # a report whose 予以公开 of 自然人 is printed as 2.5

FOREIGN_KEYS = {  # (table, column) → the table it references
    **{(f, c): p for f in ("fct_report_cells", "fct_applications", "fct_review_litigation",
                           "fct_proactive_disclosure")
       for c, p in (("government_unit_key", "dim_government_unit"), ("report_year", "dim_report_year"),
                    ("report_key", "rpt_report_overview"))},
    ("fct_report_cells", "table_section_key"): "dim_table_section",
    ("rpt_report_overview", "government_unit_key"): "dim_government_unit",
    ("rpt_report_overview", "report_year"): "dim_report_year",
    ("rpt_rule_results", "government_unit_key"): "dim_government_unit",
    ("rpt_rule_results", "report_year"): "dim_report_year",
    ("rpt_rule_results", "report_key"): "rpt_report_overview",
}
PRIMARY_KEYS = {
    "dim_government_unit": ["government_unit_key"], "dim_report_year": ["report_year"],
    "dim_table_section": ["table_section_key"], "rpt_report_overview": ["report_key"],
    "rpt_rule_results": ["rule_check_key"],
    "fct_report_cells": ["report_key", "table_code", "row_code", "column_code"],
    "fct_applications": ["report_key", "applicant_type"], "fct_review_litigation": ["report_key", "proceeding"],
    "fct_proactive_disclosure": ["report_key", "item_code"],
}


class Built:
    def __init__(self, url, ok, records, names, profiles, target):
        self.url, self.ok, self.records, self.names = url, ok, records, names
        self.profiles, self.target = profiles, target

    def rebuild(self, select):
        return dbt.dbt_build(self.url, select=select, profiles_dir=self.profiles, target_path=self.target)


def _build(url, tmp_path_factory):
    registry = load_registry()
    golden = golden_records()
    rng = random.Random(13)
    specs = []
    for i, (fv, single) in enumerate(SPECS):
        spec = random_spec(rng, format_version=fv, keep_single_other=single)
        spec.publisher = f"合成{i}镇人民政府"
        specs.append(spec.record(path=f"<bi spec {i}>"))
    fraction = random_spec(rng, format_version="2021").record(path="<bi fraction>")
    fraction.report.publisher = FRACTION_PUBLISHER
    cell = fraction.cell_map()[("applications", "granted", "natural_person")]
    cell.value, cell.raw, cell.status = 2.5, "2.5", "ok"
    specs.append(fraction)

    def registered(rec):
        return registered_name(rec, registry)

    with psycopg.connect(url) as conn:
        upsert_publishers(conn, [p.row() for p in registry])
        load_records(conn, [(r, DocumentMeta(registered_publisher=registered(r), registered_year=r.report.year))
                            for r in golden])
        load_records(conn, [(r, None) for r in specs])
    profiles, target = tmp_path_factory.mktemp("dbt_profiles"), tmp_path_factory.mktemp("dbt_target")
    ok = dbt.dbt_build(url, profiles_dir=profiles, target_path=target)
    names = [registered(r) for r in golden] + [r.report.publisher for r in specs]
    return Built(url, ok, golden + specs, names, profiles, target)


@pytest.fixture(scope="module")
def built(pg_server_url, tmp_path_factory):
    with scratch_warehouse(pg_server_url, "gk_bi") as url:
        yield _build(url, tmp_path_factory)


@pytest.fixture
def q(built):
    assert built.ok, "dbt build failed"
    with psycopg.connect(built.url) as conn:
        yield lambda sql, *a: conn.execute(sql, a or None).fetchall()


def _keys(q):
    pks = {t: cols for t, cols in q("""
        select c.conrelid::regclass::text, array_agg(a.attname::text order by k.ord)
        from pg_constraint c cross join unnest(c.conkey) with ordinality as k (attnum, ord)
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
        where c.contype = 'p' and c.connamespace = 'marts'::regnamespace group by 1""")}
    fks = {(t, col): ref for t, col, ref in q("""
        select c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text
        from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
        where c.contype = 'f' and c.connamespace = 'marts'::regnamespace""")}
    return pks, fks


def test_primary_and_foreign_keys_are_in_the_catalog(q):
    pks, fks = _keys(q)
    assert {t.removeprefix("marts."): c for t, c in pks.items()} == PRIMARY_KEYS
    assert {(t.removeprefix("marts."), c): r.removeprefix("marts.") for (t, c), r in fks.items()} == FOREIGN_KEYS


def test_foreign_keys_survive_a_rebuild_of_their_dimension(built, q):
    # a table model is swapped in and the old one dropped `cascade`: the hook puts the keys back
    assert built.rebuild(["dim_government_unit", "dim_report_year", "rpt_report_overview"])
    pks, fks = _keys(q)
    assert {(t.removeprefix("marts."), c): r.removeprefix("marts.") for (t, c), r in fks.items()} == FOREIGN_KEYS
    # and Postgres enforces them
    with psycopg.connect(built.url) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("""insert into marts.fct_applications (report_key, document_id, government_unit_key,
                        report_year, format_version, applicant_type, applicant_type_label, loaded_at)
                        select report_key, document_id, 'no-such-unit', report_year, format_version,
                               'x', 'x', loaded_at from marts.rpt_report_overview limit 1""")


def test_counts_are_integers_amounts_keep_their_decimals(q):
    types = {(t, c): d for t, c, d in q("""select table_name, column_name, data_type from information_schema.columns
                                           where table_schema = 'marts'""")}
    amounts = {c for fv in vocab.FORMAT_VERSIONS for c in vocab.cells(fv) if c.kind == vocab.AMOUNT}
    amount_columns = {c.column for c in amounts}
    for table in ("fct_applications", "fct_review_litigation", "fct_proactive_disclosure", "rpt_report_overview"):
        numeric = {c for (t, c), d in types.items() if t == table and d == "numeric"}
        assert numeric <= amount_columns, (table, numeric)
    assert types[("fct_applications", "granted")] == "bigint"
    assert types[("fct_proactive_disclosure", "fee_amount")] == "numeric"
    assert types[("rpt_report_overview", "received")] == "bigint"


def test_a_fractional_count_is_null_never_rounded(q):
    rows = q("""select a.granted from marts.fct_applications a join marts.dim_government_unit g
                using (government_unit_key) where g.publisher_name = %s and a.applicant_type = 'natural_person'""",
             FRACTION_PUBLISHER)
    assert rows == [(None,)]
    # the cell itself keeps the printed value
    assert q("""select c.value from marts.fct_report_cells c join marts.dim_government_unit g
                using (government_unit_key) where g.publisher_name = %s and c.row_code = 'granted'
                and c.column_code = 'natural_person'""", FRACTION_PUBLISHER) == [(Decimal("2.5"),)]


def _total(rec, row):
    c = rec.cell_map().get(("applications", row, "total"))
    return c.value if c is not None and c.value is not None else None


def _sum(rec, rows):
    values = [_total(rec, r) for r in rows]
    return None if any(v is None for v in values) else sum(values)


def _group(label):
    return tuple(r.code for b in vocab.BLOCKS["2021"] if b.table == "applications" for r in b.rows if r.group == label)


def test_overview_measures_comparable_across_the_forms(built, q):
    cols = ["granted", "partially_granted", "withheld", "unavailable", "not_processed", "other_handled",
            "received", "handled"]
    got = {(p, y): dict(zip(cols, rest, strict=True)) for p, y, *rest in q(
        f"select o.publisher_name, o.report_year, {', '.join('o.' + c for c in cols)} "
        "from marts.rpt_report_overview o")}
    forms = set()
    assert len(got) == len(built.records)
    for rec, name in zip(built.records, built.names, strict=True):
        if name == FRACTION_PUBLISHER:
            continue
        key = (name, rec.report.year)
        single = _total(rec, "other_handling")
        other = single if single is not None else _sum(rec, vocab.OTHER_SUBROWS)
        expected = {"granted": _total(rec, "granted"), "partially_granted": _total(rec, "partially_granted"),
                    "withheld": _sum(rec, _group("（三）不予公开")),
                    "unavailable": _sum(rec, _group("（四）无法提供")),
                    "not_processed": _sum(rec, _group("（五）不予处理")), "other_handled": other,
                    "received": _total(rec, "new_received"), "handled": _total(rec, "total_handled")}
        assert got[key] == expected, key
        forms.add((rec.report.format_version, single is not None))
    # both forms, and the 2021 form with （六） printed both ways, were compared
    assert {("2019", True), ("2021", False), ("2021", True)} <= forms


def test_rule_results_in_chinese_readable_by_the_bi_role(built):
    with psycopg.connect(built.url) as conn:
        conn.execute("set role gongkai_bi")
        rows = conn.execute("""select rule_id, rule_scope, scope_label, left_side, right_side, left_value,
                                      right_value, left_minus_right, status, status_label, severity_label,
                                      format_version, cells_needed
                               from marts.rpt_rule_results""").fetchall()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select count(*) from dq.rule_results")
    with psycopg.connect(built.url) as conn:
        assert len(rows) == conn.execute("select count(*) from marts.fct_rule_checks").fetchone()[0] > 0
    labels = {(c.row, c.column): (c.row_label, c.column_label) for fv in vocab.FORMAT_VERSIONS
              for c in vocab.cells(fv)}
    row_label = {r: labels[(r, "total")][0] for r, _ in labels if (r, "total") in labels}
    status_zh = {"PASS": "通过", "FAIL": "不通过", "UNCERTAIN": "无法判断"}
    r1 = [r for r in rows if r[0] == "R1" and r[1] == "total"]
    assert r1 and all(r[3] == f"{row_label['new_received']} + {row_label['carried_over']}"
                      and r[4] == f"{row_label['total_handled']} + {row_label['carried_forward']}"
                      and r[2] == "总计" for r in r1)
    r2 = [r for r in rows if r[0] == "R2" and r[1] == "total"]
    split = [r for r in r2 if row_label["other_misc"] in r[4]]
    single = [r for r in r2 if row_label["other_handling"] in r[4]]
    assert split and single and not [r for r in split if row_label["other_handling"] in r[4]]
    assert len(split) + len(single) == len(r2)
    r4 = [r for r in rows if r[0] == "R4"]
    assert r4 and all(r[2] == "行政复议" and r[3] == "总计" for r in r4)
    for r in rows:
        assert r[9] == status_zh[r[8]] and r[10] in ("严重", "警告")
        if r[5] is not None and r[6] is not None:
            assert r[7] == pytest.approx(r[5] - r[6])
        if r[0] in ("R1", "R2", "R3", "R4", "R5", "R6", "R7"):  # the sums of cells (int_rule_terms)
            assert r[3] is not None and r[3].count(" + ") + r[4].count(" + ") + 2 == r[12]


# ---------------------------------------------------------------- export


def _db_rows(q, mart, order):
    return q(f"select * from marts.{mart} order by {order}")


def _read_back(text, like):
    """A CSV field read back as the type of the database's value `like` (empty: null)."""
    if text == "":
        return None
    if isinstance(like, bool):
        return {"true": True, "false": False}[text]
    if isinstance(like, datetime | date):
        return type(like).fromisoformat(text)
    return type(like)(text) if like is not None else text


def test_export_csv_opens_in_excel_and_reads_back(built, q, tmp_path):
    out = tmp_path / "overview.csv"
    result = export.export_mart("rpt_report_overview", out, url=built.url)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    names = [c[0] for c in q("""select column_name from information_schema.columns where table_schema = 'marts'
                                and table_name = 'rpt_report_overview' order by ordinal_position""")]
    assert rows[0] == names and result.rows == len(rows) - 1 == q("select count(*) from marts.rpt_report_overview")[0][0]
    by_key = {r[0]: r for r in rows[1:]}
    for db_row in _db_rows(q, "rpt_report_overview", "report_key"):
        assert [_read_back(t, v) for t, v in zip(by_key[db_row[0]], db_row, strict=True)] == list(db_row)
    assert any("景芝镇" in r[names.index("publisher_name")] for r in rows[1:])


def test_export_parquet_keeps_the_types_and_values(built, q, tmp_path):
    out = tmp_path / "proactive.parquet"
    export.export_mart("fct_proactive_disclosure", out, url=built.url)
    table = pq.read_table(out)
    assert table.schema.field("decisions").type == pa.int64()
    assert pa.types.is_decimal(table.schema.field("fee_amount").type)
    assert table.schema.field("report_year").type == pa.int32()
    assert pa.types.is_timestamp(table.schema.field("loaded_at").type)
    assert b"description" in table.schema.field("item_label").metadata
    db = _db_rows(q, "fct_proactive_disclosure", "report_key, item_code")
    got = sorted(table.to_pylist(), key=lambda r: (r["report_key"], r["item_code"]))
    assert len(got) == len(db)
    names = list(table.schema.names)
    for g, d in zip(got, db, strict=True):
        assert [g[n] for n in names] == list(d)


def test_export_where_and_progress_in_batches(built, q, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "BATCH_ROWS", 500)
    seen = []
    out = tmp_path / "cells.parquet"
    result = export.export_mart("fct_report_cells", out, url=built.url, where="format_version = '2021'",
                                progress=lambda done, total: seen.append((done, total)))
    expected = q("select count(*) from marts.fct_report_cells where format_version = '2021'")[0][0]
    assert result.rows == expected == pq.read_metadata(out).num_rows > 1000
    assert seen[0] == (0, expected) and seen[-1] == (expected, expected)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > 3
    assert set(pq.read_table(out, columns=["format_version"]).column(0).to_pylist()) == {"2021"}


def test_export_cli_one_line_errors(built, tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["export", "no_such_mart", "--url", built.url])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "unknown mart 'no_such_mart'" in lines[0] and "rpt_report_overview" in lines[0]
    res = runner.invoke(main, ["export", "rpt_rule_results", "--url", built.url, "-o", str(tmp_path / "x.csv"),
                               "--where", "status = 'FAIL'; drop table marts.dim_report_year"])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1 and "invalid --where" in res.output
    assert not list(tmp_path.iterdir())  # nothing half-written
    res = runner.invoke(main, ["export", "rpt_rule_results", "--url", built.url, "-f", "parquet", "-o", "-"])
    assert res.exit_code == 2 and "Parquet" in res.output
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = runner.invoke(main, ["export", "dim_report_year", "--url", built.url, "-o", str(blocker / "y.csv")])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1 and "cannot write" in res.output


def test_export_cli_writes_the_file(built, q, tmp_path):
    out = tmp_path / "fails.csv"
    res = CliRunner().invoke(main, ["export", "marts.rpt_rule_results", "--url", built.url, "-o", str(out),
                                    "--where", "status = 'FAIL'"])
    assert res.exit_code == 0, res.output
    fails = q("select count(*) from marts.rpt_rule_results where status = 'FAIL'")[0][0]
    assert f"{fails} rows" in res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert len(rows) == fails > 0 and {r["status_label"] for r in rows} == {"不通过"}
    res = CliRunner().invoke(main, ["export", "--list", "--url", built.url])
    assert res.exit_code == 0 and "rpt_rule_results" in res.output.split()
    # a folder as --out: the mart's name in it
    res = CliRunner().invoke(main, ["export", "dim_report_year", "--url", built.url, "-o", str(tmp_path)])
    assert res.exit_code == 0 and (tmp_path / "dim_report_year.csv").read_bytes().startswith(b"\xef\xbb\xbf")
