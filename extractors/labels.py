"""Stage 1 of the assembler: printed labels → vocabulary codes.

Everything here compares :func:`extractors.normalize.label_key` keys with the labels (and aliases)
of :mod:`extractors.vocab`: exact, containment, the prefix of a wrapped label, then fuzzy. Nothing
here knows about grids or media; the walkers (:mod:`extractors.walk`) call these on a row's label
cells.

* :func:`match_column` — a header label → a column code;
* :func:`match_row` — section 二 row labels → a row code; :func:`infer_block` — the 第二十条 block of a row;
* :func:`resolve_app_row` — section 三 row labels → a row code, tracking the （三）/（四）/（五）/（六） group;
* :func:`review_row` — section 四 row labels → a row code;
* :data:`ROW_ORDER` — every row's place in the printed form (to align rows whose labels and values
  were printed on different lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors import vocab
from extractors.normalize import label_key, similarity, split_numbering

BLOCK_RE = re.compile(r"第二十条第\(?([一二三四五六七八九十]{1,2})\)?[项款]")
BLOCK_CODE = {"一": "art20_1", "五": "art20_5", "六": "art20_6", "八": "art20_8", "九": "art20_9"}
MAX_LABEL = 60  # a longer "label" is prose

ONLY_2019_COLS = {"made_this_year", "published_this_year", "total_published", "items_last_year", "items_change",
                  "procurement_items", "procurement_amount"}
ONLY_2021_COLS = {"issued_this_year", "repealed_this_year", "in_force", "fee_amount"}


def blocks(fv: str, table: str) -> list[vocab.Block]:
    return [b for b in vocab.BLOCKS[fv] if b.table == table]


def proactive_block(fv: str, code: str) -> vocab.Block | None:
    return next((b for b in blocks(fv, "proactive") if b.code == code), None)


@lru_cache(maxsize=4096)
def _keys(label: str, aliases: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(split_numbering(label_key(s))[2] for s in (label, *aliases))


# ------------------------------------------------------------------ columns

def match_column(key: str, columns: tuple[vocab.Column, ...] | list[vocab.Column]) -> str | None:
    """The column code a header label names (exact, containment, prefix of a wrapped label, fuzzy)."""
    if not key or "法人" in key or "申请人情况" in key:
        return None
    columns = tuple(columns)
    found = _match_column(key, columns)
    if found is None and len(key) >= 2:
        found = _match_column(key[::-1], columns)  # rotated glyphs read bottom→top
    return found


@lru_cache(maxsize=16384)
def _match_column(key: str, columns: tuple[vocab.Column, ...]) -> str | None:
    best: tuple[float, str] | None = None
    for col in columns:
        for ck in _keys(col.label, col.aliases):
            if key == ck:
                score = 10.0
            elif len(ck) >= 3 and ck in key:
                score = 5.0 + len(ck) / 100
            elif len(key) >= 2 and ck.startswith(key) and len(key) >= len(ck) / 2:
                score = 3.0 + len(key) / 100
            else:
                r = similarity(key, ck)
                score = r if r >= 0.8 else 0.0
            if score and (best is None or score > best[0]):
                best = (score, col.code)
    return best[1] if best else None


# ------------------------------------------------------------------ section 二

ALL_PROACTIVE_ROWS: dict[str, list[vocab.Row]] = {}
ALL_PROACTIVE_COLS: dict[str, list[vocab.Column]] = {}
for _fv in vocab.FORMAT_VERSIONS:
    for _b in blocks(_fv, "proactive"):
        _rows = ALL_PROACTIVE_ROWS.setdefault(_b.code, [])
        _rows.extend(r for r in _b.rows if all(r.code != x.code for x in _rows))
        ALL_PROACTIVE_COLS.setdefault(_b.code, []).extend(_b.columns)
ALL_COLS_FLAT = tuple(dict.fromkeys(c for cols in ALL_PROACTIVE_COLS.values() for c in cols))
ROW_BLOCK = {r.code: code for code, rows in ALL_PROACTIVE_ROWS.items() for r in rows}
ALL_ROWS_FLAT = [r for rows in ALL_PROACTIVE_ROWS.values() for r in rows]


def match_row(keys: list[str], rows: list[vocab.Row], threshold: float = 0.75) -> str | None:
    """The row code the last matching label cell names (similarity ≥ threshold), else None."""
    found = None
    for k in keys:
        _, _, text = split_numbering(k)
        best: tuple[float, str | None] = (0.0, None)
        for r in rows:
            for rk in _keys(r.label, r.aliases):
                s = similarity(text, rk)
                if s > best[0]:
                    best = (s, r.code)
        if best[0] >= threshold:
            found = best[1]
        elif len(text) > 6:
            # a header glued to the first row's label ("…对外公开总数量规章"): the label it ends with
            ends = [(len(rk), r.code) for r in rows for rk in _keys(r.label, r.aliases) if text.endswith(rk)]
            if ends:
                found = max(ends)[1]
    return found


def infer_block(keys: list[str], current: str | None) -> str | None:
    """The 第二十条 block a proactive row label belongs to (for tables printed without the block
    markers, or one big table): the block of the best-matching row, when it is another block's row."""
    row = match_row(keys, ALL_ROWS_FLAT, threshold=0.85)
    if row is None:
        return current
    if current is not None and row in {r.code for r in ALL_PROACTIVE_ROWS.get(current, [])}:
        return current
    return ROW_BLOCK.get(row, current)


