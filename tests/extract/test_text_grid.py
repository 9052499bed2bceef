"""The text reader's grid (extractors.textrows): explicit blanks in delimited rows, per-cell ambiguity
in aligned text, digits glued to labels, HTML tables inside Markdown, page footers and form feeds."""

from __future__ import annotations

import pytest

from extractors import vocab
from extractors.api import extract
from extractors.grid import FIELDS, FLOW, X
from extractors.text import read_text
from extractors.textrows import split_glued

HEAD = "某某镇人民政府2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"


@pytest.mark.parametrize("text, parts", [
    ("规章000", ["规章", "000"]),
    ("00000002.其他法律行政法规禁止公开0000000", ["0000000", "2.其他法律行政法规禁止公开", "0000000"]),
    ("采购总金额（单位：万元，保留4位小数）", ["采购总金额（单位：万元，保留4位小数）"]),
    ("政府集中采购452977.8555万元", ["政府集中采购", "452977.8555万元"]),
    ("权益/0237", ["权益", "/", "0237"]),
    ("行政许可5-15", ["行政许可", "5", "-15"]),
    ("1.", ["1."]),
])
def test_digits_glued_to_labels(text, parts):
    assert split_glued(text) == parts


def _row(sep: str, *cells: str) -> str:
    return f"| {' | '.join(cells)} |" if sep == "|" else "\t".join(cells)


