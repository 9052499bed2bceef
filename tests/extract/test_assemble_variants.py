"""The assembler on the real-world variants of format.md, built as small text/grid documents here:
2021 vs 2019 tables, the single （六） row kept in 2021, extra local rows, typos, tables split by page
numbers, a missing section, run-together values, a transposed section 四, grids with blank columns."""

from __future__ import annotations

from extractors import vocab
from extractors.api import extract
from extractors.assemble import assemble
from extractors.grid import RawCell, RawDocument, RawTable
from extractors.model import Source

APP21 = [r for r in vocab.BLOCKS["2021"] if r.table == "applications"][0].rows
GROUP_PAREN = {"（三）不予公开": "（三）不予公开", "（四）无法提供": "（四）无法提供", "（五）不予处理": "（五）不予处理",
               "（六）其他处理": "（六）其他处理"}


def app_value(i: int, j: int) -> int:
    return i * 10 + j  # distinct per cell: a shifted value cannot go unnoticed


def app_lines(rows, *, typo=False, page_break_after=None, extra_row_after=None) -> list[str]:
    out = ["三、收到和处理政府信息公开申请情况",
           "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t\t申请人情况",
           "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计",
           "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t"]
    prev_group = None
    for i, r in enumerate(rows):
        label = r.label
        if typo and r.code == "withheld_prohibited_by_law":
            label = "2.其他法律行政止公开"
        if r.group in GROUP_PAREN:
            cells = ["三、本年度办理结果" if i == 2 else "", r.group if r.group != prev_group else "", label]
        elif r.group:
            cells = ["三、本年度办理结果" if i == 2 else "", label, ""]
        else:
            cells = [label, "", ""]
        prev_group = r.group
        out.append("\t".join(cells + [str(app_value(i, j)) for j in range(7)]))
        if page_break_after == r.code:
            out += ["", "- 4 -", "", out[2], out[3]]
        if extra_row_after == r.code:
            out.append("\t".join(["其中：网上申请", "", ""] + ["1"] * 7))
    return out


def report(fv="2021", year=2023, *, other_single=False, review=True, **kw) -> bytes:
    lines = [f"某某区人民政府{year}年政府信息公开工作年度报告", "一、总体情况", "本年度……", "二、主动公开政府信息情况"]
    for b in vocab.BLOCKS[fv]:
        if b.table != "proactive":
            continue
        lines.append(b.label)
        lines.append("\t".join(["信息内容"] + [c.label for c in b.columns]))
        for k, r in enumerate(b.rows):
            lines.append("\t".join([r.label] + [str(k + 1)] * len(b.columns)))
    rows = list(APP21 if fv == "2021" else [r for r in vocab.BLOCKS["2019"] if r.table == "applications"][0].rows)
    if fv == "2021":
        rows = [r for r in rows if (r.code == "other_handling") == other_single or r.code not in
                ("other_handling", *vocab.OTHER_SUBROWS)]
    lines += app_lines(rows, **kw)
    if review:
        lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议\t\t\t\t\t行政诉讼",
                  "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉",
                  "\t\t\t\t\t" + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2),
                  "\t".join(str(n) for n in range(1, 16))]
    lines += ["五、存在的主要问题及改进情况", "无。", "某某区人民政府", f"{year + 1}年1月15日"]
    return "\n".join(lines).encode()


def _app_ok(rec, rows):
    cm = rec.cell_map()
    for i, r in enumerate(rows):
        for j, c in enumerate(vocab.APPLICANT_COLUMNS):
            cell = cm[("applications", r.code, c.code)]
            assert cell.value == app_value(i, j) and cell.status == "ok", (r.code, c.code, cell)


def test_2021_three_other_rows():
    rec = extract(report())
    assert rec.error is None and rec.report.format_version == "2021" and rec.report.published_on == "2024-01-15"
    rows = [r for r in APP21 if r.code != "other_handling"]
    _app_ok(rec, rows)
    cm = rec.cell_map()
    assert cm[("applications", "other_handling", "total")].status == "missing"
    assert cm[("proactive", "normative_documents", "in_force")].value == 2
    assert [cm[("review_litigation", "litigation_after_review", c.code)].value for c in vocab.RESULT_COLUMNS] == \
        [11, 12, 13, 14, 15]
    assert not [i for i in rec.issues if i.code != "metadata_missing"], rec.issues


def test_2021_keeping_the_single_other_row():
    rec = extract(report(other_single=True))
    assert rec.report.format_version == "2021"
    rows = [r for r in APP21 if r.code not in vocab.OTHER_SUBROWS]
    _app_ok(rec, rows)
    cm = rec.cell_map()
    assert all(cm[("applications", r, "total")].status == "missing" for r in vocab.OTHER_SUBROWS)
    assert not [i for i in rec.issues if i.code == "row_not_found"]


