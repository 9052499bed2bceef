"""Publisher and year from title shapes seen on published reports."""

import pytest

from extractors.metadata import read_metadata


@pytest.mark.parametrize("title, publisher, year", [
    ("某某县人民政府办公室关于2022年度政府信息公开工作年度报告", "某某县人民政府办公室", 2022),
    ("某某市生态环境局2023年政府信息公开工作年度报告", "某某市生态环境局", 2023),
    ("2021年某某镇人民政府政府信息公开工作年度报告", "某某镇人民政府", 2021),
    ("某某区人民政府的2024年度政务公开工作年度报告", "某某区人民政府", 2024),
])
def test_title_shapes(title, publisher, year):
    md = read_metadata(f"{title}\n\n一、总体情况\n正文……\n")
    assert (md.publisher, md.year) == (publisher, year)


def test_signature_and_date_complete_a_short_title():
    md = read_metadata("景芝镇人民政府\n\n2020 年政府信息公开工作年度报告\n\n一、总体情况\n……\n"
                       "安丘市景芝镇人民政府\n\n2021年1月26日\n")
    assert (md.publisher, md.year, md.published_on) == ("安丘市景芝镇人民政府", 2020, "2021-01-26")
