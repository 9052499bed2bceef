"""Which pages can hold a table, decided before pdfplumber's table finder runs.

The reader finds tables two ways (``extractors.pdf.page_tables``): the ``lines`` strategy, which
needs ruling lines both ways (a table cell is where a horizontal and a vertical edge cross), and,
when that finds nothing, the ``text`` strategy on pages whose text holds rows of numbers. A page
with no horizontal or no vertical edge and no such rows gives no table whatever the finder does, so
the reader skips it: two of five pages of a typical report are prose.

The test is exact (it looks at the same edges pdfplumber would make of the page's objects), so
skipping never changes what is read; it is cheap (no edge objects are built).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def edge_orientations(objects: Mapping[str, Sequence[dict[str, Any]]]) -> tuple[bool, bool]:
    """(any horizontal edge, any vertical edge) among the edges pdfplumber makes of ``objects``:
    a rect gives both; a line is horizontal when its top equals its bottom and vertical otherwise
    (pdfplumber's ``line_to_edge``); a curve gives an edge per pair of consecutive points, horizontal
    or vertical when the pair shares a y or an x."""
    if objects.get("rect"):
        return True, True
    h = v = False
    for line in objects.get("line", ()):
        if line["top"] == line["bottom"]:
            h = True
        else:
            v = True
        if h and v:
            return True, True
    for curve in objects.get("curve", ()):
        pts = curve["pts"]
        for p0, p1 in zip(pts, pts[1:]):
            if p0[0] == p1[0]:
                v = True
            elif p0[1] == p1[1]:
                h = True
        if h and v:
            return True, True
    return h, v


def has_ruling_grid(objects: Mapping[str, Sequence[dict[str, Any]]]) -> bool:
    """Whether the lines strategy can find a table among ``objects``: edges both ways."""
    h, v = edge_orientations(objects)
    return h and v
