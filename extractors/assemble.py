"""RawDocument → canonical Record: map the printed grids to cells by their labels, not positions.

The assembler walks every row of every table of a document as one stream (so an applications
table split over pages or over several tables, with page-number lines between its rows, reads as
one), keeps track of the section (二 proactive / 三 applications / 四 review_litigation), the
第二十条 block and the （三）/（四）/（五）/（六） group, recognises header rows by their column labels
and data rows by their row labels (exact, then fuzzy on :func:`extractors.normalize.label_key`),
and only at the end, once the format version is known, maps each data row's values to columns:

* *positional* — grids from PDF/HTML/DOCX whose header columns were located: the value of a column
  is the cell under its header (an empty cell is ``blank``);
* *sequence* — text layouts (and grids whose header was not located): the non-empty cells after the
  row's label cells, in column order; a row with another number of values than columns gives null
  ``unreadable`` cells and an issue (``row_width_mismatch`` / ``run_together_values``), never shifted
  values.

Every cell of the format version appears exactly once in the record, ``missing`` when not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractors import errors, vocab
from extractors.grid import RawCell, RawDocument
from extractors.metadata import read_metadata
from extractors.model import BLANK, MISSING, UNREADABLE, Cell, ExtractionError, Issue, Record, Report, Source
from extractors.normalize import label_key, similarity, split_numbering
from extractors.values import is_run_together, looks_like_value, parse_value

_BLOCK_RE = re.compile(r"第二十条第\(?([一二三四五六七八九十]{1,2})\)?[项款]")
_BLOCK_CODE = {"一": "art20_1", "五": "art20_5", "六": "art20_6", "八": "art20_8", "九": "art20_9"}
_MAX_LABEL = 60

_ONLY_2019_COLS = {"made_this_year", "published_this_year", "total_published", "items_last_year", "items_change",
                   "procurement_items", "procurement_amount"}
_ONLY_2021_COLS = {"issued_this_year", "repealed_this_year", "in_force", "fee_amount"}


# ------------------------------------------------------------------ vocabulary lookups

def _blocks(fv: str, table: str) -> list[vocab.Block]:
    return [b for b in vocab.BLOCKS[fv] if b.table == table]


def _proactive_block(fv: str, code: str) -> vocab.Block | None:
    for b in _blocks(fv, "proactive"):
        if b.code == code:
            return b
    return None


@lru_cache(maxsize=4096)
def _keys(label: str, aliases: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(split_numbering(label_key(s))[2] for s in (label, *aliases))


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


_ALL_PROACTIVE_ROWS: dict[str, list[vocab.Row]] = {}
for _fv in vocab.FORMAT_VERSIONS:
    for _b in _blocks(_fv, "proactive"):
        lst = _ALL_PROACTIVE_ROWS.setdefault(_b.code, [])
        for _r in _b.rows:
            if all(_r.code != x.code for x in lst):
                lst.append(_r)
_ALL_PROACTIVE_COLS: dict[str, list[vocab.Column]] = {}
for _fv in vocab.FORMAT_VERSIONS:
    for _b in _blocks(_fv, "proactive"):
        _ALL_PROACTIVE_COLS.setdefault(_b.code, []).extend(_b.columns)


_ALL_COLS_FLAT = tuple(dict.fromkeys(c for cols in _ALL_PROACTIVE_COLS.values() for c in cols))
_ROW_BLOCK = {r.code: code for code, rows in _ALL_PROACTIVE_ROWS.items() for r in rows}
_ALL_ROWS_FLAT = [r for rows in _ALL_PROACTIVE_ROWS.values() for r in rows]


def _infer_block(keys: list[str], current: str | None) -> str | None:
    """The 第二十条 block a proactive row label belongs to (for tables printed without the block
    markers, or one big table): the block of the best-matching row, when it is another block's row."""
    row = _match_row(keys, _ALL_ROWS_FLAT, threshold=0.85)
    if row is None:
        return current
    if current is not None and row in {r.code for r in _ALL_PROACTIVE_ROWS.get(current, [])}:
        return current
    return _ROW_BLOCK.get(row, current)


