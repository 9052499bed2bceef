"""Plain-text tables for a terminal, aligned for Chinese text (a CJK character takes two columns)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence


def width(s: str) -> int:
    """Columns `s` takes on a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, w: int) -> str:
    return s + " " * max(0, w - width(s))


def clip(s: str, w: int) -> str:
    """`s` cut to at most `w` columns."""
    out, used = [], 0
    for ch in s:
        used += width(ch)
        if used > w:
            break
        out.append(ch)
    return "".join(out)


def table(header: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A header, a rule of dashes and the rows, each column as wide as its widest cell; the columns
    numbered in `right` (numbers) aligned right."""
    rows = [list(map(str, r)) for r in rows]
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(header)]

    def cell(i: int, c: str, w: int) -> str:
        return " " * max(0, w - width(c)) + c if i in right else pad(c, w)

    line = lambda cells: "  ".join(cell(i, c, w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()  # noqa: E731
    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)
