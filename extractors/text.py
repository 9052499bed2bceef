"""Plain-text reader → RawDocument.

Handles the layouts reports are found in as text (copied from web pages, converted by tools):

* tab-separated rows, with empty cells where merged cells were (the seeds 000, 001, 002, 004);
* one cell per line (seed 003): a run of label lines followed by a run of value lines is one row;
* pipes / markdown remnants ("| a | b |", "------", "<p>…</p>", "**bold**");
* columns aligned with runs of spaces.

Bytes are decoded by BOM, then UTF-8, then GB18030 (a superset of GBK/GB2312), then
charset-normalizer's guess; text that decodes to mostly control/replacement characters is an
``encoding_error``.
"""

from __future__ import annotations

import re

from extractors import errors
from extractors.grid import RawCell, RawDocument, RawTable
from extractors.values import looks_like_value


class ReaderError(Exception):
    """A document that cannot be read: carries an error code of extractors.errors."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def decode_bytes(data: bytes) -> str:
    """Decode document bytes (BOM, UTF-8, GB18030, then charset-normalizer); raise ReaderError
    ``encoding_error`` when nothing gives plausible text."""
    from extractors.sniff import unicode_encoding

    enc = unicode_encoding(data)  # a BOM (UTF-8, UTF-16, UTF-32), or UTF-32 without one
    if enc:
        return data.decode(enc, errors="replace").removeprefix("\ufeff")
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:2_000_000]).best()
        if best is not None:
            text = str(best) if len(data) <= 2_000_000 else data.decode(best.encoding, errors="replace")
            if _plausible(text) and _readable(text):
                return text
    except Exception:  # noqa: BLE001 - a detector failure is an encoding error, not a crash
        pass
    raise ReaderError(errors.ENCODING_ERROR, "cannot determine the text encoding (tried UTF-8, GB18030, detection)")


def _plausible(text: str) -> bool:
    if not text:
        return True
    sample = text[:20000]
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\r\n\f"))
    return bad / len(sample) < 0.02


def _readable(text: str) -> bool:
    """Mostly CJK, ASCII or CJK punctuation: what a report in Chinese decodes to (Latin-1 mojibake
    of undecodable bytes does not)."""
    sample = text[:20000]
    if not sample:
        return True
    ok = sum(1 for ch in sample if ch < "\x7f" or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return ok / len(sample) >= 0.7


# a rule line ("------", "|---|---|", "======"); a lone "—" or "-" is a marker value, not a rule
_SEP_ROW = re.compile(r"^\s*$|^[\s|:+]*[-=_]{3,}[\s\-=_|:+]*$|^\s*[—–]{4,}\s*$")
_TAG = re.compile(r"</?(?:p|span|div|br|td|tr|b|strong|font)\b[^>]*>", re.I)
_MAX_LABEL_LINE = 42  # longer lines are prose, never a table label (the longest label has 37 characters)


def _label_line(line: str) -> bool:
    """A line that can be a table label (not a sentence of prose)."""
    t = line.strip()
    return len(t) <= _MAX_LABEL_LINE and not t.endswith(("。", "；", ";"))


def _cells_of(line: str) -> list[str]:
    s = _TAG.sub("", line).replace("**", "")
    if "\t" in s:
        cells = s.split("\t")
    elif s.count("|") >= 2:
        cells = s.strip().strip("|").split("|")
    elif re.search(r"\S(?: {2,}|\u3000+)\S", s.strip()):
        cells = re.split(r" {2,}|\u3000+", s.strip())
    else:
        cells = _split_trailing_values(s.strip())
    return [c.strip() for c in cells]


_PAGE_NUMBER = re.compile(r"^[\s\-—–]*\d{1,4}[\s\-—–]*$|^第\s*\d+\s*页")
_GLUED = re.compile(r"^(.*[\u4e00-\u9fff）)”])(\d[\d,]*(?:\.\d+)?)$")


def _split_trailing_values(line: str) -> list[str]:
    """A label followed by values separated by single spaces (text copied from a PDF:
    "（七）总计 5 0 0 0 0 0 5") → [label, values…]; any other line stays one cell."""
    if not re.search(r"\s", line) and looks_like_value(line):
        return [line]  # "减4", "2977.8555万元": one value, not a label and a number
    glued = _GLUED.match(line)
    if glued and _label_line(glued.group(1)):
        # digits glued to the label: cells run together (only the identities could split them)
        return [glued.group(1), glued.group(2)]
    toks = line.split()
    if len(toks) < 2:
        return [line]
    k = len(toks)
    while k > 0 and looks_like_value(toks[k - 1]):
        k -= 1
    if k == 0 and not _PAGE_NUMBER.match(line) and sum(1 for t in toks if t[:1].isdigit()) >= 3:
        return toks  # a row of values only (section 四's 15 numbers)
    if k == len(toks) or k == 0:
        return [line]
    label = " ".join(toks[:k])
    if not _label_line(label):
        return [line]
    return [label, *toks[k:]]


def text_to_rows(text: str) -> list[list[str]]:
    """Lines → rows of cell texts (see the module doc)."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if _SEP_ROW.match(line):
            continue
        cells = _cells_of(line)
        if all(not c or _SEP_ROW.match(c) for c in cells):
            continue
        rows.append(cells)
    return _merge_single_cell_runs(rows)


def _merge_single_cell_runs(rows: list[list[str]]) -> list[list[str]]:
    """One cell per line: a run of short label lines followed by a run of value lines → one row."""
    out: list[list[str]] = []
    i = 0
    n = len(rows)
    while i < n:
        row = rows[i]
        if len(row) != 1:
            out.append(row)
            i += 1
            continue
        # collect a run of single-cell label lines, then single-cell value lines
        j = i
        labels: list[str] = []
        while j < n and len(rows[j]) == 1 and not looks_like_value(rows[j][0]):
            labels.append(rows[j][0])
            j += 1
        values: list[str] = []
        while j < n and len(rows[j]) == 1 and looks_like_value(rows[j][0]):
            values.append(rows[j][0])
            j += 1
        if not values:
            out.extend([lab] for lab in labels)
            i = j
            continue
        # only the trailing short labels belong to the row; earlier lines stay prose rows
        k = len(labels)
        while k > 0 and _label_line(labels[k - 1]) and len(labels) - k < 40:
            k -= 1
        out.extend([lab] for lab in labels[:k])
        out.append(labels[k:] + values)
        i = j
    return out


def read_text(data: bytes | str, *, media_type: str = "text/plain") -> RawDocument:
    """Read a text document into a RawDocument with one table holding every row (the assembler
    finds the report's sections among them)."""
    text = data if isinstance(data, str) else decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows = text_to_rows(text)
    table = RawTable(rows=[[RawCell(c) for c in r] for r in rows], page=None, source="text")
    return RawDocument(media_type=media_type, text=text, tables=[table] if rows else [], pages=None)