def _best(text: str, candidates, target, bonus=lambda c: 0.0) -> tuple[float, str | None]:
    """The candidate whose label (``target(c)``) is most similar to ``text``: (score, candidate);
    the first one wins a tie."""
    best: tuple[float, str | None] = (0.0, None)
    for c in candidates:
        s = similarity(text, target(c)) + bonus(c)
        if s > best[0]:
            best = (s, c)
    return best


def _match_row(keys: list[str], rows: list[vocab.Row], threshold: float = 0.75) -> str | None:
    found = None
    for k in keys:
        _, _, text = split_numbering(k)
        best = (0.0, None)
        for r in rows:
            for rk in _keys(r.label, r.aliases):
                s = similarity(text, rk)
                if s > best[0]:
                    best = (s, r.code)
        if best[0] >= threshold:
            found = best[1]
    return found


# applications rows, by group
_APP_ROWS = {r.code: r for r in _blocks("2021", "applications")[0].rows}
_GROUP_OF_PAREN = {"三": vocab._WITHHELD, "四": vocab._UNAVAILABLE, "五": vocab._NOT_PROCESSED, "六": vocab._OTHER}
_PAREN_ROW = {"一": "granted", "二": "partially_granted", "六": "other_handling", "七": "total_handled"}
_PAREN_TARGETS = {"一": "予以公开", "二": "部分公开(区分处理的,只计这一情形,不计其他情形)", "三": "不予公开",
                  "四": "无法提供", "五": "不予处理", "六": "其他处理", "七": "总计"}
_PAREN_ROW_OR_GROUP = set(_PAREN_TARGETS)
_TOP_ROWS = ["new_received", "carried_over", "carried_forward"]
_TOP_NUM = {"一": "new_received", "二": "carried_over", "四": "carried_forward"}
_APPLICANT_HEADER_KEYS = {label_key(c.label) for c in vocab.APPLICANT_COLUMNS} | {"法人或其他组织", "申请人情况"}


def _text_key(code: str) -> str:
    return split_numbering(label_key(_APP_ROWS[code].label))[2]


def _sub_items(group: str | None) -> list[str]:
    return [c for c, r in _APP_ROWS.items() if r.group == group and group is not None]


def _all_sub_items() -> list[str]:
    return [c for c, r in _APP_ROWS.items() if r.group in _GROUP_OF_PAREN.values()]


@dataclass
class _AppState:
    group: str | None = None  # vocab group label of the current (三)/(四)/(五)/(六) block


_GLUED_NUMBERING = re.compile(r"(?<=[\u4e00-\u9fff)])(?=\([一二三四五六七]\)|\d{1,2}\.[\u4e00-\u9fff])")


