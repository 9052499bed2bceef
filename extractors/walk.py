"""Stage 2 of the assembler: walk every row of every table → observations of the form's rows.

The walker reads all the rows of a document as one stream (so an applications table split over
pages or over several tables, with page-number lines between its rows, reads as one), keeps track
of the section (二 proactive / 三 applications / 四 review_litigation), the 第二十条 block and the
（三）/（四）/（五）/（六） group, recognises header rows by their column labels and data rows by their row
labels (:mod:`extractors.labels`), and records an :class:`Obs` per printed row of values. It does
not map values to columns: that needs the format version, known only at the end.

Text read from converters often prints a row's label and its values on different lines (a wrapped
label above its numbers, a vertically centred label below them). Rows of text tables whose values
carry no label of their own are *aligned* at the end (:meth:`Walker.align`): between two rows whose
labels were read, the unlabelled value lines and the label-only lines that name rows are paired in
print order — only when their counts agree, so a value is never given to a row by guesswork.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors import errors, labels, vocab
from extractors.grid import FIELDS, GRID, RawCell, RawDocument, RawTable, X
from extractors.labels import (
    ALL_COLS_FLAT,
    ALL_PROACTIVE_COLS,
    ALL_PROACTIVE_ROWS,
    ALL_ROWS_FLAT,
    match_column,
)
from extractors.model import Issue
from extractors.normalize import label_key
from extractors.values import looks_like_value


@dataclass
class Obs:
    """One printed row of values, attributed to a row of the form (``row`` None: section 四's row of
    all 15 numbers, or — before :meth:`Walker.align` — a text row whose label is on another line)."""

    table: str
    block: str  # proactive block code, "applications" or "review_litigation"
    row: str | None
    cells: list[RawCell | None]
    first_val: int
    mode: str  # the table's RawTable.mode: grid, fields, x or flow
    page: int | None
    header: dict[int, str] = field(default_factory=dict)  # grid index → header key
    header_width: int | None = None
    order: tuple[str, ...] | None = None  # the columns in printed order, when a header named them all
    header_x: dict[str, float] = field(default_factory=dict)  # x mode: column code → centre of its label
    table_no: int = 0  # which RawTable of the document
    seq: int = 0  # position in the stream of rows
    unlabelled: bool = False  # section 四: a row of five with no label, given the next row by print order

    @property
    def values(self) -> list[RawCell]:
        return values_of(self.cells, self.first_val)


@dataclass
class _Slot:
    """A label-only text row that names a row of the form (its values are on another line)."""

    table: str
    block: str
    row: str
    seq: int


def values_of(cells: list[RawCell | None], first_val: int) -> list[RawCell]:
    return [c for c in cells[first_val:] if c is not None and c.origin and c.text and c.text.strip()]


def cell_text(c: RawCell | None) -> str:
    return c.text if c is not None and c.text is not None else ""


@dataclass
class _Line:
    """A row as the walker sees it."""

    cells: list[RawCell | None]
    first_val: int
    label_cells: list[tuple[int, str]]
    keys: list[str]
    short: list[str]
    joined: str
    has_values: bool
    page: int | None


def _line(cells: list[RawCell | None], table: RawTable) -> _Line:
    texts = [cell_text(c) for c in cells]
    first_val = next((i for i, c in enumerate(cells)
                      if c is not None and c.origin and looks_like_value(c.text)), len(cells))
    label_cells = [(i, label_key(t)) for i, t in enumerate(texts[:first_val]) if t.strip()]
    keys = [k for _, k in label_cells if k]
    short = [k for k in keys if len(k) <= labels.MAX_LABEL]
    page = next((c.page for c in cells if c is not None and c.page is not None), table.page)
    return _Line(cells, first_val, label_cells, keys, short, "".join(short), first_val < len(cells), page)


class Walker:
    """Walks a RawDocument's rows (see the module doc). ``walk(raw)`` returns the observations, the
    format-version evidence found in the tables, and issues."""

    def __init__(self) -> None:
        self.obs: list[Obs] = []
        self.slots: list[_Slot] = []
        self.issues: list[Issue] = []
        self.evidence = {"2019": 0, "2021": 0}
        self.section: str | None = None
        self.block: str | None = None
        self.app_state = labels.AppState()
        self.headers: dict[str, tuple[dict[int, str], int]] = {}  # block → (index → key, width)
        self.header_order: dict[str, list[str]] = {}  # text: block → column codes in printed order
        self.header_x: dict[str, dict[str, float]] = {}  # x mode: block → column code → centre
        self.review_order: tuple[str, ...] | None = None
        self.pending_fresh = False  # a proactive header row was read and no data row since
        self.seq = 0
        self.table_no = 0
        self.mode = GRID

    # ------------------------------------------------------------------ driver

    def walk(self, raw: RawDocument) -> Walker:
        for n, table in enumerate(raw.tables):
            self.table_no, self.mode = n, table.mode
            for cells in table.rows:
                self.seq += 1
                self._row(_line(cells, table))
        self.align()
        return self

    def _row(self, ln: _Line) -> None:
        self._transition(ln)
        if self.section == "proactive":
            inferred = labels.infer_block(ln.short, self.block)
            if inferred is not None and inferred != self.block and (
                    self.block is None or labels.BLOCK_RE.search(ln.joined) is None):
                # a header row just above the first row of another block is that block's header
                if self.pending_fresh and "proactive:pending" in self.headers:
                    self.headers[inferred] = self.headers["proactive:pending"]
                self.block = inferred
        if self.section is None:
            return
        if self.block is None:
            if self.section == "proactive":  # a header before any block is known
                found = {i: k for i, k in ln.label_cells if match_column(k, ALL_COLS_FLAT)}
                if found:
                    self.headers["proactive:pending"] = (found, len(ln.cells))
                    self.pending_fresh = True
                    self._column_evidence(found.values(), ALL_COLS_FLAT)
            return
        if self.section == "proactive":
            self._proactive(ln)
        elif self.section == "applications":
            self._applications(ln)
        elif self.section == "review_litigation":
            self._review(ln)

    def _transition(self, ln: _Line) -> None:
        joined = ln.joined
        m = labels.BLOCK_RE.search(joined)
        if m:
            self.section, self.block = "proactive", labels.BLOCK_CODE.get(m.group(1))
            self.header_order.pop(self.block or "", None)
        elif labels.starts_applications(joined, ln.short, self.section):
            self.section, self.block = "applications", "applications"
        elif ("行政复议" in joined and ("行政诉讼" in joined or "结果维持" in joined)) or \
                "政府信息公开行政复议" in joined:
            if self.section != "review_litigation":
                self.section, self.block = "review_litigation", "review_litigation"
        elif re.match(r"^(五、|六、)", joined) and ("问题" in joined or "改进" in joined or "其他需要" in joined):
            self.section, self.block = None, None
        elif "政府信息公开行政复议" not in joined and re.match(r"^[二三]、", joined) and not ln.has_values \
                and "主动公开" in joined:
            self.section, self.block = "proactive", None
        elif self.section != "proactive" and not ln.has_values and "信息内容" in joined and any(
                match_column(k, ALL_COLS_FLAT) for _, k in ln.label_cells):
            self.section, self.block = "proactive", None  # a 第二十条 table printed without its titles

    # ------------------------------------------------------------------ section 二

    def _proactive(self, ln: _Line) -> None:
        block = self.block
        assert block is not None
        cols = ALL_PROACTIVE_COLS.get(block, [])
        found = {i: k for i, k in ln.label_cells if match_column(k, cols)}
        found_any = {i: k for i, k in ln.label_cells if match_column(k, ALL_COLS_FLAT)}
        if found_any and ("信息内容" in ln.joined or not labels.match_row(ln.short, ALL_ROWS_FLAT)):
            # a header row: this block's, or (tables without markers) the next block's
            self.headers["proactive:pending"] = (found_any, len(ln.cells))
            self.pending_fresh = True
        if found and not labels.match_row(ln.short, ALL_PROACTIVE_ROWS.get(block, [])) or \
                (found and "信息内容" in ln.joined):
            self.headers[block] = (found, len(ln.cells))
            self._header_text(block, ln, found, cols)
            self._column_evidence(found.values(), cols)
        grid = self.mode == GRID or self._blank_fields(ln, 1)
        if not ln.has_values and not grid:
            row = labels.match_row(ln.short, ALL_PROACTIVE_ROWS.get(block, []))
            if row is not None and not found:
                self.slots.append(_Slot("proactive", block, row, self.seq))
                self._row_evidence(row)
            return
        row = labels.match_row(ln.short, ALL_PROACTIVE_ROWS.get(block, []))
        if row is None:
            if not grid and ln.has_values:
                self._add(ln, "proactive", block, None)  # aligned with a label line at the end
            elif ln.has_values and ln.keys:
                self.issues.append(Issue(errors.UNKNOWN_ROW, f"row {'/'.join(ln.keys)[:60]!r} is not in the vocabulary",
                                         table="proactive", page=ln.page))
            return
        if not ln.has_values and grid and found:
            return
        self._row_evidence(row)
        self._add(ln, "proactive", block, row)
        self.pending_fresh = False

    def _column_evidence(self, keys, cols) -> None:
        """A header naming a column of one version only (本年新制作数量 2019, 本年制发件数 2021): the
        tables' own evidence of their format, however little of them is printed."""
        for k in keys:
            code = match_column(k, cols)
            if code in labels.ONLY_2019_COLS:
                self.evidence["2019"] += 1
            elif code in labels.ONLY_2021_COLS:
                self.evidence["2021"] += 1

    def _blank_fields(self, ln: _Line, n: int) -> bool:
        """Delimited text: a label followed by at least n empty fields is a row of blank cells
        (the delimiters are explicit), not a label waiting for its values on another line."""
        if self.mode != FIELDS or ln.has_values or not ln.label_cells:
            return False
        return len(ln.cells) - (ln.label_cells[-1][0] + 1) >= n

    def _row_evidence(self, row: str) -> None:
        if row in ("other_external_services", "centralized_procurement"):
            self.evidence["2019"] += 1

    def _header_text(self, block: str, ln: _Line, found: dict[int, str], cols) -> None:
        """Text tables: the columns in printed order when one line names them all, and (aligned
        text) the centre of each column's label."""
        if self.mode == GRID:
            return
        codes = []
        for i, k in sorted(found.items()):
            code = match_column(k, cols)
            if code and code not in codes:
                codes.append(code)
            c = ln.cells[i]
            if self.mode == X and code and c is not None and c.bbox is not None:
                self.header_x.setdefault(block, {})[code] = (c.bbox[0] + c.bbox[2]) / 2
        want = {c.code for c in cols} if block == "applications" else None
        if want is not None and set(codes) == want or want is None and len(codes) >= 2:
            self.header_order[block] = codes

    # ------------------------------------------------------------------ section 三

    def _applications(self, ln: _Line) -> None:
        grid = self.mode == GRID or self._blank_fields(ln, len(vocab.APPLICANT_COLUMNS))
        hdr = {i: k for i, k in ln.label_cells if match_column(k, vocab.APPLICANT_COLUMNS)}
        if len(hdr) >= 2 and not ln.has_values:
            old, w = self.headers.get("applications", ({}, None))
            merged = dict(old) if w == len(ln.cells) else {}
            merged.update(hdr)
            self.headers["applications"] = (merged, len(ln.cells))
            self._header_text("applications", ln, hdr, vocab.APPLICANT_COLUMNS)
            return
        if hdr and not ln.has_values and not grid:
            self._header_text("applications", ln, hdr, vocab.APPLICANT_COLUMNS)
        if len(hdr) >= 2:  # header cells and data in one merged row (one cell per line)
            self.headers["applications"] = ({}, None)
        read = labels.read_app_label(ln.short, self.app_state)
        row = read.row
        if row is None:
            if not grid and ln.has_values:
                self._add(ln, "applications", "applications", None)
            elif ln.has_values and ln.keys:
                self.issues.append(Issue(errors.UNKNOWN_ROW, f"row {'/'.join(ln.keys)[:60]!r} is not in the vocabulary",
                                         table="applications", page=ln.page))
            return
        if not ln.has_values and not grid:
            if (read.numbered or read.score >= 0.9) and not all(k in labels.APPLICANT_HEADER_KEYS for k in ln.short):
                prev = self.slots[-1] if self.slots else None
                if row in vocab.OTHER_SUBROWS and prev is not None and prev.row == "other_handling" and \
                        not any(o.seq > prev.seq for o in self.obs[-1:]):
                    self.slots.pop()  # （六）其他处理 heads its three rows here: it is not a row itself
                self.slots.append(_Slot("applications", "applications", row, self.seq))
                if row in vocab.OTHER_SUBROWS:
                    self.evidence["2021"] += 2
            return
        if row in vocab.OTHER_SUBROWS:
            self.evidence["2021"] += 2
        self._add(ln, "applications", "applications", row)

    # ------------------------------------------------------------------ section 四

    def _review(self, ln: _Line) -> None:
        if not ln.has_values:
            printed = [c for c in (match_column(k, vocab.RESULT_COLUMNS) for _, k in ln.label_cells) if c]
            if len(printed) >= 5 and len(set(printed[:5])) == 5:
                self.review_order = tuple(printed[:5])  # the result columns as the header prints them
            return
        vals = values_of(ln.cells, ln.first_val)
        n_vals = len(vals)
        digits = sum(len(re.sub(r"\D", "", v.text)) for v in vals)
        if not ln.short and n_vals < 5 and digits < 5:
            return  # a page number or stray figure, not a row of the table
        row = labels.review_row(ln.short) if n_vals <= 5 else None
        if row is None and n_vals == 5 and not ln.short:
            # three unlabelled rows of five: 行政复议, then the two 行政诉讼 rows, in print order
            done = [o.row for o in self.obs if o.table == "review_litigation"]
            row = next((r for r in labels.REVIEW_ROWS if r not in done), None)
            if row is None:
                return
            o = self._add(ln, "review_litigation", "review_litigation", row)
            o.order, o.unlabelled = self.review_order, True
            return
        o = self._add(ln, "review_litigation", "review_litigation", row)
        o.order = self.review_order

    # ------------------------------------------------------------------ observations

    def _add(self, ln: _Line, table: str, block: str, row: str | None) -> Obs:
        h, w = self.headers.get(block, ({}, None))
        order = self.header_order.get(block)
        o = Obs(table, block, row, ln.cells, ln.first_val, self.mode, ln.page, h, w,
                tuple(order) if order else None, dict(self.header_x.get(block, {})), self.table_no, self.seq)
        self.obs.append(o)
        return o

    def align(self) -> None:
        """Give unlabelled text rows of values the rows named by label-only lines (module doc)."""
        for table in ("proactive", "applications"):
            items = sorted([o for o in self.obs if o.table == table and o.mode != GRID]
                           + [s for s in self.slots if s.table == table], key=lambda x: x.seq)
            if not any(isinstance(x, Obs) and x.row is None for x in items):
                continue
            self._proximity(items)
            self._zip_gaps(table, items)
        review = [o for o in self.obs if o.table == "review_litigation"]
        if len(review) == 1 and review[0].unlabelled:
            # one unlabelled line of five pieces is not "three rows of five": it may be 行政复议 alone or
            # all fifteen numbers with some run together ("32027 6 6176 无 2216") — read it as the whole row
            review[0].row = None
        lost = [o for o in self.obs if o.row is None and o.table != "review_litigation"]
        for o in lost:
            self.issues.append(Issue(errors.UNKNOWN_ROW, "a row of values whose label could not be read",
                                     table=o.table, page=o.page))
        self.obs = [o for o in self.obs if o.row is not None or o.table == "review_litigation"]

    @staticmethod
    def _proximity(items: list) -> None:
        """An unlabelled row of values right after exactly one label line naming a row (since the
        previous row of values) is that row's."""
        pending: list[_Slot] = []
        for x in items:
            if isinstance(x, _Slot):
                pending.append(x)
                continue
            if x.row is None and len(pending) == 1:
                x.row, x.block = pending[0].row, pending[0].block
                pending[0].row = ""  # used
            pending = []

    def _zip_gaps(self, table: str, items: list) -> None:
        """Between two labelled rows, pair unlabelled rows with unused label lines in print order —
        when they are as many, in the form's order, and each label is next to its numbers."""
        taken = {(o.block, o.row) for o in self.obs if o.table == table and o.row}
        order = labels.ROW_ORDER
        gap_rows: list[Obs] = []
        gap_slots: list[_Slot] = []
        lo = -1

        def close(hi: int) -> None:
            slots = [s for s in gap_slots if s.row and (s.block, s.row) not in taken
                     and lo < order[(table, s.row)] < hi]
            slots = list({(s.block, s.row): s for s in slots}.values())
            seq = [order[(table, s.row)] for s in slots]
            pairs = list(zip(gap_rows, slots, strict=False))
            # each label next to its numbers: no other row of values printed between the two
            near = all(not any(min(o.seq, s.seq) < v.seq < max(o.seq, s.seq) for v in gap_rows if v is not o)
                       for o, s in pairs)
            if gap_rows and len(slots) == len(gap_rows) and seq == sorted(set(seq)) and near:
                for o, s in pairs:
                    o.row, o.block = s.row, s.block
                    taken.add((s.block, s.row))

        for x in items:
            if isinstance(x, _Slot):
                gap_slots.append(x)
            elif x.row is None:
                gap_rows.append(x)
            else:
                hi = order[(table, x.row)]
                close(hi)
                gap_rows, gap_slots, lo = [], [], hi
        close(10**9)
