"""HTML reader → RawDocument.

* encoding from the BOM, the ``<meta charset>`` / ``http-equiv`` declaration, then UTF-8, GB18030 and
  charset-normalizer (GBK/GB2312 pages are read as GB18030, their superset);
* lxml with ``huge_tree`` (Word-exported pages are huge and deeply nested), walked iteratively;
* page chrome ignored: scripts, styles, nav/header/footer, forms, and elements whose class/id marks
  them as navigation, breadcrumbs or footers;
* every ``<table>`` (nested ones too, each with only its own rows) expanded into a grid: a cell with
  rowspan/colspan fills every position it covers, the copies with ``origin=False``.

A page without any table raises ``no_tables``.
"""

from __future__ import annotations

import re

from extractors import errors
from extractors.grid import RawCell, RawDocument, RawTable, check_grid_size
from extractors.sniff import unicode_encoding
from extractors.text import ReaderError, decode_bytes

MEDIA_TYPE = "text/html"
MAX_SPAN = 200  # a rowspan/colspan beyond this is a broken page, not a table layout

_META_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CHROME_TAGS = ("script", "style", "noscript", "template", "iframe", "nav", "header", "footer", "form",
                "select", "button", "object", "embed", "svg")
_CHROME_ATTR = re.compile(r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|footer|foot|header|topbar|sidebar|"
                          r"share|position|location|dqwz|bottom)([\s_-]|$)", re.I)
_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
               "blockquote", "pre", "ul", "ol", "dd", "dt", "title"}


def decode_html(data: bytes) -> str:
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or unicode_encoding(data):
        return decode_bytes(data)
    try:
        # valid UTF-8 with multi-byte characters is UTF-8 whatever the page declares (GBK text is
        # almost never valid UTF-8; mislabelled pages are common after CMS migrations)
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_RE.search(data[:8192])
    if m:
        enc = m.group(1).decode("ascii", "ignore").lower()
        if enc in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn"):
            enc = "gb18030"
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data)


def _is_chrome(el) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag.lower() in _CHROME_TAGS:
        return True
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"))))
    if attrs and _CHROME_ATTR.search(attrs):
        # never drop an element that holds the report's tables
        return not any(_REPORT_TABLE_HINT.search(t.text_content()[:5000]) for t in el.iter("table"))
    return False


def _cell_text(td) -> str:
    parts: list[str] = []
    for node in td.iter():
        if node is not td and isinstance(node.tag, str) and node.tag.lower() in ("table",):
            continue
        if isinstance(node.tag, str) and node.tag.lower() == "br":
            parts.append("\n")
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        if node is not td and node.tail:
            parts.append(node.tail)
    return re.sub(r"[ \t\r\f\v\u00a0]+", " ", "".join(parts)).strip()


def _own_rows(table) -> list:
    rows = []
    for tr in table.iter("tr"):
        anc = tr.getparent()
        while anc is not None and anc.tag != "table":
            anc = anc.getparent()
        if anc is table:
            rows.append(tr)
    return rows


def _span(v: str | None) -> int:
    try:
        n = int(re.sub(r"\D", "", v or "") or 1)
    except ValueError:
        n = 1
    return max(1, min(n, MAX_SPAN))


def _cells_of_row(tr) -> list:
    return [td for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")]


def grid_size(rows: list) -> list[int]:
    """The expanded length of each row (its colspans plus the positions rowspans from above cover),
    computed from the spans alone, without building anything."""
    lengths: list[int] = []
    carried: dict[int, int] = {}
    for r, tr in enumerate(rows):
        n = carried.pop(r, 0)
        for td in _cells_of_row(tr):
            rs, cs = _span(td.get("rowspan")), _span(td.get("colspan"))
            n += cs
            for dr in range(1, rs):
                carried[r + dr] = carried.get(r + dr, 0) + cs
        lengths.append(n)
    return lengths


def table_grid(table, spent: int = 0) -> list[list[RawCell | None]]:
    """Expand one <table> (its own rows only) into a grid of RawCells; ``too_large`` (raised before
    anything is built) when the spans would expand it past the limits of :mod:`extractors.grid`."""
    rows = _own_rows(table)
    check_grid_size(grid_size(rows), spent)
    grid: list[list[RawCell | None]] = []
    pending: dict[tuple[int, int], RawCell] = {}  # positions covered by rowspans from rows above
    for r, tr in enumerate(rows):
        row: list[RawCell | None] = []
        c = 0
        tds = _cells_of_row(tr)
        for td in tds:
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            text = _cell_text(td)
            rs, cs = _span(td.get("rowspan")), _span(td.get("colspan"))
            for dc in range(cs):
                cell = RawCell(text, None, origin=(dc == 0))
                row.append(cell)
                for dr in range(1, rs):
                    pending[(r + dr, c + dc)] = RawCell(text, None, origin=False)
            c += cs
        while (r, c) in pending:
            row.append(pending.pop((r, c)))
            c += 1
        grid.append(row)
    width = max((len(x) for x in grid), default=0)
    for row in grid:
        row.extend([None] * (width - len(row)))
    return grid


_TABLE_TAG = re.compile(r"<table\b", re.I)
_WRAPPERS = re.compile(r"</?(?:div|span|font|section|article|center|blockquote|b|strong|em|i|u|a)\b[^>]*>", re.I)
_REPORT_TABLE_HINT = re.compile(r"第二十条|申请人情况|自然人|行政复议|本年新收")


def _parse(text: str):
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise ReaderError(errors.NO_TABLES, f"the HTML cannot be parsed: {e}") from e


def read_html(data: bytes | str) -> RawDocument:

    text = data if isinstance(data, str) else decode_html(data)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    root = _parse(text)
    if root.find(".//table") is None and _TABLE_TAG.search(text):
        # libxml2 stops at a nesting depth of a few thousand elements: the tables were cut off.
        # Wrappers carry no table structure, so drop them and parse again.
        root = _parse(_WRAPPERS.sub("\n", text))
    chrome = [el for el in root.iter() if isinstance(el.tag, str) and _is_chrome(el)]
    for el in chrome:
        if el.getparent() is not None:
            el.drop_tree()
    tables = []
    spent = 0
    for t in root.iter("table"):
        grid = table_grid(t, spent)
        spent += len(grid) * max((len(r) for r in grid), default=0)
        if grid and any(any(c is not None and c.text for c in row) for row in grid):
            tables.append(RawTable(grid, None, "html"))
    # document text: block elements on their own lines, table cells tab-separated
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
        elif tag in ("td", "th"):
            el.tail = "\t" + (el.tail or "")
    title = root.findtext(".//title") or ""
    body = root.find("body")
    doc_text = (body if body is not None else root).text_content()
    doc_text = "\n".join(line.strip() for line in doc_text.splitlines() if line.strip())
    if title.strip() and title.strip() not in doc_text[:2000]:
        doc_text = title.strip() + "\n" + doc_text
    if not tables:
        raise ReaderError(errors.NO_TABLES, "the HTML page has no tables")
    return RawDocument(MEDIA_TYPE, doc_text, tables, None)
