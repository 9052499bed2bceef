"""The dashboards as code: the spec files load, every chart is placed and uses what its dataset has, the
labels come from the form's vocabulary, and the bundle is what Superset's import reads."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import yaml

from extractors import vocab
from gongkai.bi import bundle, labels, spec
from gongkai.quality.model import RULES


@pytest.fixture(scope="module")
def loaded():
    return spec.load()


def _bundle(loaded) -> dict[str, str]:
    datasets, dashboards = loaded
    return bundle.files(datasets, dashboards, "postgresql+psycopg2://u:pw@127.0.0.1:5/gongkai",
                        lambda ds: [("publisher_name", "TEXT"), ("report_year", "INTEGER"),
                                    ("checked_at", "TIMESTAMP WITH TIME ZONE")])


def test_the_dashboards_the_issue_asks_for_are_there(loaded):
    _, dashboards = loaded
    assert {d.slug for d in dashboards} >= {"applications", "balance", "quality", "scorecard", "yoy"}
    for d in dashboards:
        assert d.charts and d.description


def test_labels_are_the_forms_chinese_beside_our_codes():
    assert labels.label("granted") == "予以公开 · granted"
    assert labels.label("sum_new_received") == "本年新收政府信息公开申请数量 · new_received"
    assert labels.label("withheld_state_secret") == "不予公开：属于国家秘密 · withheld_state_secret"
    assert labels.label("total_handled") == "本年度办理结果总计 · total_handled"
    assert labels.label("sum_withheld") == "不予公开 · withheld"  # a printed group, added up
    assert labels.label("natural_person") == "自然人 · natural_person"
    assert labels.label("no_such_code") is None
    # every row and column code of both formats has a label, none empty
    for fv in vocab.FORMAT_VERSIONS:
        for cell in vocab.cells(fv):
            assert labels.label(cell.row) and labels.label(cell.column)
    assert labels.rule_statement(RULES["R1"].title) == (
        "本年新收政府信息公开申请数量 + 上年结转政府信息公开申请数量 = 本年度办理结果总计 + 结转下年度继续办理")


def test_the_sql_templates_expand_from_the_one_source():
    case = labels.render_sql('{{ label_case("s", "balance_status") }}')
    assert "when 'unbalanced' then '不平衡 · unbalanced'" in case
    catalog = labels.render_sql("{{ rule_catalog() }}")
    assert all(f"('{code}'," in catalog for code in RULES)


def test_the_bundle_is_superset_import_format(loaded):
    files = _bundle(loaded)
    datasets, dashboards = loaded
    meta = yaml.safe_load(files["metadata.yaml"])
    assert meta["type"] == "Dashboard" and meta["version"] == "1.0.0"
    database = yaml.safe_load(files["databases/gongkai.yaml"])
    assert database["allow_dml"] is False and database["sqlalchemy_uri"].startswith("postgresql+psycopg2://")
    dataset_uuids = {yaml.safe_load(t)["uuid"] for p, t in files.items() if p.startswith("datasets/")}
    chart_uuids = set()
    for path, text in files.items():
        if path.startswith("charts/"):
            chart = yaml.safe_load(text)
            assert chart["dataset_uuid"] in dataset_uuids
            assert chart["params"]["viz_type"] == chart["viz_type"]
            chart_uuids.add(chart["uuid"])
    placed = set()
    for d in dashboards:
        dash = yaml.safe_load(files[f"dashboards/{d.slug}.yaml"])
        charts = [c for c in dash["position"].values() if isinstance(c, dict) and c.get("type") == "CHART"]
        assert len(charts) == len(d.charts)
        for c in charts:
            assert c["parents"][-1] in dash["position"] and c["id"] in dash["position"][c["parents"][-1]]["children"]
            placed.add(c["meta"]["uuid"])
    assert placed == chart_uuids
    # the ZIP nests every file under one root folder, as Superset's export does
    names = zipfile.ZipFile(io.BytesIO(bundle.zip_bytes(files))).namelist()
    assert len({n.split("/")[0] for n in names}) == 1 and len(names) == len(files)


def test_uuids_are_stable_so_a_reimport_updates_instead_of_copying(loaded):
    first, second = _bundle(loaded), _bundle(loaded)
    strip = lambda files: {p: t for p, t in files.items() if p != "metadata.yaml"}  # noqa: E731
    assert strip(first) == strip(second)


def test_columns_get_labels_and_temporal_types(loaded):
    files = _bundle(loaded)
    ds = yaml.safe_load(files["datasets/gongkai/application_totals.yaml"])
    cols = {c["column_name"]: c for c in ds["columns"]}
    assert cols["report_year"]["verbose_name"] == "报告年度 · report_year"
    assert cols["checked_at"]["is_dttm"] and not cols["report_year"]["is_dttm"]
    metrics = {m["metric_name"]: m for m in ds["metrics"]}
    assert metrics["sum_granted"]["verbose_name"] == "予以公开 · granted"


@pytest.mark.parametrize("mutation, message", [
    (lambda d: d["layout"].append(["nowhere"]), "undefined chart 'nowhere'"),
    (lambda d: d["layout"].pop(), "placed 0 times"),
    (lambda d: d["charts"]["a"].update(dataset="missing"), "no dataset 'missing'"),
    (lambda d: d["charts"]["a"]["params"].update(metric="sum_nothing"), "no metric 'sum_nothing'"),
    (lambda d: d["layout"][1].insert(0, {"chart": "a", "width": 12}) or d["layout"].pop(0), "wider than 12"),
])
def test_a_broken_dashboard_file_is_refused_with_its_reason(tmp_path, mutation, message):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "datasets" / "t.yaml").write_text("table: marts.x\nmetrics: {n: count(*)}\n")
    dash = {"title": "T", "charts": {"a": {"title": "A", "dataset": "t", "viz": "big_number_total",
                                           "params": {"metric": "n"}},
                                     "b": {"title": "B", "dataset": "t", "viz": "table"}},
            "layout": [["a"], ["b"]]}
    mutation(dash)
    (tmp_path / "dashboards" / "d.yaml").write_text(json.dumps(dash))
    with pytest.raises(spec.SpecError, match=message):
        spec.load(tmp_path / "datasets", tmp_path / "dashboards")