def resolve_app_row(keys: list[str], state: _AppState) -> str | None:
    """The applications row a row's label cells name, tracking the current group in `state`."""
    header_like = sum(1 for k in keys if k in _APPLICANT_HEADER_KEYS)
    result: str | None = None
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
            best = _best(text, _PAREN_TARGETS, _PAREN_TARGETS.__getitem__)
            which = best[1] if best[0] >= 0.85 or num not in _PAREN_ROW_OR_GROUP else num
            group = _GROUP_OF_PAREN.get(which)
            if group is not None:
                state.group = group
                # (三)不予公开 etc. name a group; (六)其他处理 is also the 2019 row itself
                cand = "other_handling" if which == "六" else None
            else:
                state.group = None
                cand = _PAREN_ROW.get(which)
            result = cand if cand else result
        elif kind == "digit":
            items = _sub_items(state.group)
            best = _best(text, _all_sub_items(), _text_key, lambda code, items=items: 0.15 if code in items else 0.0)
            if best[0] >= 0.6:
                result = best[1]
                state.group = _APP_ROWS[best[1]].group
            elif items:
                # a typo-ridden label, or the number alone ("1."): trust the number inside the
                # current group (the group was read from the (三)/(四)/(五)/(六) cell above)
                n = int(num) if num and num.isdigit() else 0
                if 1 <= n <= len(items) and (best[0] >= 0.3 or not text):
                    result = items[n - 1]
        elif kind == "dun":
            best = _best(text, _TOP_ROWS, _text_key)
            if best[0] >= 0.6:
                result = best[1]
            elif num in _TOP_NUM and best[0] >= 0.3:
                result = _TOP_NUM[num]
            state.group = None
        else:
            if k in _APPLICANT_HEADER_KEYS and header_like >= 2:
                continue
            best = _best(text, _APP_ROWS, _text_key)
            if best[0] >= 0.8:
                result = best[1]
                if best[1] in _all_sub_items():
                    state.group = _APP_ROWS[best[1]].group
    return result


def _starts_applications(joined: str, short: list[str], section: str | None) -> bool:
    """A row that opens section 三: its title, the 勾稽关系 header cell, 申请人情况, or (without any
    title) the applicant column labels or the first row."""
    if "收到和处理政府信息公开申请" in joined or "申请人情况" in joined or "勾稽关系" in joined:
        return True
    if section == "applications":
        return False
    return "本年新收" in joined or sum(1 for k in short if k in _APPLICANT_HEADER_KEYS
                                      and k not in ("其他", "总计")) >= 2


def _review_rows(keys: list[str]) -> str | None:
    joined = "".join(keys)
    if "未经复议" in joined or "直接起诉" in joined:
        return "litigation_direct"
    if "复议后起诉" in joined:
        return "litigation_after_review"
    if "行政复议" in joined or "复议" in joined:
        return "administrative_review"
    return None


# ------------------------------------------------------------------ the walk

@dataclass
class _Obs:
    table: str
    block: str  # proactive block code, "applications" or "review_litigation"
    row: str | None  # None for a section-四 row of all 15 numbers
    cells: list[RawCell | None]
    first_val: int
    grid: bool
    page: int | None
    header: dict[int, str] = field(default_factory=dict)  # grid index → header key
    header_width: int | None = None
    order: tuple[str, ...] | None = None  # section 四: the result columns in printed order


def _cell_text(c: RawCell | None) -> str:
    return c.text if c is not None and c.text is not None else ""