def test_format_detected_from_tables_not_year():
    rec = extract(report(fv="2019", year=2021))
    assert rec.report.format_version == "2019" and rec.report.year == 2021
    assert any(i.code == "format_version_mismatch" for i in rec.issues)
    cm = rec.cell_map()
    assert cm[("proactive", "centralized_procurement", "procurement_amount")].value == 1
    rec = extract(report(fv="2021", year=2020))
    assert rec.report.format_version == "2021"
    assert any(i.code == "format_version_mismatch" for i in rec.issues)


def test_typo_extra_row_and_page_break():
    rec = extract(report(typo=True, page_break_after="unavailable_not_held", extra_row_after="new_received"))
    rows = [r for r in APP21 if r.code != "other_handling"]
    _app_ok(rec, rows)
    assert [i.code for i in rec.issues if i.code == "unknown_row"] == ["unknown_row"]


def test_missing_section_four():
    rec = extract(report(review=False))
    cm = rec.cell_map()
    assert all(c.status == "missing" for c in rec.cells if c.table == "review_litigation")
    assert any(i.code == "table_not_found" and i.table == "review_litigation" for i in rec.issues)
    assert cm[("applications", "granted", "total")].status == "ok"


def test_run_together_in_text():
    """In this made-up report no column balances: the only split of "0123456" by the digit count
    breaks R1 (not seen broken elsewhere, as every R1 needs this row), so it is not taken — unreadable.
    Recoveries are tested on balanced reports (test_solver.py)."""
    data = report().decode().replace("\t".join(str(app_value(0, j)) for j in range(7)), "0123456")
    rec = extract(data.encode())
    cm = rec.cell_map()
    assert all(cm[("applications", "new_received", c.code)].status == "unreadable" for c in vocab.APPLICANT_COLUMNS)
    assert any(i.code == "run_together_values" and i.row == "new_received" and "no split" in i.message
               for i in rec.issues)


def test_markers_blanks_and_changes_in_text():
    data = report("2019", 2020).decode().replace("行政许可\t1\t1\t1", "行政许可\t无\t减4\t/")
    cm = extract(data.encode()).cell_map()
    assert cm[("proactive", "administrative_licensing", "items_last_year")].status == "marker"
    assert cm[("proactive", "administrative_licensing", "items_change")].value == -4
    assert cm[("proactive", "administrative_licensing", "decisions")].status == "marker"


def _grid(rows, page=1, source="pdf:lines"):
    return RawTable([[None if c is None else RawCell(c, page) for c in r] for r in rows], page, source)


def test_grid_blank_column_transposed_review_and_no_block_markers():
    head = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", None, None, "申请人情况"] + [None] * 6
    h2 = [None, None, None, "自然人", "法人或其他组织", None, None, None, None, "总计"]
    h3 = [None, None, None, None, "商业\n企业", "科研\n机构", "社会\n公益\n组织", "法律\n服务\n机构", "其他", None]
    rows = [head, h2, h3, ["一、本年新收政府信息公开申请数量", None, None, "3", "", "", "", "", "", ""],
            ["二、上年结转政府信息公开申请数量", None, None, "0", "0", "0", "0", "0", "0", ""]]
    review = [["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
              ["行政复议", "1", "0", "0", "0", "1"],
              ["行政诉讼 未经复议直接起诉", "0", "1", "0", "0", "1"],
              ["行政诉讼 复议后起诉", "0", "0", "0", "2", "2"]]
    proactive = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "0", "0", "1"],
                 ["行政规范性文件", "2", "0", "5"], ["信息内容", "本年处理决定数量"], ["行政许可", "77"],
                 ["行政处罚", "8"], ["行政强制", "0"], ["信息内容", "本年收费金额（单位：万元）"], ["行政事业性收费", "0.5"]]
    raw = RawDocument("application/pdf", "某某局2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n",
                      [_grid([["二、主动公开政府信息情况"]] + proactive, 2), _grid(rows, 3),
                       _grid([["四、政府信息公开行政复议、行政诉讼情况"]] + review, 4)], 5)
    rec = assemble(raw, Source("x.pdf", ""))
    assert rec.error is None and rec.report.format_version == "2021"
    cm = rec.cell_map()
    assert cm[("applications", "new_received", "natural_person")].value == 3
    assert cm[("applications", "new_received", "natural_person")].page == 3
    assert [cm[("applications", "new_received", c)].status for c in ("commercial_enterprise", "total")] == ["blank"] * 2
    assert cm[("applications", "carried_over", "total")].status == "blank"
    assert cm[("proactive", "normative_documents", "in_force")].value == 5
    assert cm[("proactive", "administrative_licensing", "decisions")].value == 77
    assert cm[("proactive", "administrative_penalty", "decisions")].value == 8
    assert str(cm[("proactive", "administrative_fees", "fee_amount")].value) == "0.5"
    assert [cm[("review_litigation", "litigation_after_review", c.code)].value for c in vocab.RESULT_COLUMNS] == \
        [0, 0, 0, 2, 2]
    assert cm[("review_litigation", "administrative_review", "upheld")].value == 1
    assert cm[("applications", "granted", "total")].status == "missing"


