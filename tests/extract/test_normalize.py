import pytest

from extractors.normalize import clean, label_key, similarity, split_numbering


@pytest.mark.parametrize("raw,key", [
    ("自 然 人", "自然人"), ("商业\n企业", "商业企业"), ("商\n业\n企\n业", "商业企业"),
    ("（一）予以公开", "(一)予以公开"), ("(一) 予以公开", "(一)予以公开"),
    ("1、属于国家秘密", "1.属于国家秘密"), ("1．属于国家秘密", "1.属于国家秘密"), ("1. 属于国家秘密", "1.属于国家秘密"),
    ("⼀、本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量"),  # Kangxi radical U+2F00
    ("三\n、\n本\n年\n度\n办\n理\n结\n果", "三、本年度办理结果"),
    ("<p>（本列数据）</p>", "(本列数据)"), ("**规章**", "规章"), ("第二十条第（一）项", "第二十条第(一)项"),
    ("⾏政许可", "行政许可"),  # ⾏ U+2F8F KANGXI RADICAL WALK
    ("（1）属于国家秘密", "1.属于国家秘密"), ("③危及“三安全一稳定”", "3.危及三安全一稳定"),
])
def test_label_key(raw, key):
    assert label_key(raw) == key


def test_clean_fullwidth_and_supplement():
    assert clean("１２３ＡＢ") == "123AB"
    assert clean("\u2ea0") == "民"  # CJK Radicals Supplement, no NFKC mapping
    assert clean("a  b\u3000c") == "a b c"


def test_split_numbering():
    assert split_numbering("(三)不予公开") == ("paren", "三", "不予公开")
    assert split_numbering("四、结转下年度继续办理") == ("dun", "四", "结转下年度继续办理")
    assert split_numbering("3.其他") == ("digit", "3", "其他")
    assert split_numbering("规章") == (None, None, "规章")


def test_similarity_tolerates_typos():
    assert similarity("其他法律行政止公开", "其他法律行政法规禁止公开") > 0.8
    assert similarity("规章", "行政许可") < 0.5