def test_pipe_and_tab_rows_keep_blank_cells():
    for sep in ("|", "\t"):
        def row(*c, sep=sep):
            return _row(sep, *c)

        text = HEAD + "\n".join(["第二十条第（一）项", row("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
                                 row("规章", "3", "", "0"), row("规范性文件", "", "", "")]) + "\n"
        raw = read_text(text)
        assert {t.mode for t in raw.tables if "规章" in str(t.rows)} == {FIELDS}
        cm = extract(text.encode()).cell_map()
        got = [(cm[("proactive", r, c)].value, cm[("proactive", r, c)].status)
               for r in ("regulations", "normative_documents")
               for c in ("made_this_year", "published_this_year", "total_published")]
        assert got == [(3, "ok"), (None, "blank"), (0, "ok")] + [(None, "blank")] * 3, sep


def test_aligned_text_decides_blanks_cell_by_cell():
    """Columns learned from the rows that print all values; a value halfway between two free columns
    leaves both cells unreadable (each with an issue), the others are read."""
    lines = ["第二十条第（五）项",
             "信息内容            上一年项目数量    本年增/减    处理决定数量",
             "行政许可                  12              3              40",
             "其他对外管理服务事项      7               0              5",
             "第二十条第（六）项",
             "信息内容            上一年项目数量    本年增/减    处理决定数量",
             "行政处罚                  12              3              40",
             "行政强制                  4                              9",
             "第二十条第（八）项",
             "信息内容            上一年项目数量    本年增/减",
             "行政事业性收费            1               2"]
    text = HEAD + "\n".join(lines) + "\n"
    assert {t.mode for t in read_text(text).tables if "行政强制" in str(t.rows)} == {X}
    rec = extract(text.encode())
    cm = rec.cell_map()
    assert [cm[("proactive", "administrative_coercion", c)].status for c in ("items_last_year", "items_change", "decisions")] \
        == ["ok", "blank", "ok"]
    shifted = text.replace("行政强制                  4                              9",
                           "行政强制                  4" + " " * 22 + "9")  # 9 halfway between two columns
    rec = extract(shifted.encode())
    cm = rec.cell_map()
    assert cm[("proactive", "administrative_coercion", "items_last_year")].value == 4
    assert [cm[("proactive", "administrative_coercion", c)].status for c in ("items_change", "decisions")] \
        == ["unreadable", "unreadable"]
    amb = [i for i in rec.issues if i.code == "ambiguous_column"]
    assert {i.column for i in amb} == {"items_change", "decisions"}


def test_text_that_is_not_aligned_never_places_blanks():
    """Rows whose numbers do not stand in columns: a short row is unreadable, not shifted."""
    text = HEAD + "第二十条第（五）项\n信息内容  上一年项目数量  本年增/减  处理决定数量\n" \
        "行政许可  12  3  40\n其他对外管理服务事项  7  5\n"
    cm = extract(text.encode()).cell_map()
    assert [cm[("proactive", "other_external_services", c)].status
            for c in ("items_last_year", "items_change", "decisions")] == ["unreadable"] * 3


def test_html_table_inside_markdown_and_bold_br_cells():
    md = HEAD + "## 第二十条第（一）项\n\n<table><tr><td>信息内容</td><td>本年新<br>制作数量</td><td>本年新公开数量</td>" \
        "<td>对外公开总数量</td></tr><tr><td>**规章**</td><td>1</td><td></td><td>3</td></tr></table>\n"
    raw = read_text(md)
    assert any(t.source == "text:html" for t in raw.tables)
    cm = extract(md.encode()).cell_map()
    assert [cm[("proactive", "regulations", c)].status for c in ("made_this_year", "published_this_year")] == \
        ["ok", "blank"]


def test_page_footers_are_dropped_and_form_feeds_count_pages():
    text = HEAD + "第二十条第（一）项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 1 2 3\n-3-\n\f" \
        "第 4 页\n规范性文件 4 5 6\n"
    raw = read_text(text)
    rows = [[c.text for c in r] for t in raw.tables for r in t.rows]
    assert ["-3-"] not in rows and ["第 4 页"] not in rows
    assert {t.mode for t in raw.tables} == {FLOW}
    rec = extract(text.encode())
    cell = rec.cell_map()[("proactive", "normative_documents", "total_published")]
    assert (cell.value, cell.page) == (6, 2)


def test_label_above_and_below_its_numbers_is_paired_in_print_order():
    """pdfplumber text of a vertically centred label: the numbers come between the label's lines, or
    before the label — pairing follows the order of both, never proximity alone."""
    lines = ["三、收到和处理政府信息公开申请情况", "申请人情况", "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计",
             "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1", "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
             "三、本年度办理结果 （一）予以公开 1 0 0 0 0 0 1",
             "（二）部分公开（区分处理的，只计这一情 形，不", "2 0 0 0 0 0 2", "计其他情形）", "3 0 0 0 0 0 3",
             "（三）不予公开 1.属于国家秘密", "2.其他法律行政法规禁止公开 4 0 0 0 0 0 4"]
    rec = extract((HEAD + "\n".join(lines) + "\n").encode())
    cm = rec.cell_map()
    assert cm[("applications", "partially_granted", "total")].value == 2
    assert cm[("applications", "withheld_state_secret", "total")].value == 3
    assert cm[("applications", "withheld_prohibited_by_law", "total")].value == 4


def test_markdown_with_html_tables_is_read_as_markdown():
    """A converter's Markdown mixing pipe tables and HTML <table>s sniffs as HTML; both kinds of
    table are read (as text, the HTML tables inside it too)."""
    from gongkai.demo.fixtures.classes import BY_NAME, edited_spec, judge
    from gongkai.demo.fixtures.render import render

    spec = edited_spec(3, "2019", False, ((4, ""), (900, "")))
    pipes = render(spec, "md", merged="repeat").decode()
    html = render(spec, "md", html=True).decode()
    mixed = pipes[:pipes.index("## 三、收到")] + html[html.index("## 三、收到"):]
    rec = extract(mixed.encode())
    assert rec.source.media_type == "text/markdown"
    v = judge(spec, rec, BY_NAME["md-html"])
    assert v.ok and v.flagged == 0


def test_numbers_set_apart_are_a_short_row_not_run_together():
    """Single-spaced numbers, one fewer than the columns: a blank left no trace, so the row is short —
    never split as if two numbers had run together ("-6 102" is not "-" 6 102)."""
    text = HEAD + "第二十条第（五）项\n信息内容 上一年项目数量 本年增/减 处理决定数量\n行政许可 -6 102\n"
    rec = extract(text.encode())
    cells = [rec.cell_map()[("proactive", "administrative_licensing", c)]
             for c in ("items_last_year", "items_change", "decisions")]
    assert [c.status for c in cells] == ["unreadable"] * 3
    assert any(i.code == "row_width_mismatch" for i in rec.issues)


def test_a_space_inside_glued_numbers_is_an_empty_cell():
    """textContent of a Word page: cells glued, an empty cell's &nbsp; a space — and two empty cells
    side by side one run of spaces. "000 00" can only be 0 0 0 · · 0 0 (five zeros fill five cells, no
    "00"); "1000 01" is 1 0 0 0 · 0 1 or 10 0 0 · · 0 1 …, and "6400 212" reads in several ways once a
    cell may be blank (R3 cannot be checked with a blank in the row): unreadable, never a guess."""
    def row(printed):
        text = "某某镇人民政府2020年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" \
            f"一、本年新收政府信息公开申请数量{printed}\n"
        cm = extract(text.encode()).cell_map()
        return [(cm[("applications", "new_received", c.code)].value, cm[("applications", "new_received", c.code)].status)
                for c in vocab.APPLICANT_COLUMNS]

    assert row("000\u00a000") == [(0, "recovered"), (0, "recovered"), (0, "recovered"), (None, "blank"),
                                   (None, "blank"), (0, "recovered"), (0, "recovered")]
    assert {s for _, s in row("1000\u00a001")} == {"unreadable"}
    assert {s for _, s in row("6400\u00a0212")} == {"unreadable"}
