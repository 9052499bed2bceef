"""The text reader on the layouts reports are found in: each seed re-laid out with pipes (markdown),
with space-aligned columns, with CRLF line ends, GB18030 and UTF-16 bytes, reads to its golden file."""

from __future__ import annotations

import pytest

from extractors.api import extract
from extractors.text import text_to_rows
from tests.support.golden import SEED_IDS, diff_record, load_golden


def _seed_text(seeds_dir, sid):
    return sorted(seeds_dir.glob(f"{sid}_*.txt"))[0].read_text(encoding="utf-8")


def _pipes(text):
    out = []
    for line in text.splitlines():
        if "\t" in line:
            cells = line.split("\t")
            out.append("| " + " | ".join(cells) + " |")
            if len(out) == 1 or not out[-2].startswith("|"):
                out.append("|" + "---|" * len(cells))
        else:
            out.append(line)
    return "\n".join(out)


def _spaces(text):
    return "\n".join("    ".join(c for c in line.split("\t")) if "\t" in line else line for line in text.splitlines())


@pytest.mark.parametrize("layout", ["pipes", "spaces", "crlf", "gb18030", "utf-16"])
@pytest.mark.parametrize("sid", SEED_IDS)
def test_seed_layouts(seeds_dir, sid, layout):
    text = _seed_text(seeds_dir, sid)
    if layout == "pipes":
        data = _pipes(text).encode()
    elif layout == "spaces":
        data = _spaces(text).encode()
    elif layout == "crlf":
        data = text.replace("\n", "\r\n").encode()
    else:
        data = text.encode(layout)
    rec = extract(data, name=f"{sid}.{layout}.txt")
    assert diff_record(rec, load_golden(sid)) == []


def test_one_cell_per_line_rows():
    """One cell per line: the values of a row join into one row; its label stays on its own line
    (the assembler pairs them, as it pairs labels printed above or below their numbers)."""
    rows = text_to_rows("规章\n0\n0\n0\n规范性文件\n1\n2\n3\n")
    assert rows == [["规章"], ["0", "0", "0"], ["规范性文件"], ["1", "2", "3"]]
    rec = extract("某镇2020年政府信息公开工作年度报告\n第二十条第（一）项\n信息内容\n规章\n0\n0\n0\n规范性文件\n1\n2\n3\n".encode())
    cm = rec.cell_map()
    assert [cm[("proactive", "normative_documents", c)].value
            for c in ("made_this_year", "published_this_year", "total_published")] == [1, 2, 3]


def test_prose_is_not_glued_to_a_table_row():
    prose = "本年度我单位认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开工作，取得了较好成效。"
    rows = text_to_rows(f"{prose}\n第二十条第（一）项\n信息内容\n规章\n0\n0\n0\n")
    assert rows == [[prose], ["第二十条第（一）项"], ["信息内容"], ["规章"], ["0", "0", "0"]]


def _single_spaced(text):
    return "\n".join(" ".join(c for c in line.split("\t") if c.strip()) if "\t" in line else line
                     for line in text.splitlines())


@pytest.mark.parametrize("sid", ["000", "002", "004"])
def test_text_copied_from_a_pdf_single_spaces(seeds_dir, sid):
    """ "规章 0 0 0": a label then values separated by single spaces (pdfplumber's page text)."""
    rec = extract(_single_spaced(_seed_text(seeds_dir, sid)).encode())
    assert diff_record(rec, load_golden(sid)) == []


def test_cells_run_together_are_recovered_or_unreadable_never_wrong(seeds_dir):
    """Page text where the cells ran together ("规章000", "…申请数量5000005"): a row whose split is
    unique under the digit count and the identities is recovered with the printed values, any other
    is unreadable with run_together_values — never a wrong number."""
    text = "\n".join("".join(c for c in line.split("\t")) if "\t" in line else line
                     for line in _seed_text(seeds_dir, "004").splitlines())
    rec = extract(text.encode())
    assert rec.error is None
    gold = {(c["table"], c["row"], c["column"]): c for c in load_golden("004")["cells"]}
    statuses = {}
    for c in rec.cells:
        statuses[c.status] = statuses.get(c.status, 0) + 1
        if c.value is not None:
            assert c.status == "recovered" and c.value == gold[c.key()]["value"], c
    assert statuses.get("recovered", 0) >= 150, statuses
    cm = rec.cell_map()
    assert cm[("applications", "new_received", "natural_person")].value == 5
    assert cm[("applications", "new_received", "total")].value == 5
    issues = [i for i in rec.issues if i.code == "recovered_by_identities"]
    assert len(issues) >= 20 and all(i.row for i in issues)
    assert not [i for i in rec.issues if i.code == "unknown_row"]


def test_marker_lines_are_values_not_rules():
    assert text_to_rows("行政许可\n—\n减4\n增4\n------\n|---|---|\n规章\t—\t-\t/\n——————\n") == \
        [["行政许可"], ["—", "减4", "增4"], ["规章", "—", "-", "/"]]
    rec = extract("某镇2020年政府信息公开工作年度报告\n第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
                  "行政许可\t—\t-\t/\n其他对外管理服务事项\n3\n减4\n—\n".encode())
    cm = rec.cell_map()
    assert [cm[("proactive", "administrative_licensing", c)].status
            for c in ("items_last_year", "items_change", "decisions")] == ["marker"] * 3
    assert [cm[("proactive", "other_external_services", c)].value
            for c in ("items_last_year", "items_change", "decisions")] == [3, -4, None]