def assemble(raw: RawDocument, source: Source) -> Record:
    """Map a RawDocument's grids to the canonical cells of its format version (see module doc)."""
    issues: list[Issue] = list(raw.issues)
    meta = read_metadata(raw.text or "")
    obs: list[_Obs] = []
    evidence = {"2019": 0, "2021": 0}

    section: str | None = None
    block: str | None = None
    app_state = _AppState()
    headers: dict[str, tuple[dict[int, str], int]] = {}  # block → (index → key, width)
    review_order: tuple[str, ...] | None = None
    pending_fresh = False  # a proactive header row was read and no data row since

    for table in raw.tables:
        # text layouts, and PDF tables found by the text strategy (unruled: column positions are
        # guesses), are read as sequences of values, never by position
        grid = not (table.source.startswith("text") or ":text" in table.source)
        for cells in table.rows:
            texts = [_cell_text(c) for c in cells]
            first_val = next((i for i, c in enumerate(cells)
                              if c is not None and c.origin and looks_like_value(c.text)), len(cells))
            label_cells = [(i, label_key(t)) for i, t in enumerate(texts[:first_val]) if t.strip()]
            keys = [k for _, k in label_cells if k]
            short = [k for k in keys if len(k) <= _MAX_LABEL]
            joined = "".join(short)
            has_values = first_val < len(cells)
            page = next((c.page for c in cells if c is not None and c.page is not None), table.page)

            # -------- section transitions
            m = _BLOCK_RE.search(joined)
            if m:
                section, block = "proactive", _BLOCK_CODE.get(m.group(1))
            elif _starts_applications(joined, short, section):
                section, block = "applications", "applications"
            elif ("行政复议" in joined and ("行政诉讼" in joined or "结果维持" in joined)) or \
                    "政府信息公开行政复议" in joined:
                if section != "review_litigation":
                    section, block = "review_litigation", "review_litigation"
            elif re.match(r"^(五、|六、)", joined) and ("问题" in joined or "改进" in joined or "其他需要" in joined):
                section, block = None, None
            elif "政府信息公开行政复议" not in joined and re.match(r"^[二三]、", joined) and not has_values \
                    and ("主动公开" in joined):
                section, block = "proactive", None
            elif section != "proactive" and not has_values and "信息内容" in joined and any(
                    match_column(k, _ALL_COLS_FLAT) for _, k in label_cells):
                section, block = "proactive", None  # a 第二十条 table printed without its titles

            if section == "proactive":
                inferred = _infer_block(short, block)
                if inferred is not None and inferred != block and (block is None or _BLOCK_RE.search(joined) is None):
                    # a header row just above the first row of another block is that block's header
                    if pending_fresh and "proactive:pending" in headers:
                        headers[inferred] = headers["proactive:pending"]
                    block = inferred
            if section is None:
                continue
            if block is None:
                if section == "proactive":  # a header before any block is known
                    found = {i: k for i, k in label_cells if match_column(k, _ALL_COLS_FLAT)}
                    if found:
                        headers["proactive:pending"] = (found, len(cells))
                        pending_fresh = True
                continue

            # -------- header rows
            if section == "proactive":
                cols = _ALL_PROACTIVE_COLS.get(block, [])
                found = {i: k for i, k in label_cells if match_column(k, cols)}
                found_any = {i: k for i, k in label_cells if match_column(k, _ALL_COLS_FLAT)}
                if found_any and ("信息内容" in joined or not _match_row(short, _ALL_ROWS_FLAT)):
                    # a header row: this block's, or (tables without markers) the next block's
                    headers["proactive:pending"] = (found_any, len(cells))
                    pending_fresh = True
                if found and not _match_row(short, _ALL_PROACTIVE_ROWS.get(block, [])) or \
                        (found and "信息内容" in joined):
                    headers[block] = (found, len(cells))
                    for k in found.values():
                        code = match_column(k, cols)
                        if code in _ONLY_2019_COLS:
                            evidence["2019"] += 1
                        elif code in _ONLY_2021_COLS:
                            evidence["2021"] += 1
                if not has_values and not grid:
                    continue
                row = _match_row(short, _ALL_PROACTIVE_ROWS.get(block, []))
                if row is None:
                    if has_values and keys:
                        issues.append(Issue(errors.UNKNOWN_ROW, f"row {'/'.join(keys)[:60]!r} is not in the vocabulary",
                                            table="proactive", page=page))
                    continue
                if not has_values and grid and found:
                    continue
                if row in ("other_external_services",):
                    evidence["2019"] += 1
                if row == "centralized_procurement":
                    evidence["2019"] += 1
                h, w = headers.get(block, ({}, None))
                obs.append(_Obs("proactive", block, row, cells, first_val, grid, page, h, w))
                pending_fresh = False

            elif section == "applications":
                hdr = {i: k for i, k in label_cells if match_column(k, vocab.APPLICANT_COLUMNS)}
                if len(hdr) >= 2 and not has_values:
                    old, w = headers.get("applications", ({}, None))
                    merged = dict(old) if w == len(cells) else {}
                    merged.update(hdr)
                    headers["applications"] = (merged, len(cells))
                    continue
                if len(hdr) >= 2:  # header cells and data in one merged row (one cell per line)
                    headers["applications"] = ({}, None)
                row = resolve_app_row(short, app_state)
                if row is None:
                    if has_values and keys:
                        issues.append(Issue(errors.UNKNOWN_ROW, f"row {'/'.join(keys)[:60]!r} is not in the vocabulary",
                                            table="applications", page=page))
                    continue
                if not has_values and not grid:
                    continue
                if row in vocab.OTHER_SUBROWS:
                    evidence["2021"] += 2
                h, w = headers.get("applications", ({}, None))
                obs.append(_Obs("applications", "applications", row, cells, first_val, grid, page, h, w))

            elif section == "review_litigation":
                if not has_values:
                    printed = [c for c in (match_column(k, vocab.RESULT_COLUMNS) for _, k in label_cells) if c]
                    if len(printed) >= 5 and len(set(printed[:5])) == 5:
                        review_order = tuple(printed[:5])  # the result columns as the header prints them
                    continue
                n_vals = len(_values_of(cells, first_val))
                if not short and n_vals < 5:
                    continue  # a page number or stray figure, not a row of the table
                row = _review_rows(short) if n_vals <= 5 else None
                if row is None and n_vals == 5 and not short:
                    # three unlabelled rows of five: 行政复议, then the two 行政诉讼 rows, in print order
                    done = [o.row for o in obs if o.table == "review_litigation"]
                    order = ("administrative_review", "litigation_direct", "litigation_after_review")
                    row = next((r for r in order if r not in done), None)
                    if row is None:
                        continue
                obs.append(_Obs("review_litigation", "review_litigation", row, cells, first_val, grid, page,
                                order=review_order))

    if not obs:
        title_says_report = "政府信息公开" in (raw.text or "") and "报告" in (raw.text or "")
        code = errors.NO_TABLES if title_says_report else errors.NOT_A_REPORT
        msg = ("the document names a 政府信息公开工作年度报告 but none of its tables was found"
               if title_says_report else "none of the report's tables (sections 二, 三, 四) was found")
        return Record(source=source, report=Report(meta.publisher, meta.year, None, meta.published_on),
                      error=ExtractionError(code, msg))

    # -------- format version: the tables, then the year
    by_year = vocab.format_for_year(meta.year)
    if evidence["2021"] > evidence["2019"]:
        fv = "2021"
    elif evidence["2019"] > evidence["2021"]:
        fv = "2019"
    else:
        fv = by_year or "2021"
    if by_year and fv != by_year:
        issues.append(Issue(errors.FORMAT_VERSION_MISMATCH,
                            f"the tables are in the {fv} format, the year {meta.year} prescribes the {by_year} format"))

    found_cells: dict[tuple[str, str, str], Cell] = {}
    seen_rows: set[tuple[str, str]] = set()
    for o in obs:
        if o.table == "proactive":
            b = _proactive_block(fv, o.block)
            if b is None or o.row not in {r.code for r in b.rows}:
                if o.row is not None:
                    issues.append(Issue(errors.UNKNOWN_ROW, f"row {o.row} is not part of the {fv} format",
                                        table="proactive", row=o.row, page=o.page))
                continue
            targets = [(o.row, b.columns)]
        elif o.table == "applications":
            targets = [(o.row, vocab.APPLICANT_COLUMNS)]
        else:
            rows = ("administrative_review", "litigation_direct", "litigation_after_review")
            targets = [(o.row, vocab.RESULT_COLUMNS)] if o.row else [(r, vocab.RESULT_COLUMNS) for r in rows]
        ncols = sum(len(c) for _, c in targets)
        values = _map_values(o, [c for _, cs in targets for c in cs], issues, ncols, targets)
        i = 0
        for row, cols in targets:
            key_row = (o.table, row)
            dup = key_row in seen_rows
            seen_rows.add(key_row)
            for col in cols:
                text, parsed_cell = values[i]
                i += 1
                if dup:
                    prev = found_cells.get((o.table, row, col.code))
                    if prev is not None and prev.value != parsed_cell.value:
                        issues.append(Issue(errors.DUPLICATE_ROW, "the row is printed twice with different values; "
                                            "the first is kept", table=o.table, row=row, column=col.code, page=o.page))
                    continue
                found_cells[(o.table, row, col.code)] = parsed_cell

    if fv == "2021" and any(k[0] == "applications" and k[1] in vocab.OTHER_SUBROWS for k in found_cells):
        oh = [k for k in found_cells if k[0] == "applications" and k[1] == "other_handling"]
        if oh and all(found_cells[k].status == BLANK for k in oh):
            for k in oh:
                del found_cells[k]

    # -------- every cell of the format version, in vocabulary order
    cells_out: list[Cell] = []
    tables_found = {k[0] for k in found_cells}
    for t in vocab.TABLES:
        if t not in tables_found:
            issues.append(Issue(errors.TABLE_NOT_FOUND, f"{vocab.TABLE_LABELS[t]}: the table was not found", table=t))
    other_sub_found = any(k[0] == "applications" and k[1] in vocab.OTHER_SUBROWS for k in found_cells)
    other_single_found = any(k[0] == "applications" and k[1] == "other_handling" for k in found_cells)
    reported_rows: set[tuple[str, str]] = set()
    for cd in vocab.cells(fv):
        c = found_cells.get((cd.table, cd.row, cd.column))
        if c is None:
            c = Cell(cd.table, cd.row, cd.column, None, None, MISSING, None)
            expected_absent = fv == "2021" and (
                (cd.row == "other_handling" and other_sub_found) or
                (cd.row in vocab.OTHER_SUBROWS and other_single_found and not other_sub_found))
            if cd.table in tables_found and not expected_absent and (cd.table, cd.row) not in reported_rows:
                reported_rows.add((cd.table, cd.row))
                if not any(k[0] == cd.table and k[1] == cd.row for k in found_cells):
                    issues.append(Issue(errors.ROW_NOT_FOUND, f"{cd.row_label}: the row was not found",
                                        table=cd.table, row=cd.row))
        cells_out.append(c)

    report = Report(publisher=meta.publisher, year=meta.year, format_version=fv, published_on=meta.published_on)
    if meta.publisher is None or meta.year is None:
        what = " and ".join(x for x, v in (("publisher", meta.publisher), ("year", meta.year)) if v is None)
        issues.append(Issue(errors.METADATA_MISSING, f"{what} not found in the document"))
    return Record(source=source, report=report, cells=cells_out, issues=issues)


