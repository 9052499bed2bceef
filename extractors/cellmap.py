"""Stage 3 of the assembler: one observed row's printed values → one cell per column.

How a value finds its column depends on what the medium kept (:attr:`RawTable.mode`):

* ``grid`` — the header located every column: the value of a column is the cell under it (an empty
  cell is ``blank``);
* ``fields`` — delimited text: the row's n columns are n consecutive fields after its label; every
  window of fields that holds all the row's values (and ends where the table's full rows end) is a
  possible reading;
* ``x`` — aligned text: a value belongs to the column whose values (in the rows of the same table
  that print all of them) or whose header label it lies under;
* ``flow`` — only the order of the values is known.

A row that prints every column's value reads in order. Otherwise each possible *placement* of the
values is enumerated; a cell that reads the same in every placement is read, any other cell is
``unreadable`` with the issue ``ambiguous_column`` — blanks are located cell by cell, never by
guessing a whole row. A row whose values ran together ("640020470") is handed to the solver
(:mod:`extractors.solver`) with its printed tokens.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from extractors import errors, vocab
from extractors.grid import FIELDS, FLOW, GRID, RawCell, X
from extractors.labels import match_column
from extractors.model import UNREADABLE, Cell, Issue
from extractors.values import is_run_together, looks_like_value, parse_value
from extractors.walk import Obs

MAX_PLACEMENTS = 5000
REACH = 0.3  # aligned text: a value is under a column when within this share of the gap to the next


@dataclass
class RowRead:
    """The cells one observed row gives (``run_together``: its printed value texts, for the solver)."""

    obs: Obs
    targets: list[tuple[str, tuple[vocab.Column, ...]]]  # (row code, its columns), in print order
    cells: list[Cell]
    run_together: list[str] | None = None
    gaps: tuple[int, ...] = ()  # run-together text: the token positions a space precedes (a blank may be there)
    issues: list[Issue] = field(default_factory=list)
    sources: dict[int, RawCell] = field(default_factory=dict)  # column index → the printed cell it was read from

    @property
    def columns(self) -> list[tuple[str, vocab.Column]]:
        return [(r, c) for r, cs in self.targets for c in cs]


def read_row(o: Obs, targets: list[tuple[str, tuple[vocab.Column, ...]]], peers: list[Obs]) -> RowRead:
    """The cells of one observed row (see the module doc). ``peers``: the other rows of the same
    table, from which aligned and delimited text learn where the columns are."""
    rr = RowRead(o, targets, [])
    cols = [c for _, cs in targets for c in cs]
    n = len(cols)
    lossy = o.mode == FIELDS and _lossy(o, n, peers)
    if o.mode == GRID or o.mode == FIELDS and not lossy:
        positions = _positions(o, cols)
        if positions is not None:
            # a merged cell repeated in every position it spans (PDF→Markdown converters): the copies
            # under the same header column are not stray values
            used = set(positions) | _repeats(o, cols, positions)
            stray = [c for j, c in enumerate(o.cells) if j >= o.first_val and j not in used and c is not None
                     and c.origin and c.text and c.text.strip()]
            # a position without any cell (a ragged row: fewer cells printed than the header has
            # columns) cannot be told from a shifted row; nor can a value cell merged over two columns or
            # rows: read those as a sequence instead (fewer values than columns → an issue)
            holes = any(j >= len(o.cells) or o.cells[j] is None or not o.cells[j].origin for j in positions)
            if not stray and not holes:
                rr.cells = [_cell(rr, i, o.cells[j]) for i, j in enumerate(positions)]
                return rr
    tokens = o.values
    if o.mode == GRID and o.table == "review_litigation" and len(o.cells) == n and o.first_val <= len(o.cells) \
            and not any(c is not None and c.text and c.text.strip() and not looks_like_value(c.text)
                        for c in o.cells):
        order = _review_order(o, cols)
        rr.cells = [_cell(rr, i, o.cells[order[i]]) for i in range(n)]
        return rr
    if len(tokens) == n and o.mode in (FLOW, X) and _glued_numbers(tokens):
        # as many pieces as columns, but a number glued to its neighbour ("0531901/411634/18"): the
        # count proves nothing, the piece may hold several cells — the solver decides
        rr.run_together, rr.gaps = [t.text.strip() for t in tokens], _gaps(o, tokens)[0]
        rr.cells = [_null(rr, i) for i in range(n)]
        return rr
    if len(tokens) == n:
        order = _review_order(o, cols) if o.table == "review_litigation" else _header_order(o, cols)
        rr.cells = [_cell(rr, i, tokens[order[i]]) for i in range(n)]
        return rr
    placements = None
    if len(tokens) < n and o.mode == FIELDS and not lossy:
        placements = _field_placements(o, n, peers)
    elif len(tokens) < n and o.mode == X:
        placements = _x_placements(o, cols, peers)
    if placements:
        rr.cells = _determine(rr, placements, n)
        return rr
    texts = [t.text.strip() for t in tokens]
    if len(tokens) < n:
        if o.mode in (FLOW, X):
            gaps, glued = _gaps(o, tokens)
            digits = sum(len(re.sub(r"\D", "", t)) for t in texts)
            # a space may stand for one empty cell or several side by side: with one, any digit count may fit
            together = glued and (digits >= n or bool(gaps)) or len(tokens) == 1 and is_run_together(texts, n)
            if together and not glued and _apart(o, tokens):
                gaps = tuple(range(len(tokens) + 1))  # nothing says where empty cells were: at any piece's end
        else:
            gaps, together = tuple(range(len(tokens) + 1)), is_run_together(texts, n)
        if together:
            rr.run_together, rr.gaps = texts, gaps
            rr.cells = [_null(rr, i) for i in range(n)]
            return rr
    code, msg = errors.ROW_WIDTH_MISMATCH, f"{len(tokens)} values for {n} columns"
    for r, _ in targets:
        rr.issues.append(Issue(code, msg, table=o.table, row=r, page=o.page))
    rr.cells = [_null(rr, i) for i in range(n)]
    return rr


# ------------------------------------------------------------------ numbers run together

def _glued(a: RawCell, b: RawCell) -> bool:
    """Two pieces of text printed with nothing between them (same line, adjacent columns)."""
    return a.bbox is not None and b.bbox is not None and a.bbox[1] == b.bbox[1] and a.bbox[2] == b.bbox[0]


def _glued_numbers(tokens: list[RawCell]) -> bool:
    """Two of the row's pieces printed with nothing between them, one of them a number of several
    digits or several marks ("0531901/…", "12—/"): where one cell ends is not printed."""
    def long(t: RawCell) -> bool:
        return len(re.sub(r"\D", "", t.text)) > 1 or not re.search(r"\d", t.text) and len(t.text.strip()) > 1

    return any(_glued(a, b) and (long(a) or long(b)) for a, b in zip(tokens, tokens[1:], strict=False))


def _apart(o: Obs, tokens: list[RawCell]) -> bool:
    """The row's pieces are on lines apart from its label or from each other (a CMS that prints each
    cell as a paragraph): an empty cell there leaves no trace at all."""
    lines = {t.bbox[1] for t in tokens if t.bbox is not None}
    label = next((c for c in reversed(o.cells[:o.first_val]) if c is not None and c.text.strip()), None)
    if label is None:  # the label was on a line of its own (section 四's line of fifteen has none by design)
        return o.table != "review_litigation"
    return len(lines) > 1 or label.bbox is not None and label.bbox[1] not in lines


def _gaps(o: Obs, tokens: list[RawCell]) -> tuple[tuple[int, ...], bool]:
    """Text whose numbers may have run together: the positions (0 before the first number, i before
    the i-th, len after the last) where a space stands — in text that glues a row's cells together, a
    space is where an empty cell was — and whether anything is glued at all (the first number to its
    label, or two numbers). Numbers all set apart from the label and each other are a short row (its
    blanks left no trace), never numbers run together."""
    inner = [i for i in range(1, len(tokens)) if not _glued(tokens[i - 1], tokens[i])]
    before = next((c for c in reversed(o.cells[:o.first_val]) if c is not None and c.text.strip()), None)
    label_glued = before is not None and _glued(before, tokens[0])
    glued = label_glued or len(inner) < len(tokens) - 1
    lead = [0] if before is not None and before.bbox is not None and not label_glued \
        and before.bbox[1] == tokens[0].bbox[1] else []  # type: ignore[index]
    last = o.cells.index(tokens[-1])
    trail = [len(tokens)] if any(c is not None and c.text == "" for c in o.cells[last + 1:]) else []
    return tuple(lead + inner + trail), glued


# ------------------------------------------------------------------ cells

def _cell(rr: RowRead, i: int, rc: RawCell | None) -> Cell:
    o = rr.obs
    row, col = rr.columns[i]
    if rc is not None:
        rr.sources[i] = rc
    text = rc.text.strip() if rc is not None and rc.text else ""
    kind = vocab.kind_of(o.table, col.code)
    page = (rc.page if rc is not None and rc.page is not None else o.page)
    if rc is not None and not rc.origin and text:
        rr.issues.append(Issue(errors.UNREADABLE_VALUE, f"value {text!r} is a merged cell spanning columns",
                               table=o.table, row=row, column=col.code, page=page))
        return Cell(o.table, row, col.code, None, text, UNREADABLE, page)
    p = parse_value(text, kind)
    if p.issue:
        rr.issues.append(Issue(p.issue, f"cannot read {text!r} as a {kind}", table=o.table, row=row,
                               column=col.code, page=page))
    return Cell(o.table, row, col.code, p.value, text if rc is not None else None, p.status, page)


def _null(rr: RowRead, i: int) -> Cell:
    row, col = rr.columns[i]
    return Cell(rr.obs.table, row, col.code, None, None, UNREADABLE, rr.obs.page)


# ------------------------------------------------------------------ grids: the header's positions

def _positions(o: Obs, cols: list[vocab.Column]) -> list[int] | None:
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


def _repeats(o: Obs, cols: list[vocab.Column], positions: list[int]) -> set[int]:
    """Positions whose header names the same column as a chosen position and whose cell repeats the
    chosen cell's text."""
    out = set()
    for col, j in zip(cols, positions, strict=True):
        text = o.cells[j].text.strip() if j < len(o.cells) and o.cells[j] is not None else None
        for i, k in o.header.items():
            if i != j and i < len(o.cells) and match_column(k, cols) == col.code and o.cells[i] is not None \
                    and o.cells[i].text.strip() == text:
                out.add(i)
    return out


