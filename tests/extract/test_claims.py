"""Prose claims (extractors/claims.py): the numbers a report's prose quotes about itself, on the five
seeds as published, on the real report, on the phrasings real reports use, and from every medium."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.api import extract
from extractors.claims import MEASURES, PREVIOUS_YEAR, REPORT_YEAR, UNCLEAR, cn_int, prose_text, read_claims
from extractors.model import Record
from gongkai.demo import samples
from gongkai.demo.fixtures import corpus
from gongkai.demo.fixtures.render import render
from tests.conftest import REAL

RECEIVED = "applications.new_received.total"
HANDLED = "applications.total_handled.total"
GRANTED = "applications.granted.total"
PARTIAL = "applications.partially_granted.total"
REVIEW = "review_litigation.administrative_review.total"
SUITS = "review_litigation.litigation.total"
PROACTIVE = "proactive.items_published"

# What a careful reader finds in each seed's prose, read by hand (2026, this branch) from the published
# texts in gongkai/demo/samples/ (= ../shared/seeds/), and what the tables say beside it:
SEEDS = {
    # 000 灵武市东塔镇: "2020年，我镇未收到依申请公开事项" → 0 applications (table: 0). Its other numbers
    # (新媒体公开…政府信息共2031条, 共计18条, 办理各类事项4055余件, 来电420件, 公示1489条 …) are channels,
    # approximate or not the form's measures: no claim.
    "000": [(RECEIVED, 0, REPORT_YEAR)],
    # 001 兴庆区通贵乡: "通过政务公开网站…等途径公开信息共 311 条" names no measure of the form (no
    # 主动公开, several channels): nothing.
    "001": [],
    # 002 葛寨镇: "2020年，葛寨镇人民政府共收到政府信息公开申请0件" (table: 0). 动态38件、公告公示160条、
    # 其他信息16条 are kinds of items, no measure.
    "002": [(RECEIVED, 0, REPORT_YEAR)],
    # 003 小王庄镇: "2019年截至目前我镇共收到依申请公开事项5件" — 5 matches the table's 本年新收 (5), but the
    # sentence speaks of 2019 up to now in the 2020 report: unclear period (R8 UNCERTAIN, not PASS).
    # "因信息公开提起复议0例，因信息公开涉诉0例" (table 0, 0); 败诉0例 is no cell of the form.
    "003": [(RECEIVED, 5, UNCLEAR), (REVIEW, 0, REPORT_YEAR), (SUITS, 0, REPORT_YEAR)],
    # 004 景芝镇: 主动公开政府信息 296 条 (no cell in either format; 119 + 177 条 after 其中 are channels);
    # 共收到…申请 5 件 (table 5); 共答复…申请 5 件 (table 总计 5); 按时办结 5 件 is a part, not a measure;
    # then "其中，属于已主动公开范围 0 件，同意公开答复 5 件，部分公开的 0 件，信息不存在 1 件" —
    # 同意公开 5 CONTRADICTS the table's 予以公开 4 (the table: 4 + 1 本机关不掌握 = 5; the prose: 5 + 1 = 6
    # for 5 answered, so the prose disagrees with itself too). 信息不存在 is half of 本机关不掌握 (with
    # 不属于本行政机关), not claimed. "全年未发生因政府信息公开被行政复议、提起行政诉讼情况" → 0 and 0
    # (table 0, 0). 答复民众咨询、投诉共 31 件 are not applications.
    "004": [(PROACTIVE, 296, REPORT_YEAR), (RECEIVED, 5, REPORT_YEAR), (HANDLED, 5, REPORT_YEAR),
            (GRANTED, 5, REPORT_YEAR), (PARTIAL, 0, REPORT_YEAR), (REVIEW, 0, REPORT_YEAR),
            (SUITS, 0, REPORT_YEAR)],
}


def _got(claims) -> list[tuple[str, object, str]]:
    return [(c.measure, c.value, c.period) for c in claims]


@pytest.mark.parametrize("sid", samples.SEED_IDS)
def test_seed_prose_claims_are_what_a_careful_reader_finds(sid):
    text = samples.text_path(sid).read_text(encoding="utf-8")
    claims = read_claims(text, 2020)
    assert _got(claims) == SEEDS[sid]
    for c in claims:  # the offset points at the claim in the published text, the sentence holds it
        assert c.page is None and 0 <= c.offset < len(text)
        assert c.raw in c.sentence


def test_seed_004_prose_contradicts_its_own_table():
    rec = extract(samples.text_path("004"))
    granted = rec.cell_map()[("applications", "granted", "total")].value
    (claim,) = [c for c in rec.claims if c.measure == GRANTED]
    assert (claim.value, granted) == (5, 4)
    assert "同意公开答复" in claim.raw


def test_claim_offsets_point_at_the_number():
    text = "一、总体情况\n2021年，本机关共收到政府信息公开\n申请 17 件，均已答复。"
    (c,) = read_claims(text, 2021)
    assert (c.measure, c.value) == (RECEIVED, 17)
    assert text[c.offset:c.offset + 2] == "17"


def test_the_real_report_pages_and_its_contradiction():
    pdf = REAL / "hongzequ_2024.pdf"
    if not pdf.is_file():
        pytest.skip(f"{pdf} not beside the checkout")
    rec = extract(pdf)
    # read by hand: page 1 "区政府办代表区政府受理政府信息公开申请 17 件" while the table's 本年新收 总计 is
    # 95 (a claim R8 will FAIL); page 5 "全年收取政府信息公开信息处理费 0 元" (no cell); "主动发布各类政府
    # 信息 2428 条" says 发布 on one platform (政府网站平台), not 主动公开: no claim.
    assert [(c.measure, c.value, c.period, c.page) for c in rec.claims] == [
        (RECEIVED, 17, REPORT_YEAR, 1), ("fees.collected_yuan", 0, REPORT_YEAR, 5)]
    assert rec.cell_map()[("applications", "new_received", "total")].value == 95


PHRASES = [
    # (text, report year, expected claims)
    ("2021年共收到政府信息公开申请十二件，较上年增加3件，同比增长33%。", 2021, [(RECEIVED, 12, REPORT_YEAR)]),
    ("上年共收到政府信息公开申请10件。", 2021, [(RECEIVED, 10, PREVIOUS_YEAR)]),
    ("2020年收到政府信息公开申请8件。", 2021, [(RECEIVED, 8, PREVIOUS_YEAR)]),
    ("2018年以来共收到政府信息公开申请30件。", 2021, [(RECEIVED, 30, UNCLEAR)]),
    ("截至2021年12月31日，共收到政府信息公开申请两件。", 2021, [(RECEIVED, 2, REPORT_YEAR)]),
    ("上年结转政府信息公开申请2件，结转下年度继续办理1件。", 2021,
     [("applications.carried_over.total", 2, REPORT_YEAR), ("applications.carried_forward.total", 1, REPORT_YEAR)]),
    ("全年共办结政府信息公开申请五件，按时办结5件。", 2021, [(HANDLED, 5, REPORT_YEAR)]),
    ("主动公开政府信息1.2万条，其中通过门户网站主动公开政府信息8000条。", 2021, [(PROACTIVE, 12000, REPORT_YEAR)]),
    ("本年度发生政府信息公开行政复议案件1件，行政诉讼案件2件，其中复议后起诉1件。", 2021,
     [(REVIEW, 1, REPORT_YEAR), (SUITS, 2, REPORT_YEAR),
      ("review_litigation.litigation_after_review.total", 1, REPORT_YEAR)]),
    ("政府信息公开行政复议、行政诉讼案件均为0。", 2021, [(REVIEW, 0, REPORT_YEAR), (SUITS, 0, REPORT_YEAR)]),
    ("本年度无依申请公开事项。", 2021, [(RECEIVED, 0, REPORT_YEAR)]),
    ("（二）依申请公开情况。2021年共收到申请5件。", 2021, [(RECEIVED, 5, REPORT_YEAR)]),
    ("共收到政府信息公开申请20件，其中自然人申请18件，予以公开15件，不予公开2件，无法提供3件，不予处理0件。", 2021,
     [(RECEIVED, 20, REPORT_YEAR), (GRANTED, 15, REPORT_YEAR), ("applications.withheld.total", 2, REPORT_YEAR),
      ("applications.unavailable.total", 3, REPORT_YEAR), ("applications.not_processed.total", 0, REPORT_YEAR)]),
    ("主动公开政府信息２９６条。", 2021, [(PROACTIVE, 296, REPORT_YEAR)]),  # full-width digits
    # not claims: approximate, a range, an article number, other things counted, other proceedings,
    # another kind of application, a change, a part on time
    ("依据《条例》第二十条规定，收到政府信息公开申请约20件。", 2021, []),
    ("收到政府信息公开申请20余件。", 2021, []),
    ("收到政府信息公开申请3-5件。", 2021, []),
    ("办理各类事项4055余件，群众来电420件。", 2021, []),
    ("答复民众咨询、投诉共31件。", 2021, []),
    ("政务服务中心受理申请5000件，依申请公开2件。", 2021, []),
    ("全年办理行政复议案件30件。", 2021, []),
    ("按时办结政府信息公开申请5件。", 2021, []),
    ("败诉0例。", 2021, []),
    ("未收到信息公开方面的投诉。", 2021, []),
    ("全年政府信息公开申请数量较上年增长20%。", 2021, []),
]


@pytest.mark.parametrize(("text", "year", "want"), PHRASES, ids=[p[0][:16] for p in PHRASES])
def test_phrasings(text, year, want):
    assert _got(read_claims(text, year)) == want


def test_chinese_numerals():
    assert [cn_int(s) for s in ("零", "五", "两", "十", "十二", "二十", "一百零五", "两千", "三千零一")] == \
        [0, 5, 2, 10, 12, 20, 105, 2000, 3001]
    assert cn_int("一二") is None and cn_int("二〇二一") is None and cn_int("十十") is None


def test_decimal_claims_stay_exact():
    (c,) = read_claims("全年收取政府信息公开信息处理费12.5元。", 2021)
    assert c.value == Decimal("12.5")


def test_prose_text_keeps_table_values_apart_and_maps_offsets():
    text = "申请 17 件\n95 0 0\n\n- 2 -\n下一段"
    norm, where = prose_text(text)
    assert norm == "申请17件95 0 0\n下一段"
    assert all(text[where[i]] == norm[i] for i in range(len(norm)) if norm[i] not in " \n")


def test_every_measure_with_cells_names_cells_of_both_formats():
    for m in MEASURES.values():
        assert m.cells("2019") == m.cells("2021")  # these rows are printed the same in both forms
        assert bool(m.rows) == bool(m.cells("2021")), m.code


def test_claims_round_trip_through_the_json_record():
    rec = extract(samples.text_path("004"))
    again = Record.from_dict(__import__("json").loads(rec.to_json()))
    assert _got(again.claims) == _got(rec.claims) and again.claims[0].sentence == rec.claims[0].sentence


@pytest.mark.parametrize("fmt", ["pdf", "html", "docx", "txt"])
def test_every_medium_gives_the_claim_and_pdf_its_page(fmt):
    spec, _src = corpus.seed_specs()["004"]
    rec = extract(render(spec, fmt), name=f"seed_004.{fmt}")
    assert rec.error is None
    # the renderers' 一、总体情况 says "全年共收到政府信息公开申请5件" (gongkai/demo/fixtures/layout.py)
    got = [(c.measure, c.value, c.period, c.page) for c in rec.claims if c.measure == RECEIVED]
    assert got == [(RECEIVED, 5, REPORT_YEAR, 1 if fmt == "pdf" else None)]
