"""A Record as a readable table laid out like the printed form (for ``gongkai extract`` without --json).

Cells that hold no number are shown distinctly: ``·`` blank, ``—`` marker, ``?`` unreadable,
``∅`` missing (not found in the document); a number split from values printed run together (status
``recovered``) is marked ``*`` ("12*").
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from extractors import vocab
from extractors.model import BLANK, MARKER, MISSING, RECOVERED, UNREADABLE, Cell, Issue, Record

SYMBOLS = {BLANK: "·", MARKER: "—", UNREADABLE: "?", MISSING: "∅"}
RECOVERED_MARK = "*"
LEGEND = "· blank   — marker (无, /, —)   ? unreadable   ∅ missing   * split from run-together values"

_SHORT_GROUP = {vocab._WITHHELD: "（三）", vocab._UNAVAILABLE: "（四）", vocab._NOT_PROCESSED: "（五）",
                vocab._OTHER: "（六）"}
_SHORT_ROW = {
    "new_received": "一、本年新收", "carried_over": "二、上年结转", "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开", "withheld_state_secret": "1.国家秘密",
    "withheld_prohibited_by_law": "2.法律法规禁止", "withheld_security_stability": "3.三安全一稳定",
    "withheld_third_party_rights": "4.第三方权益", "withheld_internal_affairs": "5.内部事务",
    "withheld_process_info": "6.过程性信息", "withheld_enforcement_files": "7.行政执法案卷",
    "withheld_admin_inquiry": "8.行政查询事项", "unavailable_not_held": "1.本机关不掌握",
    "unavailable_needs_creation": "2.需另行制作", "unavailable_unclear": "3.补正后不明确",
    "not_processed_petition": "1.信访举报投诉", "not_processed_duplicate": "2.重复申请",
    "not_processed_publication": "3.公开出版物", "not_processed_excessive": "4.大量反复申请",
    "not_processed_confirmation": "5.确认或重新出具", "other_handling": "（六）其他处理",
    "other_no_correction": "1.逾期不补正", "other_unpaid_fee": "2.逾期未缴费", "other_misc": "3.其他",
    "total_handled": "（七）总计", "carried_forward": "四、结转下年度",
}
_SHORT_COL = {"natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
              "social_welfare_org": "公益组织", "legal_service_org": "法律服务", "other_org": "其他", "total": "总计"}


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def pad(s: str, w: int, right: bool = False) -> str:
    gap = " " * max(0, w - width(s))
    return gap + s if right else s + gap


def show(cell: Cell | None) -> str:
    if cell is None:
        return SYMBOLS[MISSING]
    if cell.value is None:
        return SYMBOLS.get(cell.status, "?")
    v = cell.value
    if isinstance(v, Decimal):
        text = format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
    else:
        text = str(v)
    return text + RECOVERED_MARK if cell.status == RECOVERED else text


def _grid(title: str, cols: list[str], rows: list[tuple[str, list[str]]], label_w: int) -> list[str]:
    colw = [max(width(c), *(width(r[1][i]) for r in rows)) + 2 for i, c in enumerate(cols)]
    out = [pad(title, label_w) + "".join(pad(c, w, right=True) for c, w in zip(cols, colw, strict=True))]
    for label, vals in rows:
        out.append(pad(label, label_w) + "".join(pad(v, w, right=True) for v, w in zip(vals, colw, strict=True)))
    return out


def render_record(rec: Record) -> str:
    lines: list[str] = [f"== {rec.source.path}"]
    r = rec.report
    meta = [r.publisher or "(publisher not found)", f"{r.year} 年度" if r.year else "(year not found)"]
    if r.format_version:
        meta.append(f"format {r.format_version}")
    if r.published_on:
        meta.append(f"published {r.published_on}")
    src = rec.source
    meta.append(" ".join(x for x in (src.media_type or "", f"{src.pages} pages" if src.pages else "") if x))
    lines.append("   ".join(meta))
    if rec.error is not None:
        lines.append(f"ERROR {rec.error.code}: {rec.error.message}")
        return "\n".join(lines) + "\n"
    cm = rec.cell_map()
    fv = r.format_version or "2021"

    lines.append("")
    lines.append(vocab.TABLE_LABELS["proactive"])
    for b in vocab.BLOCKS[fv]:
        if b.table != "proactive":
            continue
        cols = [c.label.replace("（单位：万元）", "(万元)") for c in b.columns]
        rows = [(f"  {row.label}", [show(cm.get(("proactive", row.code, c.code))) for c in b.columns])
                for row in b.rows]
        lines += _grid(f"  {b.label}", cols, rows, 28)

    lines.append("")
    lines.append(vocab.TABLE_LABELS["applications"])
    app = next(b for b in vocab.BLOCKS[fv] if b.table == "applications")
    rows = []
    for row in app.rows:
        prefix = _SHORT_GROUP.get(row.group or "", "")
        label = (prefix + _SHORT_ROW.get(row.code, row.label)) if prefix else _SHORT_ROW.get(row.code, row.label)
        rows.append((f"  {label}", [show(cm.get(("applications", row.code, c.code))) for c in app.columns]))
    lines += _grid("", [_SHORT_COL[c.code] for c in app.columns], rows, 30)

    lines.append("")
    lines.append(vocab.TABLE_LABELS["review_litigation"])
    rv = next(b for b in vocab.BLOCKS[fv] if b.table == "review_litigation")
    names = {"administrative_review": "行政复议", "litigation_direct": "行政诉讼·未经复议直接起诉",
             "litigation_after_review": "行政诉讼·复议后起诉"}
    rows = [(f"  {names[row.code]}", [show(cm.get(("review_litigation", row.code, c.code))) for c in rv.columns])
            for row in rv.rows]
    lines += _grid("", [c.label for c in rv.columns], rows, 30)

    lines.append("")
    lines.append(LEGEND)
    if rec.issues:
        lines.append(f"issues ({len(rec.issues)}):")
        lines += [f"  {line}" for line in issue_lines(rec.issues)]
    else:
        lines.append("issues: none")
    return "\n".join(lines) + "\n"


def issue_lines(issues: list[Issue], most: int = 3) -> list[str]:
    """One line per issue; issues that differ only by their row (the same problem on 21 rows of a table)
    are one line saying how many rows and naming the first `most` of them."""
    groups: dict[tuple, list[Issue]] = {}
    for i in issues:
        groups.setdefault((i.code, i.table, i.column, i.page, i.message), []).append(i)
    out = []
    for (code, table, column, page, message), same in groups.items():
        at = f" p.{page}" if page else ""
        rows = [i.row for i in same]
        if len(same) > 1 and all(rows):
            named = ", ".join(rows[:most]) + (", …" if len(rows) > most else "")
            where = "/".join(x for x in (table, column) if x)
            out.append(f"{code:<24} {where}{at}, {len(rows)} rows ({named}): {message}")
            continue
        for i in same:
            where = "/".join(x for x in (table, i.row, column) if x)
            out.append(f"{code:<24} {where}{at}: {message}")
    return out