# ------------------------------------------------------------------ section 三

def best_label(text: str, candidates, target, bonus=lambda c: 0.0) -> tuple[float, str | None]:
    """The candidate whose label (``target(c)``) is most similar to ``text``: (score, candidate);
    the first one wins a tie."""
    best: tuple[float, str | None] = (0.0, None)
    for c in candidates:
        s = similarity(text, target(c)) + bonus(c)
        if s > best[0]:
            best = (s, c)
    return best


APP_ROWS = {r.code: r for r in blocks("2021", "applications")[0].rows}
_GROUP_OF_PAREN = {"三": vocab._WITHHELD, "四": vocab._UNAVAILABLE, "五": vocab._NOT_PROCESSED, "六": vocab._OTHER}
_PAREN_ROW = {"一": "granted", "二": "partially_granted", "六": "other_handling", "七": "total_handled"}
_PAREN_TARGETS = {"一": "予以公开", "二": "部分公开(区分处理的,只计这一情形,不计其他情形)", "三": "不予公开",
                  "四": "无法提供", "五": "不予处理", "六": "其他处理", "七": "总计"}
_TOP_ROWS = ["new_received", "carried_over", "carried_forward"]
_TOP_NUM = {"一": "new_received", "二": "carried_over", "四": "carried_forward"}
APPLICANT_HEADER_KEYS = {label_key(c.label) for c in vocab.APPLICANT_COLUMNS} | {"法人或其他组织", "申请人情况"}
_SUB_ITEMS = [c for c, r in APP_ROWS.items() if r.group in _GROUP_OF_PAREN.values()]


def _text_key(code: str) -> str:
    return split_numbering(label_key(APP_ROWS[code].label))[2]


def _sub_items(group: str | None) -> list[str]:
    return [c for c, r in APP_ROWS.items() if r.group == group and group is not None]


@dataclass
class AppState:
    group: str | None = None  # vocab group label of the current (三)/(四)/(五)/(六) block


_GLUED_NUMBERING = re.compile(r"(?<=[\u4e00-\u9fff)])(?=\([一二三四五六七]\)|\d{1,2}[.、][\u4e00-\u9fff])")


@dataclass
class AppLabel:
    """What a row's label cells say: the row they name (or None) and how sure that is."""

    row: str | None
    numbered: bool = False  # named by its printed numbering and text, not by fuzzy text alone
    score: float = 0.0


def resolve_app_row(keys: list[str], state: AppState) -> str | None:
    """The applications row a row's label cells name, tracking the current group in `state`."""
    return read_app_label(keys, state).row