def test_not_a_report_and_no_tables():
    rec = assemble(RawDocument("text/html", "购物清单\n苹果 3", [_grid([["苹果", "3"]], None, "html")]), Source("a", ""))
    assert rec.error.code == "not_a_report" and rec.cells == []
    rec = assemble(RawDocument("text/html", "某县2023年政府信息公开工作年度报告", []), Source("a", ""))
    assert rec.error.code == "no_tables" and rec.report.year == 2023


def test_review_printed_as_three_unlabelled_rows_of_five():
    review = [["行政复议", None, None, None, None], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
              ["1", "0", "0", "0", "1"], ["0", "2", "0", "0", "2"], ["0", "0", "3", "0", "3"]]
    raw = RawDocument("application/pdf", "某某局2022年政府信息公开工作年度报告",
                      [_grid([["四、政府信息公开行政复议、行政诉讼情况"]] + review, 4)], 5)
    cm = assemble(raw, Source("x.pdf", "")).cell_map()
    assert cm[("review_litigation", "administrative_review", "upheld")].value == 1
    assert cm[("review_litigation", "litigation_direct", "corrected")].value == 2
    assert cm[("review_litigation", "litigation_after_review", "other_result")].value == 3


def test_review_columns_follow_the_printed_header_order():
    """A header that prints 总计 first: values are mapped by the header's labels, not by position."""
    heads = ["总计", "结果维持", "结果纠正", "其他结果", "尚未审结"]
    review = [["行政复议"] + [None] * 4 + ["行政诉讼"] + [None] * 9,
              heads + ["未经复议直接起诉"] + [None] * 4 + ["复议后起诉"] + [None] * 4,
              [None] * 5 + heads * 2,
              ["3", "1", "1", "1", "0", "2", "2", "0", "0", "0", "4", "0", "0", "1", "3"]]
    raw = RawDocument("application/pdf", "某某局2022年政府信息公开工作年度报告",
                      [_grid([["四、政府信息公开行政复议、行政诉讼情况"]] + review, 4)], 5)
    cm = assemble(raw, Source("x.pdf", "")).cell_map()
    got = {r: [cm[("review_litigation", r, c.code)].value for c in vocab.RESULT_COLUMNS]
           for r in ("administrative_review", "litigation_direct", "litigation_after_review")}
    assert got == {"administrative_review": [1, 1, 1, 0, 3], "litigation_direct": [2, 0, 0, 0, 2],
                   "litigation_after_review": [0, 0, 1, 3, 4]}


def test_numbering_only_labels_resolve_within_the_current_group():
    """Sub-rows printed as "1." "2." only: the same number means another row in each group."""
    head = [None, None, "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    rows = [["三、收到和处理政府信息公开申请情况"] + [None] * 8, head]
    expect = {}
    groups = [("（三）不予公开", 8, "withheld_"), ("（四）无法提供", 3, "unavailable_"), ("（五）不予处理", 5, "not_processed_")]
    for g, n, prefix in groups:
        codes = [r.code for r in APP21 if r.code.startswith(prefix)]
        for k in range(n):
            v = str(len(expect) + 1)
            rows.append([g if k == 0 else None, f"{k + 1}."] + [v] * 7)
            expect[codes[k]] = int(v)
    raw = RawDocument("application/pdf", "某某局2022年政府信息公开工作年度报告", [_grid(rows, 3)], 5)
    rec = assemble(raw, Source("x.pdf", ""))
    cm = rec.cell_map()
    for code, v in expect.items():
        assert cm[("applications", code, "total")].value == v, code
    assert not [i for i in rec.issues if i.code == "unknown_row"]


def test_duplicate_rows_keep_the_first_and_say_so():
    rows = [["第二十条第（一）项", None, None, None], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "1", "0", "1"], ["规章", "1", "0", "1"], ["行政规范性文件", "2", "0", "2"], ["行政规范性文件", "3", "0", "2"]]
    rec = assemble(RawDocument("text/html", "某局2022年政府信息公开工作年度报告", [_grid(rows, None, "html")]), Source("a", ""))
    cm = rec.cell_map()
    assert cm[("proactive", "normative_documents", "issued_this_year")].value == 2
    dups = [i for i in rec.issues if i.code == "duplicate_row"]
    assert [(i.row, i.column) for i in dups] == [("normative_documents", "issued_this_year")]


