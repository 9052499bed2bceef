"""The canonical cell vocabulary of the 政府信息公开工作年度报告 tables.

This module is the data contract of ``docs/format.md`` in code: every
extracted number is a cell ``(table, row, column)``; the warehouse, the CLI's JSON and BI all use
these codes. Nothing here does I/O.

Two format versions exist:

* ``"2019"`` — 国办公开办函〔2019〕60号, used for the 2019 and 2020 reports;
* ``"2021"`` — 国办公开办函〔2021〕30号, used from the 2021 reports on.

The 2021 vocabulary also carries the 2019 single ``other_handling`` row, because real 2021-format
reports sometimes keep it: then ``other_handling`` holds it and the three ``other_*`` sub-rows are
``missing`` (and vice versa).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

FORMAT_VERSIONS = ("2019", "2021")
TABLES = ("proactive", "applications", "review_litigation")

# Section numbers as printed in the report (二, 三, 四).
TABLE_SECTION = {"proactive": 2, "applications": 3, "review_litigation": 4}
TABLE_LABELS = {
    "proactive": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}

# Value kinds: "count" (non-negative integer), "change" (signed integer), "amount" (decimal, 万元).
COUNT, CHANGE, AMOUNT = "count", "change", "amount"


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    group: str | None = None  # the printed block or parent label (第二十条第（一）项, （三）不予公开 …)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    kind: str = COUNT
    group: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """A group of rows sharing one header of columns (a 第二十条 block, or a whole table)."""

    table: str
    code: str
    label: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class CellDef:
    table: str
    row: str
    column: str
    row_label: str
    column_label: str
    kind: str
    block: str
    order: int


# ---------------------------------------------------------------- section 二 (proactive)

_ART20 = "第二十条第（{}）项"

_P2019 = (
    Block(
        "proactive", "art20_1", _ART20.format("一"),
        (Row("regulations", "规章"), Row("normative_documents", "规范性文件", aliases=("行政规范性文件",))),
        (
            Column("made_this_year", "本年新制作数量", aliases=("本年制作数量", "本年新制作")),
            Column("published_this_year", "本年新公开数量", aliases=("本年新公开", "本年公开数量")),
            Column("total_published", "对外公开总数量", aliases=("对外公开总数", "公开总数量")),
        ),
    ),
    Block(
        "proactive", "art20_5", _ART20.format("五"),
        (
            Row("administrative_licensing", "行政许可"),
            Row("other_external_services", "其他对外管理服务事项", aliases=("其他对外管理服务",)),
        ),
        (
            Column("items_last_year", "上一年项目数量", aliases=("上年项目数量",)),
            Column("items_change", "本年增/减", CHANGE, aliases=("本年增减", "增/减", "增减")),
            Column("decisions", "处理决定数量", aliases=("本年处理决定数量",)),
        ),
    ),
    Block(
        "proactive", "art20_6", _ART20.format("六"),
        (Row("administrative_penalty", "行政处罚"), Row("administrative_coercion", "行政强制")),
        (
            Column("items_last_year", "上一年项目数量", aliases=("上年项目数量",)),
            Column("items_change", "本年增/减", CHANGE, aliases=("本年增减", "增/减", "增减")),
            Column("decisions", "处理决定数量", aliases=("本年处理决定数量",)),
        ),
    ),
    Block(
        "proactive", "art20_8", _ART20.format("八"),
        (Row("administrative_fees", "行政事业性收费"),),
        (
            Column("items_last_year", "上一年项目数量", aliases=("上年项目数量",)),
            Column("items_change", "本年增/减", CHANGE, aliases=("本年增减", "增/减", "增减")),
        ),
    ),
    Block(
        "proactive", "art20_9", _ART20.format("九"),
        (Row("centralized_procurement", "政府集中采购"),),
        (
            Column("procurement_items", "采购项目数量"),
            Column("procurement_amount", "采购总金额", AMOUNT),
        ),
    ),
)

_P2021 = (
    Block(
        "proactive", "art20_1", _ART20.format("一"),
        (Row("regulations", "规章"), Row("normative_documents", "行政规范性文件", aliases=("规范性文件",))),
        (
            Column("issued_this_year", "本年制发件数", aliases=("本年新制发件数", "本年制发")),
            Column("repealed_this_year", "本年废止件数", aliases=("本年废止",)),
            Column("in_force", "现行有效件数", aliases=("现行有效",)),
        ),
    ),
    Block(
        "proactive", "art20_5", _ART20.format("五"),
        (Row("administrative_licensing", "行政许可"),),
        (Column("decisions", "本年处理决定数量", aliases=("处理决定数量",)),),
    ),
    Block(
        "proactive", "art20_6", _ART20.format("六"),
        (Row("administrative_penalty", "行政处罚"), Row("administrative_coercion", "行政强制")),
        (Column("decisions", "本年处理决定数量", aliases=("处理决定数量",)),),
    ),
    Block(
        "proactive", "art20_8", _ART20.format("八"),
        (Row("administrative_fees", "行政事业性收费"),),
        (Column("fee_amount", "本年收费金额（单位：万元）", AMOUNT, aliases=("本年收费金额", "收费金额")),),
    ),
)

# ---------------------------------------------------------------- section 三 (applications)

APPLICANT_COLUMNS = (
    Column("natural_person", "自然人"),
    Column("commercial_enterprise", "商业企业", group="法人或其他组织"),
    Column("research_institution", "科研机构", group="法人或其他组织"),
    Column("social_welfare_org", "社会公益组织", group="法人或其他组织"),
    Column("legal_service_org", "法律服务机构", group="法人或其他组织"),
    Column("other_org", "其他", group="法人或其他组织"),
    Column("total", "总计"),
)

_RESULT = "三、本年度办理结果"
_WITHHELD = "（三）不予公开"
_UNAVAILABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"

_A_HEAD = (
    Row("new_received", "一、本年新收政府信息公开申请数量"),
    Row("carried_over", "二、上年结转政府信息公开申请数量"),
    Row("granted", "（一）予以公开", _RESULT),
    Row("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", _RESULT),
    Row("withheld_state_secret", "1.属于国家秘密", _WITHHELD),
    Row("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开", _WITHHELD),
    Row("withheld_security_stability", "3.危及“三安全一稳定”", _WITHHELD),
    Row("withheld_third_party_rights", "4.保护第三方合法权益", _WITHHELD),
    Row("withheld_internal_affairs", "5.属于三类内部事务信息", _WITHHELD),
    Row("withheld_process_info", "6.属于四类过程性信息", _WITHHELD),
    Row("withheld_enforcement_files", "7.属于行政执法案卷", _WITHHELD),
    Row("withheld_admin_inquiry", "8.属于行政查询事项", _WITHHELD),
    Row("unavailable_not_held", "1.本机关不掌握相关政府信息", _UNAVAILABLE),
    Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", _UNAVAILABLE),
    Row("unavailable_unclear", "3.补正后申请内容仍不明确", _UNAVAILABLE),
    Row("not_processed_petition", "1.信访举报投诉类申请", _NOT_PROCESSED),
    Row("not_processed_duplicate", "2.重复申请", _NOT_PROCESSED),
    Row("not_processed_publication", "3.要求提供公开出版物", _NOT_PROCESSED),
    Row("not_processed_excessive", "4.无正当理由大量反复申请", _NOT_PROCESSED),
    Row("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", _NOT_PROCESSED),
)
_A_OTHER_2019 = (Row("other_handling", "（六）其他处理", _RESULT),)
_A_OTHER_2021 = (
    Row("other_handling", "（六）其他处理", _RESULT),
    Row("other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", _OTHER),
    Row("other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", _OTHER),
    Row("other_misc", "3.其他", _OTHER),
)
_A_TAIL = (
    Row("total_handled", "（七）总计", _RESULT),
    Row("carried_forward", "四、结转下年度继续办理"),
)

_APP_2019 = Block("applications", "applications", TABLE_LABELS["applications"],
                  _A_HEAD + _A_OTHER_2019 + _A_TAIL, APPLICANT_COLUMNS)
_APP_2021 = Block("applications", "applications", TABLE_LABELS["applications"],
                  _A_HEAD + _A_OTHER_2021 + _A_TAIL, APPLICANT_COLUMNS)

# Rows whose sum is `total_handled` (R2). `other_handling` stands in for the three `other_*` rows
# when those are missing.
OUTCOME_ROWS = tuple(r.code for r in _A_HEAD[2:])
OTHER_SUBROWS = ("other_no_correction", "other_unpaid_fee", "other_misc")
OTHER_SINGLE_ROW = "other_handling"  # （六）其他处理 printed as one row (2019, and some 2021 reports)
APPLICANT_PARTS = tuple(c.code for c in APPLICANT_COLUMNS[:-1])

# ---------------------------------------------------------------- section 四 (review_litigation)

RESULT_COLUMNS = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other_result", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)
_REVIEW = Block(
    "review_litigation", "review_litigation", TABLE_LABELS["review_litigation"],
    (
        Row("administrative_review", "行政复议"),
        Row("litigation_direct", "未经复议直接起诉", "行政诉讼"),
        Row("litigation_after_review", "复议后起诉", "行政诉讼"),
    ),
    RESULT_COLUMNS,
)
RESULT_PARTS = ("upheld", "corrected", "other_result", "pending")

BLOCKS: dict[str, tuple[Block, ...]] = {
    "2019": _P2019 + (_APP_2019, _REVIEW),
    "2021": _P2021 + (_APP_2021, _REVIEW),
}


@cache
def cells(format_version: str) -> tuple[CellDef, ...]:
    """Every cell of a format version, in the printed order. Each appears exactly once."""
    out: list[CellDef] = []
    for block in BLOCKS[format_version]:
        for row in block.rows:
            for col in block.columns:
                out.append(CellDef(block.table, row.code, col.code, row.label, col.label, col.kind,
                                   block.code, len(out)))
    return tuple(out)


@cache
def cell_index(format_version: str) -> dict[tuple[str, str, str], CellDef]:
    return {(c.table, c.row, c.column): c for c in cells(format_version)}


def kind_of(table: str, column: str) -> str:
    """The value kind of a column (count, change or amount), the same in both versions."""
    if column == "items_change":
        return CHANGE
    if column in ("procurement_amount", "fee_amount"):
        return AMOUNT
    return COUNT


def format_for_year(year: int | None) -> str | None:
    """The format version prescribed for a report year (used when the tables don't tell)."""
    if year is None:
        return None
    return "2019" if year <= 2020 else "2021"


def all_codes() -> list[dict]:
    """One dict per (format_version, cell): the rows of the dbt seed `table_section_vocabulary`."""
    rows = []
    for fv in FORMAT_VERSIONS:
        for c in cells(fv):
            rows.append({
                "format_version": fv, "table_code": c.table, "section_number": TABLE_SECTION[c.table],
                "table_label": TABLE_LABELS[c.table], "block_code": c.block, "row_code": c.row,
                "row_label": c.row_label, "column_code": c.column, "column_label": c.column_label,
                "value_kind": c.kind, "display_order": c.order,
            })
    return rows
