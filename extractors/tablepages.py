"""Which pages can hold a table, decided before pdfplumber's table finder runs.

The reader finds tables two ways (``extractors.pdf.page_tables``): the ``lines`` strategy, whose
tables it keeps only when they have two columns or more, and, when that finds nothing, the ``text``
strategy on pages whose text holds rows of numbers. A table of two columns needs vertical edges at
three places at least (its left, middle and right rules) and horizontal edges at two; pdfplumber
snaps edges closer than its snap tolerance into one place and never makes a place where no edge is.
So a page whose edges stand at fewer places, and whose text holds no rows of numbers, gives no table
whatever the finder does, and the reader skips it. Prose pages are often framed or shaded (one
box, or white boxes behind each paragraph) but never ruled into columns.

The test is exact (it takes the edges pdfplumber would make of the page's objects and clusters them
as its snapping does), so skipping never changes what is read; and cheap (no edge objects are built).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def edge_positions(objects: Mapping[str, Sequence[dict[str, Any]]]) -> tuple[list[float], list[float]]:
    """(x of every vertical edge, top of every horizontal edge) pdfplumber makes of ``objects``: a
    rect gives both sides both ways; a line is horizontal when its top equals its bottom and
    vertical otherwise (``line_to_edge``); a curve gives an edge per pair of consecutive points,
    vertical or horizontal when the pair shares an x or a y."""
    xs: list[float] = []
    tops: list[float] = []
    for r in objects.get("rect", ()):
        xs += (r["x0"], r["x1"])
        tops += (r["top"], r["bottom"])
    for line in objects.get("line", ()):
        if line["top"] == line["bottom"]:
            tops.append(line["top"])
        else:
            xs.append(line["x0"])
    for curve in objects.get("curve", ()):
        pts = curve["pts"]
        for p0, p1 in zip(pts, pts[1:], strict=False):
            if p0[0] == p1[0]:
                xs.append(p0[0])
            elif p0[1] == p1[1]:
                tops.append(p0[1])
    return xs, tops


def places(values: Iterable[float], tolerance: float) -> int:
    """How many places pdfplumber's snapping (``cluster_list``) makes of ``values``: sorted, a value
    within ``tolerance`` of the one before joins its place."""
    n, last = 0, None
    for v in sorted(values):
        if last is None or v > last + tolerance:
            n += 1
        last = v
    return n


def may_hold_ruled_table(objects: Mapping[str, Sequence[dict[str, Any]]], snap_tolerance: float) -> bool:
    """Whether the lines strategy can find a table of two columns or more among ``objects``."""
    xs, tops = edge_positions(objects)
    return places(tops, snap_tolerance) >= 2 and places(xs, snap_tolerance) >= 3