def test_render_shows_statuses_distinctly():
    from extractors.render import render_record

    data = report().decode().replace("\t".join(str(app_value(0, j)) for j in range(7)), "—\t/\t无\t1\t2\t3\t4")
    text = render_record(extract(data.encode(), name="r.txt"))
    assert "某某区人民政府" in text and "format 2021" in text
    line = next(x for x in text.splitlines() if x.strip().startswith("一、本年新收"))
    assert line.split()[1:] == ["—", "—", "—", "1", "2", "3", "4"]
    other = next(x for x in text.splitlines() if x.strip().startswith("（六）其他处理"))
    assert set(other.split()[1:]) == {"∅"}


def test_proactive_tables_without_titles_or_markers_keep_their_headers():
    """Each 第二十条 table printed with only its header row (titles outside the ruled grid): blocks
    come from the row labels, and each header gives its own block's positions (blank ≠ missing)."""
    t1 = [["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "", "1", "2"],
          ["规范性文件", "3", "", "5"]]
    t5 = [["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "7", "-2", ""],
          ["其他对外管理服务事项", "1", "0", "1"]]
    t6 = [["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], ["行政处罚", "4", "减1", "3"],
          ["行政强制", "", "", ""]]
    t8 = [["信息内容", "上一年项目数量", "本年增/减", ""], ["行政事业性收费", "2", "0", ""]]
    t9 = [["信息内容", "采购项目数量", "采购总金额", ""], ["政府集中采购", "3", "251000元", ""]]
    raw = RawDocument("application/pdf", "某某镇人民政府2020年政府信息公开工作年度报告",
                      [_grid(t, 2) for t in (t1, t5, t6, t8, t9)], 5)
    rec = assemble(raw, Source("x.pdf", ""))
    assert rec.report.format_version == "2019"
    cm = rec.cell_map()

    def vals(row, cols):
        return [(cm[("proactive", row, c)].value, cm[("proactive", row, c)].status) for c in cols]

    c1 = ("made_this_year", "published_this_year", "total_published")
    c5 = ("items_last_year", "items_change", "decisions")
    assert vals("regulations", c1) == [(None, "blank"), (1, "ok"), (2, "ok")]
    assert vals("normative_documents", c1) == [(3, "ok"), (None, "blank"), (5, "ok")]
    assert vals("administrative_licensing", c5) == [(7, "ok"), (-2, "ok"), (None, "blank")]
    assert vals("administrative_penalty", c5) == [(4, "ok"), (-1, "ok"), (3, "ok")]
    assert vals("administrative_coercion", c5) == [(None, "blank")] * 3
    assert vals("administrative_fees", ("items_last_year", "items_change")) == [(2, "ok"), (0, "ok")]
    assert str(cm[("proactive", "centralized_procurement", "procurement_amount")].value) == "25.1"


def test_render_marks_recovered_cells():
    """The printed-form view shows a value split from run-together digits with a star."""
    from test_roundtrip import build_spec

    from extractors.render import render_record
    from gongkai.demo.fixtures.render import render as render_doc

    spec = build_spec(5, "2021", False, ())
    rec = extract(render_doc(spec, "flat", style="runtogether"), name="r.txt")
    text = render_record(rec)
    line = next(x for x in text.splitlines() if x.strip().startswith("一、本年新收"))
    want = [f"{spec.cells[('applications', 'new_received', c.code)].value}*" for c in vocab.APPLICANT_COLUMNS]
    assert line.split()[1:] == want
    assert "* split from run-together values" in text and "recovered_by_identities" in text


def test_format_version_from_a_fragment_of_a_table():
    """Only one row of section 二 under its header (no block title), or only the three （六） rows: the
    tables' own columns and rows still say 2021 against the year's 2019."""
    head = "某某镇人民政府2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
    rec = extract((head + "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t0\t1\n").encode())
    assert rec.report.format_version == "2021"
    assert rec.cell_map()[("proactive", "regulations", "in_force")].value == 1
    frag = head + "三、收到和处理政府信息公开申请情况\n" + "\n".join(
        "\t".join([r.label] + ["0"] * 7) for r in APP21 if r.code in vocab.OTHER_SUBROWS) + "\n"
    rec = extract(frag.encode())
    assert rec.report.format_version == "2021"
    assert any(i.code == "format_version_mismatch" for i in rec.issues)
    assert rec.cell_map()[("applications", "other_misc", "total")].value == 0
