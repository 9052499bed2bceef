"""Lines of text → rows of cells with the positions the layout kept (the text reader's grid).

Each line is read by what separates its cells:

* **fields** — tab rows, pipe rows and Markdown tables: the delimiters are explicit, so every field
  is kept, empty ones too (an empty field between values is a blank cell); ``<br>`` inside a cell,
  bold markers and HTML remnants are removed;
* **x** — aligned text (``pdftotext -layout``, space-aligned columns): words with their display
  columns (a CJK character is two wide); words two or more spaces apart are separate cells;
* **flow** — anything else (single spaces, one cell per line, cells run together): the words in
  order.

In x and flow lines, label text and numbers are told apart word by word, and digits glued to a
label are cut off it ("规章000" → "规章", "000"; "…00000002.其他法律…" → "0000000", "2.其他法律…"), except
inside parentheses, in numbering ("1.", "2、") and in prose (a line with sentence punctuation
outside parentheses stays one cell). Consecutive lines holding a single value each (one cell per
line) form one row. Page-number footers ("- 4 -", "-3-", "第 4 页") are dropped; form feeds start a
new page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extractors.grid import FIELDS, FLOW, RawCell, RawTable, X
from extractors.values import looks_like_value

# a rule line ("------", "|---|---|", "======"); a lone "—" or "-" is a marker value, not a rule
SEP_ROW = re.compile(r"^\s*$|^[\s|:+]*[-=_]{3,}[\s\-=_|:+]*$|^\s*[—–]{4,}\s*$")
_TAG = re.compile(r"</?(?:p|span|div|td|tr|th|b|strong|font|em|i|u)\b[^>]*>", re.I)
_BR = re.compile(r"<br\s*/?>", re.I)
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,/，]?\s*共\s*\d{1,4}\s*页)?"
                          r"|\d{1,4}\s*/\s*\d{1,4})\s*$")
_PROSE = re.compile(r"[。；;！？!?]|(?:，|(?<!\d),|,(?!\d{3}))(?![^(（]*[)）])")  # not "2,223" nor "（…，…）"
_NUMBERING_WORD = re.compile(r"^(?:[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、](?=\D))")
_TRAILING_SPACE = re.compile(r"[^\s\u00a0\u3000][ \u00a0\u3000]+$")
MAX_LABEL_LINE = 42  # longer lines are prose, never a table label (the longest label has 37 characters)


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(unicodedata.normalize("NFKC", line)))


def display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


@dataclass
class Word:
    text: str
    x0: int
    x1: int
    gap_before: int  # spaces before it on the line (display columns)


def _clean(s: str) -> str:
    s = _BR.sub("", s)
    s = _TAG.sub("", s).replace("**", "").replace("&nbsp;", " ")
    return s


# ------------------------------------------------------------------ fields

def is_pipe_row(line: str) -> bool:
    t = line.strip()
    return t.count("|") >= 2 and (t.startswith("|") or t.endswith("|") or t.count("|") >= 3)


def field_cells(line: str) -> list[str]:
    """The fields of a tab or pipe row, empty ones kept."""
    s = line.rstrip("\r\n")
    if "\t" in s:
        parts = s.split("\t")
    else:
        t = s.strip()
        t = t[1:] if t.startswith("|") else t
        t = t[:-1] if t.endswith("|") else t
        parts = t.split("|")
    return [_clean(p).strip() for p in parts]


# ------------------------------------------------------------------ words

def words(line: str, wide: bool = True) -> list[Word]:
    """The words of a line with their columns: display columns (a CJK character two wide, as editors
    align text) when `wide`, else characters (as ``pdftotext -layout`` aligns it)."""
    out: list[Word] = []
    col = 0
    cur = ""
    start = 0
    gap = 0
    for ch in line:
        w = 2 if wide and unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if ch in " \u00a0\u3000":
            if cur:
                out.append(Word(cur, start, col, gap))
                cur, gap = "", 0
            gap += w
        else:
            if not cur:
                start = col
            cur += ch
        col += w
    if cur:
        out.append(Word(cur, start, col, gap))
    return out


def _is_prose(text: str) -> bool:
    return bool(_PROSE.search(text))


# a label glued to the next one's numbering: "…其他一、本年新收…", "…办理结果（一）予以公开" (not "第（一）项")
_INNER_NUMBERING = re.compile(r"(?<=[\u4e00-\u9fff）)”])(?<!第)(?=[(（][一二三四五六七八九十][)）]|[一二三四五六七八九十]、"
                              r"|\d[.．、][\u4e00-\u9fff])")


def split_labels(text: str) -> list[str]:
    return [p for p in _INNER_NUMBERING.split(text) if p]


def split_glued(text: str) -> list[str]:
    """A word's label text and the numbers glued to it, in order: "规章000" → ["规章", "000"];
    "00000002.其他法律" → ["0000000", "2.其他法律"]; digits in parentheses or numbering stay label."""
    if looks_like_value(text) or not any(ch.isdigit() for ch in text):
        return [text]
    parts: list[str] = []
    cur = ""
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if ch.isdigit() and depth == 0:
            j = i
            while j < n and (text[j].isdigit() or (text[j] in ".," and j + 1 < n and text[j + 1].isdigit()
                                                   and j > i)):
                j += 1
            run = text[i:j]
            after = text[j] if j < n else ""
            if after and after in ".．、" and (j + 1 == n or not text[j + 1].isdigit()):
                # numbering of the next label: its last digit ("…00000002.其他")
                if len(run) > 1:
                    parts += [p for p in (cur, run[:-1]) if p]
                    cur = ""
                cur += run[-1] if len(run) > 1 else run
                i = j
                continue
            unit = re.match(r"万元|亿元|元|件|%", text[j:])
            if unit and unit.group() == "%":
                cur += run
                i = j
                continue
            if unit:
                run += unit.group()
                j += len(unit.group())
            sign = ""
            if cur.endswith(("-", "减", "增", "+")) and (len(cur) == 1 or not cur[-2].isdigit()):
                sign, cur = cur[-1], cur[:-1]
            marker = re.search(r"[/／—–]+$", cur)  # a "/" or "—" cell glued before the digits
            if marker and marker.start() > 0:
                _add_label(parts, cur[:marker.start()])
                cur = marker.group()
            if cur:
                _add_label(parts, cur)
            parts.append(sign + run)
            cur = ""
            i = j
            continue
        cur += ch
        i += 1
    if cur:
        _add_label(parts, cur)
    return parts


_LEADING_MARKER = re.compile(r"^([/／—–]+)(?=[^/／—–\d])")


def _add_label(parts: list[str], text: str) -> None:
    """Text after a number: a "/", "—" or "无" it starts with is a cell of its own (no label starts
    with one), glued between the number and the next label ("…155-8—行政强制…")."""
    m = _LEADING_MARKER.match(text)
    after_number = bool(parts) and parts[-1][-1:].isdigit()
    if m and after_number:
        parts.append(m.group(1))
        text = text[m.end():]
    elif after_number and text.startswith("无") and len(text) > 1 and not text.startswith(("无法", "无正当")):
        parts.append("无")  # the form's labels starting with 无 are 无法提供 and 无正当理由…
        text = text[1:]
    if text:
        parts.append(text)


@dataclass
class Piece:
    text: str
    x0: int
    x1: int
    value: bool
    new_cell: bool  # starts a new label cell (a wide gap, or numbering)


def line_pieces(line: str, *, aligned: bool, wide: bool = True) -> list[Piece]:
    """A text line → its label and value pieces (see the module doc)."""
    line = _clean(line)
    ws = words(line, wide)
    if not ws:
        return []
    text = line.strip()
    if _is_prose(text):
        return [Piece(text, ws[0].x0, ws[-1].x1, False, True)]
    out: list[Piece] = []
    for w in ws:
        parts = [q for p in split_glued(w.text) for q in ([p] if looks_like_value(p) else split_labels(p))]
        x = w.x0
        for k, p in enumerate(parts):
            width = display_width(p) if wide else len(p)
            value = looks_like_value(p)
            new = k > 0 or (aligned and w.gap_before >= 2) or bool(_NUMBERING_WORD.match(p))
            out.append(Piece(p, x, x + width, value, new))
            x += width
    return out


def pieces_to_cells(pieces: list[Piece], lineno: int, page: int | None) -> list[RawCell]:
    """Label pieces join into label cells (a new one at a wide gap or numbering); each value is a cell."""
    cells: list[RawCell] = []
    prev_label = False
    for p in pieces:
        box = (float(p.x0), float(lineno), float(p.x1), float(lineno + 1))
        if p.value:
            cells.append(RawCell(p.text, page, True, box))
            prev_label = False
            continue
        if prev_label and not p.new_cell:
            last = cells[-1]
            assert last.bbox is not None
            cells[-1] = RawCell(f"{last.text} {p.text}", page, True, (last.bbox[0], box[1], box[2], box[3]))
        else:
            cells.append(RawCell(p.text, page, True, box))
        prev_label = True
    return cells


# ------------------------------------------------------------------ the document's lines

def is_layout_text(lines: list[str]) -> bool:
    """Aligned text: several lines print a label and values in columns two or more spaces apart."""
    hits = 0
    for line in lines:
        if "\t" in line or is_pipe_row(line):
            continue
        ws = words(line.strip())
        if len(ws) >= 3 and sum(1 for w in ws[1:] if w.gap_before >= 2) >= 2 and \
                sum(1 for w in ws if looks_like_value(w.text)) >= 2:
            hits += 1
            if hits >= 5:
                return True
    return False


def wide_columns(lines: list[str]) -> bool:
    """Whether aligned text counts a CJK character as two columns (an editor's alignment) or one
    (``pdftotext -layout``): the measure under which the numbers of different lines start at fewer
    distinct columns."""
    starts: dict[bool, set[int]] = {True: set(), False: set()}
    for line in lines:
        if "\t" in line or is_pipe_row(line):
            continue
        for wide in (True, False):
            vals = [w.x0 for w in words(line, wide) if looks_like_value(w.text)]
            if len(vals) >= 3:
                starts[wide].update(vals)
    return len(starts[True]) <= len(starts[False])


def line_tables(lines: list[str], *, page_start: int | None = None, first_line: int = 0,
                aligned: bool | None = None, wide: bool | None = None) -> list[RawTable]:
    """Lines → RawTables, one per run of lines read the same way (fields / x / flow). `aligned` and
    `wide` (see :func:`is_layout_text`, :func:`wide_columns`) are detected unless given."""
    aligned = is_layout_text(lines) if aligned is None else aligned
    wide = (wide_columns(lines) if aligned else True) if wide is None else wide
    page = page_start
    tables: list[RawTable] = []
    cur_mode: str | None = None
    rows: list[list[RawCell | None]] = []

    def flush() -> None:
        nonlocal rows
        if rows and cur_mode is not None:
            tables.append(RawTable(_merge_single_values(rows), rows_page(rows), f"text:{cur_mode}", cur_mode))
        rows = []

    for n, line in enumerate(lines, first_line):
        if "\f" in line:
            page = (page or 1) + line.count("\f")
            line = line.replace("\f", "")
        if not line.strip() or SEP_ROW.match(line) or is_page_number(line):
            continue
        if "\t" in line or is_pipe_row(line):
            mode = FIELDS
            texts = field_cells(line)
            if all(not t or SEP_ROW.match(t) for t in texts):
                continue
            cells = [RawCell(t, page, True, (float(j), float(n), float(j + 1), float(n + 1))) for j, t in enumerate(texts)]
        else:
            mode = X if aligned else FLOW
            cells = pieces_to_cells(line_pieces(line, aligned=aligned, wide=wide), n, page)
            if cells and _TRAILING_SPACE.search(_clean(line)) and looks_like_value(cells[-1].text):
                # a space after the last number (an empty cell's &nbsp;): an empty cell marks it, so a
                # row whose numbers ran together knows a blank may have ended it
                box = cells[-1].bbox
                assert box is not None
                cells.append(RawCell("", page, True, (box[2] + 1, box[1], box[2] + 2, box[3])))
            if not cells:
                continue
        if mode != cur_mode:
            flush()
            cur_mode = mode
        rows.extend(_split_rows(cells) if mode == FLOW else [list(cells)])
    flush()
    return tables


def _split_rows(cells: list[RawCell]) -> list[list[RawCell | None]]:
    """Several rows printed on one line (a table's text run together, or a CMS joining its rows):
    a label after a value starts the next row."""
    rows: list[list[RawCell | None]] = [[]]
    for c in cells:
        value = looks_like_value(c.text) or c.text == ""  # "" marks a space after the last number
        if not value and rows[-1] and looks_like_value(rows[-1][-1].text):  # type: ignore[union-attr]
            last = rows[-1][-1]
            if last is not None and last.bbox and c.bbox and c.bbox[0] > last.bbox[2]:
                rows[-1].append(RawCell("", last.page, True, (last.bbox[2] + 0.5, last.bbox[1], c.bbox[0], last.bbox[3])))
            rows.append([])
        rows[-1].append(c)
    return rows


def rows_page(rows: list[list[RawCell | None]]) -> int | None:
    return next((c.page for r in rows for c in r if c is not None and c.page is not None), None)


def _merge_single_values(rows: list[list[RawCell | None]]) -> list[list[RawCell | None]]:
    """One value per line (a CMS printing each cell as a paragraph): consecutive such lines are one
    row of values."""
    out: list[list[RawCell | None]] = []
    singles = False  # the last row of `out` is made of single-value lines
    for r in rows:
        single = len(r) == 1 and r[0] is not None and looks_like_value(r[0].text)
        if single and singles:
            out[-1].append(r[0])
            continue
        out.append(list(r))
        singles = single
    return out