def _values_of(cells: list[RawCell | None], first_val: int) -> list[RawCell]:
    return [c for c in cells[first_val:] if c is not None and c.origin and c.text and c.text.strip()]


def _map_values(o: _Obs, cols: list[vocab.Column], issues: list[Issue], ncols: int,
                targets: list) -> list[tuple[str | None, Cell]]:
    """The (raw, Cell) of each column for one observed row (positional, else sequence)."""
    table = o.table
    row_codes = [r for r, cs in targets for _ in cs]

    def cell_for(i: int, col: vocab.Column, rc: RawCell | None) -> tuple[str | None, Cell]:
        text = rc.text.strip() if rc is not None and rc.text else ""
        kind = vocab.kind_of(table, col.code)
        if rc is not None and not rc.origin and text:
            issues.append(Issue(errors.UNREADABLE_VALUE, f"value {text!r} is a merged cell spanning columns",
                                table=table, row=row_codes[i], column=col.code, page=rc.page or o.page))
            return text, Cell(table, row_codes[i], col.code, None, text, UNREADABLE, rc.page or o.page)
        p = parse_value(text, kind)
        if p.issue:
            issues.append(Issue(p.issue, f"cannot read {text!r} as a {kind}", table=table, row=row_codes[i],
                                column=col.code, page=(rc.page if rc else None) or o.page))
        return text, Cell(table, row_codes[i], col.code, p.value, text if rc is not None else None, p.status,
                          (rc.page if rc is not None and rc.page is not None else o.page))

    # positional
    if o.grid:
        positions = _positions(o, cols)
        if positions is not None:
            used = set(positions)
            stray = [c for j, c in enumerate(o.cells) if j >= o.first_val and j not in used and c is not None
                     and c.origin and c.text and c.text.strip()]
            # a position without any cell (a ragged row: fewer cells printed than the header has
            # columns) cannot be told from a shifted row; nor can a value cell merged over two columns or
            # rows: read those as a sequence instead (fewer values than columns → an issue)
            holes = any(j >= len(o.cells) or o.cells[j] is None or not o.cells[j].origin for j in positions)
            if not stray and not holes:
                return [cell_for(i, col, o.cells[j] if j < len(o.cells) else None)
                        for i, (col, j) in enumerate(zip(cols, positions, strict=True))]
    # sequence
    tokens = _values_of(o.cells, o.first_val)
    if o.grid and o.table == "review_litigation" and len(o.cells) == ncols and o.first_val <= len(o.cells) \
            and not any(c is not None and c.text and c.text.strip() and not looks_like_value(c.text)
                        for c in o.cells):
        order = _review_order(o, cols)
        return [cell_for(i, col, o.cells[order[i]]) for i, col in enumerate(cols)]
    if len(tokens) == ncols:
        order = _review_order(o, cols) if o.table == "review_litigation" else _header_order(o, cols)
        return [cell_for(i, col, tokens[order[i]]) for i, col in enumerate(cols)]
    raw_texts = [t.text.strip() for t in tokens]
    if is_run_together(raw_texts, ncols):
        code, msg = errors.RUN_TOGETHER_VALUES, f"values run together: {' '.join(raw_texts)!r} for {ncols} columns"
    else:
        code, msg = errors.ROW_WIDTH_MISMATCH, f"{len(tokens)} values for {ncols} columns"
    for r in dict.fromkeys(row_codes):
        issues.append(Issue(code, msg, table=table, row=r, page=o.page))
    out = []
    for i, col in enumerate(cols):
        out.append((None, Cell(table, row_codes[i], col.code, None, None, UNREADABLE, o.page)))
    return out


