"""HTML and DOCX readers on small hand-built documents: merged cells, encodings, page chrome,
2021 format, blanks and markers."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from extractors import vocab
from extractors.api import extract
from extractors.html import read_html, table_grid

APP_LABELS_2021 = [  # (group cell, sub cell) as printed in a 2021 table
    ("三、本年度办理结果", "（一）予以公开", None), ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
] + [("三、本年度办理结果", "（三）不予公开", r.label) for r in vocab.BLOCKS["2021"][4].rows[4:12]] \
  + [("三、本年度办理结果", "（四）无法提供", r.label) for r in vocab.BLOCKS["2021"][4].rows[12:15]] \
  + [("三、本年度办理结果", "（五）不予处理", r.label) for r in vocab.BLOCKS["2021"][4].rows[15:20]] \
  + [("三、本年度办理结果", "（六）其他处理", r.label) for r in vocab.BLOCKS["2021"][4].rows[21:24]] \
  + [("三、本年度办理结果", "（七）总计", None)]


def _app_rows_html(values: dict[int, list[str]]) -> str:
    """The applications table of the 2021 form, with rowspan/colspan like a Word export."""
    out = ['<table class="MsoNormalTable" border="1">',
           '<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
           '<td colspan="7">申请人情况</td></tr>',
           '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
           '<tr><td>商业<br>企业</td><td>科研<br>机构</td><td>社会<br>公益<br>组织</td><td>法律<br>服务<br>机构</td><td>其他</td></tr>']

    def vals(i):
        return "".join(f"<td><p><span>{v if v else '&nbsp;'}</span></p></td>" for v in values.get(i, ["0"] * 7))

    out.append(f'<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{vals(0)}</tr>')
    out.append(f'<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>{vals(1)}</tr>')
    i = 2
    prev_group = None
    for _top, group, sub in APP_LABELS_2021:
        cells = ""
        if i == 2:
            cells += f'<td rowspan="{len(APP_LABELS_2021)}">三<br>、<br>本<br>年<br>度<br>办<br>理<br>结<br>果</td>'
        if sub is None:
            cells += f'<td colspan="2">{group}</td>'
        else:
            if group != prev_group:
                n = sum(1 for _, g, s in APP_LABELS_2021 if g == group and s)
                cells += f'<td rowspan="{n}">{group}</td>'
            cells += f"<td>{sub}</td>"
        prev_group = group
        out.append(f"<tr>{cells}{vals(i)}</tr>")
        i += 1
    out.append(f'<tr><td colspan="3">四、结转下年度继续办理</td>{vals(i)}</tr>')
    out.append("</table>")
    return "\n".join(out)


PROACTIVE_2021 = """
<table border="1">
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>—</td><td>2</td></tr>
<tr><td>行政规范性文件</td><td>3</td><td>1</td><td>&nbsp;</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">9487</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政处罚</td><td colspan="3">2,776</td></tr>
<tr><td>行政强制</td><td colspan="3">84</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">251000元</td></tr>
</table>
"""

REVIEW = """
<table border="1">
<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td>
<td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr>""" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2 + """</tr>
<tr>""" + "".join(f"<td>{v}</td>" for v in [1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3]) + """</tr>
</table>
"""

CHROME_TOP = """<div class="nav"><table><tr><td>首页</td><td>2023</td><td>12</td></tr></table></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 年度报告</div><script>var x = "第二十条第（一）项 1 2 3";</script>
<style>td {color: red}</style>"""
CHROME_BOTTOM = """<div id="footer"><table><tr><td>主办单位</td><td>2024</td></tr></table>版权所有</div>"""


def _html(encoding="utf-8", chrome=True, app_values=None):
    body = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">
<title>测试县人民政府2023年政府信息公开工作年度报告</title></head><body>
{CHROME_TOP if chrome else ""}
<h1>测试县人民政府2023年政府信息公开工作年度报告</h1>
<p>一、总体情况</p><p>本年度……</p>
<p>二、主动公开政府信息情况</p>{PROACTIVE_2021}
<p>三、收到和处理政府信息公开申请情况</p>{_app_rows_html(app_values or {})}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{REVIEW}
<p>五、存在的主要问题及改进情况</p><p>无。</p>
<p style="text-align:right">测试县人民政府</p><p>2024年1月20日</p>
{CHROME_BOTTOM if chrome else ""}</body></html>"""
    return body.encode(encoding)