def read_app_label(keys: list[str], state: AppState) -> AppLabel:
    """:func:`resolve_app_row` with how the row was recognised (see :class:`AppLabel`)."""
    header_like = sum(1 for k in keys if k in APPLICANT_HEADER_KEYS)
    result = AppLabel(None)
    # labels of several cells glued into one ("(三)不予公开1.属于国家秘密"): split at numbering
    keys = [part for k in keys for part in _GLUED_NUMBERING.split(k) if part]
    for k in keys:
        kind, num, text = split_numbering(k)
        if not text and not num:
            continue
        if "办理结果" in text and len(text) <= 8:
            continue
        if kind == "paren":
            # the text decides when it is unmistakable, else the number: "(三)不予公开" must not be
            # taken for "予以公开" however close the two strings are
            best = best_label(text, _PAREN_TARGETS, _PAREN_TARGETS.__getitem__)
            which = best[1] if best[0] >= 0.85 or num not in _PAREN_TARGETS else num
            group = _GROUP_OF_PAREN.get(which)
            if group is not None:
                state.group = group
                # (三)不予公开 etc. name a group; (六)其他处理 is also the 2019 row itself
                cand = "other_handling" if which == "六" else None
            else:
                state.group = None
                cand = _PAREN_ROW.get(which)
            if cand:
                result = AppLabel(cand, True, max(best[0], 0.85))
        elif kind == "digit":
            items = _sub_items(state.group)
            best = best_label(text, _SUB_ITEMS, _text_key, lambda code, items=items: 0.15 if code in items else 0.0)
            if best[0] >= 0.6:
                result = AppLabel(best[1], True, best[0])
                state.group = APP_ROWS[best[1]].group
            elif items:
                # a typo-ridden label, or the number alone ("1."): trust the number inside the
                # current group (the group was read from the (三)/(四)/(五)/(六) cell above)
                n = int(num) if num and num.isdigit() else 0
                if 1 <= n <= len(items) and (best[0] >= 0.3 or not text):
                    result = AppLabel(items[n - 1], True, 0.6)
        elif kind == "dun":
            best = best_label(text, _TOP_ROWS, _text_key)
            if best[0] >= 0.6:
                result = AppLabel(best[1], True, best[0])
            elif num in _TOP_NUM and best[0] >= 0.3:
                result = AppLabel(_TOP_NUM[num], True, 0.6)
            state.group = None
        else:
            if k in APPLICANT_HEADER_KEYS and header_like >= 2:
                continue
            best = best_label(text, APP_ROWS, _text_key)
            if best[0] >= 0.8 and not result.numbered:  # a fragment never overrides a numbered label
                result = AppLabel(best[1], False, best[0])
                if best[1] in _SUB_ITEMS:
                    state.group = APP_ROWS[best[1]].group
    return result


def starts_applications(joined: str, short: list[str], section: str | None) -> bool:
    """A row that opens section 三: its title, the 勾稽关系 header cell, 申请人情况, or (without any
    title) the applicant column labels or the first row."""
    if "收到和处理政府信息公开申请" in joined or "申请人情况" in joined or "勾稽关系" in joined:
        return True
    if section == "applications":
        return False
    return "本年新收" in joined or sum(1 for k in short if k in APPLICANT_HEADER_KEYS
                                      and k not in ("其他", "总计")) >= 2


# ------------------------------------------------------------------ section 四

REVIEW_ROWS = ("administrative_review", "litigation_direct", "litigation_after_review")


def review_row(keys: list[str]) -> str | None:
    joined = "".join(keys)
    if "未经复议" in joined or "直接起诉" in joined:
        return "litigation_direct"
    if "复议后起诉" in joined:
        return "litigation_after_review"
    if "行政复议" in joined or "复议" in joined:
        return "administrative_review"
    return None


# ------------------------------------------------------------------ the printed order of the rows

def _row_order() -> dict[tuple[str, str], int]:
    order: dict[tuple[str, str], int] = {}
    for fv in ("2019", "2021"):
        for cd in vocab.cells(fv):
            order.setdefault((cd.table, cd.row), 0)
    # the union of both versions, in print order: 2019's rows interleaved where they are printed
    seq = [(cd.table, cd.row) for cd in vocab.cells("2021")]
    for cd in vocab.cells("2019"):
        key = (cd.table, cd.row)
        if key not in seq:
            prev = next((i for i, k in enumerate(seq) if k[0] == cd.table and k[1] == _before_2019(cd.row)), None)
            seq.insert(prev + 1 if prev is not None else len(seq), key)
    for i, key in enumerate(dict.fromkeys(seq)):
        order[key] = i
    return order


def _before_2019(row: str) -> str:
    return {"other_external_services": "administrative_licensing",
            "centralized_procurement": "administrative_fees"}.get(row, row)


ROW_ORDER = _row_order()