def _positions(o: _Obs, cols: list[vocab.Column]) -> list[int] | None:
    """Grid indices of the columns from the header, when every column was located and the row has
    the header's width."""
    if not o.header or o.header_width != len(o.cells):
        return None
    idx: dict[str, int] = {}
    for j, k in sorted(o.header.items()):
        code = match_column(k, cols)
        if code and code not in idx:
            idx[code] = j
    if len(idx) != len(cols):
        return None
    pos = [idx[c.code] for c in cols]
    if len(set(pos)) != len(pos) or min(pos) < o.first_val and any(
            o.cells[p] is not None and o.cells[p].text and not looks_like_value(o.cells[p].text) for p in pos):
        return None
    return pos


def _review_order(o: _Obs, cols: list[vocab.Column]) -> list[int]:
    """Section 四: printed position of each column, groups of five in the header's column order
    (the form's order unless the header prints another)."""
    if not o.order or list(o.order) == [c.code for c in vocab.RESULT_COLUMNS]:
        return list(range(len(cols)))
    return [(i // 5) * 5 + o.order.index(col.code) for i, col in enumerate(cols)]


def _header_order(o: _Obs, cols: list[vocab.Column]) -> list[int]:
    """The order of the columns as printed in the header, when it names all of them; else the
    vocabulary order."""
    if o.header:
        seq = []
        for _, k in sorted(o.header.items()):
            code = match_column(k, cols)
            if code and code not in seq:
                seq.append(code)
        if sorted(seq) == sorted(c.code for c in cols):
            return [seq.index(c.code) for c in cols]
    return list(range(len(cols)))