def test_rowspan_colspan_grid():
    import lxml.html

    t = lxml.html.fromstring('<table><tr><td rowspan="2">A</td><td colspan="2">B</td></tr><tr><td>1</td><td>2</td></tr></table>')
    g = table_grid(t)
    assert [[(c.text, c.origin) for c in r] for r in g] == [[("A", True), ("B", True), ("B", False)],
                                                          [("A", False), ("1", True), ("2", True)]]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_html_2021_with_chrome(encoding):
    app = {0: ["17", "1", "", "", "", "", "18"], 2: ["5", "0", "0", "0", "0", "0", "5"],
           20: ["2", "0", "0", "0", "0", "0", "2"], 23: ["—", "/", "无", "0", "0", "0", "0"]}
    rec = extract(_html(encoding, app_values=app), name=f"t.{encoding}.html")
    assert rec.error is None, rec.error
    assert rec.source.media_type == "text/html"
    assert rec.report.format_version == "2021" and rec.report.year == 2023
    assert rec.report.publisher == "测试县人民政府" and rec.report.published_on == "2024-01-20"
    cm = rec.cell_map()
    assert len(rec.cells) == len(vocab.cells("2021"))
    p = ("proactive",)
    assert cm[(*p, "regulations", "repealed_this_year")].status == "marker"
    assert cm[(*p, "normative_documents", "in_force")].status == "blank"
    assert cm[(*p, "normative_documents", "issued_this_year")].value == 3
    assert cm[(*p, "administrative_licensing", "decisions")].value == 9487
    assert cm[(*p, "administrative_penalty", "decisions")].value == 2776
    fee = cm[(*p, "administrative_fees", "fee_amount")]
    assert fee.value == Decimal("25.1") and fee.raw == "251000元"
    a = "applications"
    assert [cm[(a, "new_received", c.code)].value for c in vocab.APPLICANT_COLUMNS] == [17, 1, None, None, None, None, 18]
    assert cm[(a, "new_received", "research_institution")].status == "blank"
    assert cm[(a, "granted", "total")].value == 5
    assert cm[(a, "other_no_correction", "natural_person")].value == 2  # row index 20 = （六）1.
    assert cm[(a, "other_handling", "natural_person")].status == "missing"
    assert [cm[(a, "total_handled", c)].status for c in ("natural_person", "commercial_enterprise",
                                                          "research_institution")] == ["marker"] * 3
    r = "review_litigation"
    assert [cm[(r, "litigation_after_review", c.code)].value for c in vocab.RESULT_COLUMNS] == [2, 0, 1, 0, 3]
    assert cm[(r, "administrative_review", "total")].value == 2
    # the chrome tables (nav with "2023", "12"; footer) are ignored, nothing is unknown
    assert not [i for i in rec.issues if i.code in ("unknown_row", "row_not_found", "row_width_mismatch")]


def test_html_page_chrome_text_does_not_leak():
    raw = read_html(_html())
    assert "var x" not in raw.text and "版权所有" not in raw.text
    assert raw.text.splitlines()[0].endswith("政府信息公开工作年度报告")


def test_html_run_together_cells_are_unreadable():
    html = _html(app_values={0: ["640020470"]}).decode().replace(
        "<td><p><span>640020470</span></p></td>" + "<td><p><span>0</span></p></td>" * 6,
        "<td><p><span>640020470</span></p></td>").encode()
    rec = extract(html)
    cm = rec.cell_map()
    assert all(cm[("applications", "new_received", c.code)].status == "unreadable" for c in vocab.APPLICANT_COLUMNS)
    assert any(i.code == "run_together_values" and i.row == "new_received" for i in rec.issues)
    assert cm[("applications", "carried_over", "total")].value == 0  # other rows unaffected


def test_deeply_nested_html_is_read():
    inner = _html(chrome=False).decode()
    body = inner.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    html = "<html><head><meta charset='utf-8'></head><body>" + "<div>" * 3000 + body + "</div>" * 3000 + "</body></html>"
    rec = extract(html.encode())
    assert rec.error is None and rec.cell_map()[("applications", "granted", "total")].value == 0


# ------------------------------------------------------------------ DOCX

def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某某街道办事处2022年度政府信息公开工作年度报告")
    d.add_paragraph("二、主动公开政府信息情况")
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).merge(t.cell(0, 3)).text = "第二十条第（一）项"
    for j, s in enumerate(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]):
        t.cell(1, j).text = s
    for j, s in enumerate(["规章", "0", "0", "1"]):
        t.cell(2, j).text = s
    for j, s in enumerate(["行政规范性文件", "4", "", "12"]):
        t.cell(3, j).text = s
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    rv = d.add_table(rows=4, cols=15)
    rv.cell(0, 0).merge(rv.cell(0, 4)).text = "行政复议"
    rv.cell(0, 5).merge(rv.cell(0, 14)).text = "行政诉讼"
    for j, s in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]):
        rv.cell(1, j).merge(rv.cell(2, j)).text = s
    rv.cell(1, 5).merge(rv.cell(1, 9)).text = "未经复议直接起诉"
    rv.cell(1, 10).merge(rv.cell(1, 14)).text = "复议后起诉"
    for j in range(10):
        rv.cell(2, 5 + j).text = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"][j % 5]
    for j in range(15):
        rv.cell(3, j).text = str(j % 5)
    d.add_paragraph("某某街道办事处")
    d.add_paragraph("2023年1月31日")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_merged_cells_and_partial_report():
    rec = extract(_docx_bytes(), name="r.docx")
    assert rec.error is None, rec.error
    assert rec.source.media_type == vocab_media_docx()
    assert rec.report.publisher == "某某街道办事处" and rec.report.year == 2022
    assert rec.report.published_on == "2023-01-31" and rec.report.format_version == "2021"
    cm = rec.cell_map()
    assert cm[("proactive", "normative_documents", "issued_this_year")].value == 4
    assert cm[("proactive", "normative_documents", "repealed_this_year")].status == "blank"
    assert cm[("proactive", "regulations", "in_force")].value == 1
    assert [cm[("review_litigation", "litigation_direct", c.code)].value for c in vocab.RESULT_COLUMNS] == [0, 1, 2, 3, 4]
    assert cm[("applications", "granted", "total")].status == "missing"
    codes = {i.code for i in rec.issues}
    assert "table_not_found" in codes and "row_not_found" in codes  # the applications table is absent
    assert cm[("proactive", "administrative_licensing", "decisions")].status == "missing"


