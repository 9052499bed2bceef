"""The registry: the committed files load; {base_url} substitution; `registry add` appends text."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from gongkai.cli import main
from gongkai.fetch.registry import (
    DEFAULT_REGISTRY,
    DEMO_REGISTRY,
    Publisher,
    RegistryError,
    append_publisher,
    load_registry,
)

SEEDS = {"灵武市东塔镇人民政府", "兴庆区通贵乡人民政府", "伊川县葛寨镇人民政府", "天津市滨海新区小王庄镇人民政府",
         "安丘市景芝镇人民政府", "淮安市洪泽区人民政府"}


def test_committed_registry_has_the_seed_publishers():
    pubs = load_registry()
    assert {p.name for p in pubs} >= SEEDS
    hz = next(p for p in pubs if p.name == "淮安市洪泽区人民政府")
    assert hz.level == "县区" and hz.admin_code == "320813"
    assert hz.row() == {"name": "淮安市洪泽区人民政府", "level": "县区", "parent_region": "江苏省淮安市",
                        "admin_code": "320813", "homepage": hz.homepage}
    assert hz.short_name() == "淮安市洪泽区"


def test_demo_registry_substitutes_base_url(monkeypatch):
    pubs = load_registry(DEMO_REGISTRY, base_url="http://127.0.0.1:9/")
    urls = [u for p in pubs for us in p.reports.values() for u in us] + \
        [u for p in pubs for u in p.index_pages.values()]
    assert urls and all(u.startswith("http://127.0.0.1:9/") and "{" not in u for u in urls)
    assert "http://127.0.0.1:9/seed_001.pdf" in urls and "http://127.0.0.1:9/index/2020.html" in urls
    monkeypatch.setenv("GONGKAI_SAMPLES_URL", "http://h:1")
    assert load_registry(DEMO_REGISTRY)[0].reports[2020][0] == "http://h:1/seed_001.pdf"
    monkeypatch.delenv("GONGKAI_SAMPLES_URL")
    with pytest.raises(RegistryError, match="base_url"):
        load_registry(DEMO_REGISTRY)


@pytest.mark.parametrize(("text", "message"), [
    ("publishers:\n  - name: 甲镇\n    level: 村\n", "level"),
    ("publishers:\n  - name: 甲镇\n    level: 县区\n    reports: {twenty: http://x}\n", "not a year"),
    ("publishers:\n  - name: 甲镇\n    level: 县区\n    admin_code: '12'\n", "admin_code"),
    ("publishers:\n  - name: 甲镇\n    level: 县区\n  - name: 甲镇\n    level: 县区\n", "twice"),
    ("publishers:\n  - name: 甲镇\n    level: 县区\n    colour: red\n", "unknown keys"),
    ("publishers: [\n", "YAML"),
])
def test_bad_registry_files_give_clear_errors(tmp_path, text, message):
    p = tmp_path / "r.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_registry(p)


def test_append_keeps_comments_and_layout(tmp_path):
    path = tmp_path / "publishers.yaml"
    original = DEFAULT_REGISTRY.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    pub = Publisher(name="某某镇人民政府", level="乡镇/街道", parent_region="某省某市",
                    reports={2022: ("https://example.gov.cn/a.pdf", "https://example.gov.cn/a.html"),
                             2023: ("https://example.gov.cn/b.pdf",)},
                    index_pages={2024: "https://example.gov.cn/2024/"}, index_url="https://example.gov.cn/ndbg/")
    append_publisher(pub, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original)  # nothing above was rewritten: comments kept
    [again] = [p for p in load_registry(path) if p.name == pub.name]
    assert again == pub
    with pytest.raises(RegistryError, match="already registered"):
        append_publisher(pub, path)
    assert path.read_text(encoding="utf-8") == text


def test_append_refuses_when_publishers_is_not_last(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("publishers:\n  - name: 甲镇\n    level: 县区\nversion: 1\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - YAML or registry error; the file is restored
        append_publisher(Publisher(name="乙镇", level="县区"), path)
    assert path.read_text(encoding="utf-8") == before


def test_cli_registry_add_and_list(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("# my registry\npublishers: []\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["registry", "add", "丙镇人民政府", "--level", "乡镇/街道", "--parent", "某县",
                                  "--url", "2021=http://x.gov.cn/2021.pdf", "--url", "2021=http://x.gov.cn/2021.html",
                                  "--index-url", "http://x.gov.cn/ndbg/", "--registry", str(path)])
    assert r.exit_code == 0, r.output
    assert path.read_text(encoding="utf-8").startswith("# my registry\n")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["publishers"][0]["reports"] == {2021: ["http://x.gov.cn/2021.pdf", "http://x.gov.cn/2021.html"]}
    r = CliRunner().invoke(main, ["registry", "list", "--urls", "--registry", str(path)])
    assert r.exit_code == 0 and "2021  http://x.gov.cn/2021.html" in r.output
    row = next(line for line in r.stdout.splitlines() if line.startswith("丙镇人民政府"))
    assert row.split() == ["丙镇人民政府", "乡镇/街道", "某县", "-", "2021", "+index"]
    bad = CliRunner().invoke(main, ["registry", "add", "丁镇", "--level", "县区", "--url", "2021:x",
                                    "--registry", str(path)])
    assert bad.exit_code != 0 and "YEAR=URL" in bad.output