def _review_order(o: Obs, cols: list[vocab.Column]) -> list[int]:
    """Section 四: printed position of each column, groups of five in the header's column order
    (the form's order unless the header prints another)."""
    if not o.order or list(o.order) == [c.code for c in vocab.RESULT_COLUMNS]:
        return list(range(len(cols)))
    return [(i // 5) * 5 + o.order.index(col.code) for i, col in enumerate(cols)]


def _header_order(o: Obs, cols: list[vocab.Column]) -> list[int]:
    """The order of the columns as printed in the header, when it names all of them; else the
    vocabulary order."""
    seq: list[str] = []
    if o.header:
        for _, k in sorted(o.header.items()):
            code = match_column(k, cols)
            if code and code not in seq:
                seq.append(code)
    if sorted(seq) != sorted(c.code for c in cols) and o.order:
        seq = [c for c in o.order if c in {x.code for x in cols}]
    if sorted(seq) == sorted(c.code for c in cols):
        return [seq.index(c.code) for c in cols]
    return list(range(len(cols)))


# ------------------------------------------------------------------ placements

Placement = tuple[RawCell | None, ...]  # per column: the value cell under it, or None (blank)


def _is_value(c: RawCell | None) -> bool:
    return c is not None and c.origin and bool(c.text and c.text.strip())


def _span(o: Obs) -> tuple[int, int] | None:
    """(index after the last label cell, index of the last value cell) of a row's cells."""
    vals = [j for j in range(o.first_val, len(o.cells)) if _is_value(o.cells[j])]
    labels_end = max((j + 1 for j in range(o.first_val) if _is_value(o.cells[j])), default=0)
    return labels_end, vals[-1] if vals else labels_end - 1


def _trailing(o: Obs, n: int) -> int | None:
    """Delimited text: the number of empty fields after the last value in a row printing all n
    values in a run (the writer's trailing delimiters), None for another row."""
    sp = _span(o)
    if sp is None or len(o.values) != n:
        return None
    vals = [j for j in range(o.first_val, len(o.cells)) if _is_value(o.cells[j])]
    if vals[-1] - vals[0] != n - 1:
        return None
    return len(o.cells) - 1 - vals[-1]


def _trail(o: Obs, n: int, peers: list[Obs]) -> int | None:
    """The number of empty fields after the last value that the table's full rows agree on."""
    trail = {t for p in peers if p.table_no == o.table_no and p.mode == FIELDS for t in [_trailing(p, n)]
             if t is not None}
    return next(iter(trail)) if len(trail) == 1 else None


def _lossy(o: Obs, n: int, peers: list[Obs]) -> bool:
    """A delimited table in which some row cannot be placed at all has lost cells somewhere (a
    copy that dropped a column): its empty fields are not trusted as blanks, nor its header's
    positions."""
    end = _trail(o, n, peers)
    return any(p.table_no == o.table_no and p.mode == FIELDS and len(p.values) < n and not _windows(p, n, end)
               for p in peers)


def _field_placements(o: Obs, n: int, peers: list[Obs]) -> list[Placement] | None:
    """Every window of n consecutive fields after the label holding all of the row's values; when
    the table's full rows agree on how many empty fields follow their last value, the window ends
    there too (so a writer's trailing tab is not taken for a blank 总计)."""
    return _windows(o, n, _trail(o, n, peers)) or None


def _windows(o: Obs, n: int, trail: int | None) -> list[Placement]:
    sp = _span(o)
    if sp is None:
        return []
    start_min, last = sp
    first = next((j for j in range(o.first_val, len(o.cells)) if _is_value(o.cells[j])), len(o.cells) - n)
    out = []
    for s in range(start_min, first + 1):
        end = s + n  # exclusive
        if end <= last or end > len(o.cells):
            continue
        if trail is not None and len(o.cells) - end != trail:
            continue
        out.append(tuple(o.cells[j] if _is_value(o.cells[j]) else None for j in range(s, end)))
    return out


def _centre(c: RawCell) -> float:
    assert c.bbox is not None
    return (c.bbox[0] + c.bbox[2]) / 2


def _x_columns(o: Obs, cols: list[vocab.Column], peers: list[Obs]) -> list[float] | None:
    """Centres of the n columns: medians over the nearest rows of the same table and page printing
    all of them, when those rows agree (each column's values within :data:`REACH` of the narrowest gap;
    text that is not aligned fails this) and are at least two, or one that the header labels
    confirm; else None."""
    n = len(cols)
    full = [p for p in peers if p.mode == X and p.table == o.table and p.block == o.block
            and len(p.values) == n and all(v.bbox for v in p.values)]
    same_page = [p for p in full if p.page == o.page] or full
    near = sorted(same_page, key=lambda p: abs(p.seq - o.seq))[:8]
    header = [o.header_x[c.code] for c in cols] if o.header_x and all(c.code in o.header_x for c in cols) else None
    if near:
        centres = [statistics.median(_centre(p.values[j]) for p in near) for j in range(n)]
        rows = [[_centre(v) for v in p.values] for p in near]
        if len(near) == 1 and (header is None or not _agree([header], centres)) or not _agree(rows, centres):
            return None
    elif header is not None and _agree([header], header):
        centres = header
    else:
        return None
    # every value printed in this table on this page lies under one of the columns: the text is
    # aligned (two rows agreeing by chance, as in text whose labels happen to be as long, is not enough)
    page_rows = [p for p in peers if p.mode == X and p.table == o.table and p.block == o.block and p.page == o.page]
    tol = REACH * min(b - a for a, b in zip(centres, centres[1:], strict=False))
    for p in page_rows:
        if any(not v.bbox or min(abs(_centre(v) - c) for c in centres) > tol for v in p.values):
            return None
    return centres


def _agree(rows: list[list[float]], centres: list[float]) -> bool:
    gaps = [b - a for a, b in zip(centres, centres[1:], strict=False)]
    if not gaps or min(gaps) <= 0:
        return False
    tol = REACH * min(gaps)
    return all(abs(r[j] - centres[j]) <= tol for r in rows for j in range(len(centres)))


def _x_placements(o: Obs, cols: list[vocab.Column], peers: list[Obs]) -> list[Placement] | None:
    """Each value under a column whose centre is within reach (:data:`REACH` of the gap to the
    neighbouring columns); every increasing assignment is a placement."""
    centres = _x_columns(o, cols, peers)
    vals = o.values
    if centres is None or not all(v.bbox for v in vals):
        return None
    n = len(centres)
    gaps = [b - a for a, b in zip(centres, centres[1:], strict=False)]
    if any(g <= 0 for g in gaps):
        return None
    reach = [REACH * min(([gaps[j - 1]] if j > 0 else []) + ([gaps[j]] if j < n - 1 else [])) for j in range(n)]
    options = [_options(_centre(v), centres, reach) for v in vals]
    out: list[Placement] = []

    def place(i: int, lo: int, acc: list[int]) -> None:
        if len(out) >= MAX_PLACEMENTS:
            return
        if i == len(vals):
            row: list[RawCell | None] = [None] * n
            for v, j in zip(vals, acc, strict=True):
                row[j] = v
            out.append(tuple(row))
            return
        for j in options[i]:
            if j >= lo:
                place(i + 1, j + 1, [*acc, j])

    place(0, 0, [])
    return out or None


def _options(x: float, centres: list[float], reach: list[float]) -> list[int]:
    """The columns a value at x can be under: the one it stands under, or — standing between two
    columns — either of them."""
    near = [j for j, c in enumerate(centres) if abs(x - c) < reach[j]]
    if near:
        return near
    for j in range(len(centres) - 1):
        if centres[j] < x < centres[j + 1]:
            return [j, j + 1]
    j = 0 if x < centres[0] else len(centres) - 1
    return [j] if abs(x - centres[j]) < 2 * reach[j] else []


def _determine(rr: RowRead, placements: list[Placement], n: int) -> list[Cell]:
    """A cell that reads the same in every placement is read; the others are unreadable, each with
    an ``ambiguous_column`` issue."""
    o = rr.obs
    out = []
    for i in range(n):
        seen = {(p[i].text.strip() if p[i] is not None else None) for p in placements}
        if len(seen) == 1:
            pick = next(p[i] for p in placements)
            out.append(_cell(rr, i, pick) if pick is not None else _blank(rr, i))
            continue
        row, col = rr.columns[i]
        shown = sorted("blank" if s is None else repr(s) for s in seen)
        rr.issues.append(Issue(errors.AMBIGUOUS_COLUMN,
                               f"{len(o.values)} values for {n} columns: the layout does not say whether this "
                               f"cell holds {' or '.join(shown)}", table=o.table, row=row, column=col.code,
                               page=o.page))
        out.append(_null(rr, i))
    return out


def _blank(rr: RowRead, i: int) -> Cell:
    row, col = rr.columns[i]
    return Cell(rr.obs.table, row, col.code, None, "", "blank", rr.obs.page)