def vocab_media_docx():
    from extractors.sniff import DOCX

    return DOCX


def test_html_with_tables_flattened_into_paragraphs(seeds_dir):
    """Some sites print the tables as paragraphs, one cell per line: read like a text report."""
    import html as h

    src = sorted(seeds_dir.glob("003_*.txt"))[0].read_text(encoding="utf-8")
    body = "".join(f"<p>{h.escape(line.strip())}</p>\n" for line in src.splitlines() if line.strip())
    page = f"<html><head><meta charset='gbk'></head><body><div class='nav'>首页</div>{body}</body></html>"
    rec = extract(page.encode("gbk", errors="replace"))
    assert rec.error is None, rec.error
    cm = rec.cell_map()
    assert cm[("proactive", "administrative_penalty", "decisions")].value == 9
    assert cm[("applications", "granted", "natural_person")].value == 5


def test_metadata_variants():
    from extractors.metadata import read_metadata

    md = read_metadata("某某县财政局政府信息公开工作年度报告\n（2023年度）\n正文……\n某某县财政局\n二〇二四年一月二十二日\n- 5 -")
    assert (md.publisher, md.year, md.published_on) == ("某某县财政局", 2023, "2024-01-22")
    md = read_metadata("当前位置：首页 > 年报\n2023年度某某市交通运输局政府信息公开工作年度报告\n发布时间：2024-01-30 09:00")
    assert (md.publisher, md.year, md.published_on) == ("某某市交通运输局", 2023, "2024-01-30")


def test_docx_report_tables_nested_in_a_layout_table():
    import docx

    d = docx.Document()
    d.add_paragraph("某某乡人民政府2021年政府信息公开工作年度报告")
    outer = d.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.paragraphs[0].text = "二、主动公开政府信息情况"
    inner = cell.add_table(rows=3, cols=4)
    inner.cell(0, 0).merge(inner.cell(0, 3)).text = "第二十条第（一）项"
    for j, s in enumerate(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]):
        inner.cell(1, j).text = s
    for j, s in enumerate(["规章", "1", "2", "3"]):
        inner.cell(2, j).text = s
    buf = io.BytesIO()
    d.save(buf)
    rec = extract(buf.getvalue())
    assert rec.error is None, rec.error
    cm = rec.cell_map()
    assert [cm[("proactive", "regulations", c)].value for c in ("issued_this_year", "repealed_this_year",
                                                               "in_force")] == [1, 2, 3]


def test_rotated_header_labels_read_backwards():
    from extractors.assemble import match_column

    assert match_column("人然自", vocab.APPLICANT_COLUMNS) == "natural_person"
    assert match_column("构机研科", vocab.APPLICANT_COLUMNS) == "research_institution"
    assert match_column("法人或其他组织", vocab.APPLICANT_COLUMNS) is None


@pytest.mark.parametrize("declared,actual", [("gb2312", "utf-8"), ("utf-8", "gbk"), ("gbk", "gb18030")])
def test_html_with_a_wrong_charset_declaration(declared, actual):
    page = _html("utf-8").decode("utf-8").replace("charset=utf-8", f"charset={declared}")
    rec = extract(page.encode(actual))
    assert rec.error is None, rec.error
    assert rec.report.publisher == "测试县人民政府"
    assert rec.cell_map()[("proactive", "administrative_licensing", "decisions")].value == 9487


def test_docx_zip_bomb_is_refused(monkeypatch):
    import zipfile

    from extractors import docx as docx_reader

    monkeypatch.setattr(docx_reader, "MAX_UNCOMPRESSED", 1_000_000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * 5_000_000 + b"</w:document>")
    rec = extract(buf.getvalue(), name="bomb.docx")
    assert rec.error.code == "decompression_bomb"
