"""Plain-text reader → RawDocument.

Handles the forms reports are found in as text (web pages saved as text, crawler dumps, CMS
paragraphs, PDF→text and PDF→Markdown conversions): tab rows and pipe/Markdown rows (every field kept:
an empty one is a blank cell), HTML ``<table>``s inside Markdown, aligned columns (``pdftotext
-layout``: the words' display columns are kept as cell boxes), one cell per line, single-spaced rows
and cells run together (see :mod:`extractors.textrows`). The result is a RawDocument whose tables say
how their cells' positions can be trusted (:attr:`RawTable.positions`), so the assembler sees the
same shape as from a PDF or an HTML page.

Bytes are decoded by BOM, then UTF-8, then GB18030 (a superset of GBK/GB2312), then
charset-normalizer's guess; text that decodes to mostly control/replacement characters is an
``encoding_error``.
"""

from __future__ import annotations

import re

from extractors import errors
from extractors.doubled import undouble
from extractors.grid import GRID, RawDocument, RawTable
from extractors.model import Issue
from extractors.normalize import strip_layout_controls
from extractors.textrows import field_cells, is_pipe_row, line_pieces, line_tables, pieces_to_cells


class ReaderError(Exception):
    """A document that cannot be read: carries an error code of extractors.errors."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def decode_bytes(data: bytes) -> str:
    """Decode document bytes (BOM, UTF-8, GB18030, then charset-normalizer) into text without control
    characters or terminal escapes (layout kept); raise ReaderError ``encoding_error`` when nothing gives
    plausible text."""
    return strip_layout_controls(_decode(data))


def _decode(data: bytes) -> str:
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


_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)


def text_to_rows(text: str) -> list[list[str]]:
    """Lines → rows of cell texts, as the text reader reads them (for tests and debugging)."""
    return [[c.text if c is not None else "" for c in r] for t in line_tables(text.splitlines()) for r in t.rows]


def _html_tables(fragment: str) -> list[RawTable]:
    """An HTML ``<table>`` inside Markdown or text (PDF→Markdown converters emit them for merged cells)."""
    import lxml.html
    from lxml import etree

    from extractors.html import table_grid

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    out = []
    for t in root.iter("table"):
        grid = table_grid(t)
        for r in grid:
            for c in r:
                if c is not None:
                    c.text = c.text.replace("**", "")
        if grid:
            out.append(RawTable(grid, None, "text:html", GRID))
    return out


def _plain(fragment: str) -> str:
    """An HTML table as tab-separated lines (the document's text, for metadata and prose)."""
    rows = re.findall(r"<tr\b.*?</tr\s*>", fragment, re.I | re.S)
    return "\n".join("\t".join(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh]\b.*?</t[dh]\s*>", r, re.I | re.S))
                     for r in rows)


def read_text(data: bytes | str, *, media_type: str = "text/plain") -> RawDocument:
    """Read a text document into a RawDocument (see the module doc)."""
    text = data if isinstance(data, str) else decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    issues: list[Issue] = []
    once = undouble(text)
    if once is not None:
        text = once
        issues.append(Issue(errors.DOUBLED_TEXT, "every word of the text is printed twice (bold faked by "
                                                 "drawing each glyph twice): read once"))
    tables: list[RawTable] = []
    plain: list[str] = []
    pos = 0
    line_no = 0
    page = 1 if "\f" in text else None
    for m in [*_HTML_TABLE.finditer(text), None]:
        chunk = text[pos:m.start() if m else len(text)]
        lines = chunk.split("\n")
        tables += line_tables(lines, page_start=page, first_line=line_no)
        if page is not None:
            page += chunk.count("\f")
        line_no += len(lines)
        plain.append(chunk)
        if m is None:
            break
        tables += _html_tables(m.group())
        plain.append("\n" + _plain(m.group()) + "\n")
        pos = m.end()
    return RawDocument(media_type=media_type, text="".join(plain), tables=tables, pages=None, issues=issues)


__all__ = ["ReaderError", "decode_bytes", "read_text", "text_to_rows", "field_cells", "is_pipe_row",
           "line_pieces", "pieces_to_cells"]
