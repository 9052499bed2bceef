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


@pytest.mark.parametrize("text, publisher, year", [
    # the name in a sentence of prose: cut to the name itself
    ("根据《中华人民共和国政府信息公开条例》要求，现将某某县自然资源局2023年度政府信息公开工作年度报告公布如下。\n"
     "一、总体情况\n", "某某县自然资源局", 2023),
    # a CMS page: the title without a name, the issuing body on a 发布机构 line
    ("政府信息公开工作年度报告\n发布机构：某某市生态环境局\n2023年度\n一、总体情况\n", "某某市生态环境局", 2023),
    # 来源 names the same body more officially than the title
    ("小王庄镇2020年度政府信息公开工作年度报告\n发布日期: 2021-01-27 来源: 小王庄镇人民政府\n一、总体情况\n",
     "小王庄镇人民政府", 2020),
    # 来源 naming a website is not the issuing body; the signature with the date is the fullest name
    ("景芝镇人民政府\n2020 年政府信息公开工作年度报告\n来源：安丘市政府网\n一、总体情况\n……\n安丘市景芝镇人民政府\n"
     "2021年1月26日\n", "安丘市景芝镇人民政府", 2020),
    # another body's signature does not replace the title's body
    ("某某区人民政府2022年政府信息公开工作年度报告\n一、总体情况\n……\n某某区司法局\n2023年1月20日\n",
     "某某区人民政府", 2022),
])
def test_the_most_official_full_name(text, publisher, year):
    md = read_metadata(text)
    assert (md.publisher, md.year) == (publisher, year)
