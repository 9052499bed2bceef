"""The table grid of a page image, in named stages (as pdfplumber's TableFinder):
ink → ruling lines → intersections → grid lines → cells (merged cells found by the rulings that
are *absent* between two grid positions).

* :func:`ink` — adaptive threshold: dark print on a page of any brightness;
* :func:`rulings` — horizontal and vertical strokes longer than any glyph stroke (morphological
  opening), small breaks closed again, and only those strokes kept that meet a stroke of the other
  direction at an end (a ruling ends at a junction; a glyph's stroke inside a cell never does);
* :func:`find_tables` — each connected group of rulings is a table; its distinct line positions
  give the grid, and two neighbouring grid positions belong to one merged cell when the ruling
  between them is missing.

Coordinates are page pixels (x to the right, y down). ``GridTable.positions()`` gives the
expanded grid the readers of :mod:`extractors.grid` use: one covering cell per position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 between the ruling lines


@dataclass
class GridTable:
    box: tuple[int, int, int, int]
    xs: list[int]  # vertical grid lines, left to right
    ys: list[int]  # horizontal grid lines, top to bottom
    cells: list[GridCell] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1

    def positions(self) -> list[list[GridCell]]:
        """Row-major grid: the cell covering each position."""
        nr, nc = self.shape
        out: list[list[GridCell | None]] = [[None] * nc for _ in range(nr)]
        for c in self.cells:
            for i in range(c.row, c.row + c.rowspan):
                for j in range(c.col, c.col + c.colspan):
                    out[i][j] = c
        return out  # type: ignore[return-value]


@dataclass
class Rulings:
    ink: np.ndarray  # 0/255: dark print
    horizontal: np.ndarray  # 0/255: horizontal ruling strokes
    vertical: np.ndarray  # 0/255: vertical ruling strokes

    @property
    def lines(self) -> np.ndarray:
        return cv2.bitwise_or(self.horizontal, self.vertical)


def ink(grey: np.ndarray) -> np.ndarray:
    """Dark print as 255 on 0: a local-mean threshold (uneven lighting, grey shading, blur)."""
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 14)


def _touching(mask: np.ndarray, other: np.ndarray, vertical: bool, reach: int) -> np.ndarray:
    """The strokes of ``mask`` with an end within ``reach`` px of a stroke of ``other``."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    near = cv2.dilate(other, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 2 * reach + 1)))
    keep = np.zeros(n, dtype=bool)
    h, w = mask.shape
    for k in range(1, n):
        x, y, bw, bh, _area = stats[k]
        if vertical:
            ends = [(max(0, y - reach), min(h, y + reach + 1)), (max(0, y + bh - reach - 1), min(h, y + bh + reach))]
            hit = any(near[a:b, x:x + bw].any() for a, b in ends)
        else:
            ends = [(max(0, x - reach), min(w, x + reach + 1)), (max(0, x + bw - reach - 1), min(w, x + bw + reach))]
            hit = any(near[y:y + bh, a:b].any() for a, b in ends)
        keep[k] = hit
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def rulings(grey: np.ndarray, binary: np.ndarray | None = None) -> Rulings:
    """Ruling strokes of the page (see the module doc)."""
    b = ink(grey) if binary is None else binary
    h, w = b.shape
    hk = max(25, w // 30)  # longer than any glyph's stroke, shorter than the narrowest column
    vk = max(18, w // 55)
    hor = cv2.morphologyEx(b, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    ver = cv2.morphologyEx(b, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    hor = cv2.morphologyEx(hor, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    ver = cv2.morphologyEx(ver, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 15)))
    reach = 6
    hor2 = _touching(hor, ver, vertical=False, reach=reach)
    ver2 = _touching(ver, hor, vertical=True, reach=reach)
    return Rulings(b, hor2, ver2)


def _cluster(values: list[float], tol: float) -> list[int]:
    """Positions of groups of nearby values (each group's mean), sorted."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [round(sum(g) / len(g)) for g in out]


def _segments(mask: np.ndarray, vertical: bool, min_len: int) -> list[tuple[float, int, int]]:
    """(position, start, end) of each stroke: x, y0, y1 for vertical strokes; y, x0, x1 else."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segs = []
    for k in range(1, n):
        x, y, bw, bh, _ = stats[k]
        if vertical and bh >= min_len:
            segs.append((x + (bw - 1) / 2, int(y), int(y + bh - 1)))
        elif not vertical and bw >= min_len:
            segs.append((y + (bh - 1) / 2, int(x), int(x + bw - 1)))
    return segs


def _coverage(mask: np.ndarray, pos: int, a: int, b: int, vertical: bool, reach: int = 3) -> float:
    """Share of the span a..b along line ``pos`` where ``mask`` has a stroke (within ``reach`` px)."""
    if b - a <= 2:
        return 1.0
    if vertical:
        band = mask[a:b, max(0, pos - reach):pos + reach + 1]
        return float(band.any(axis=1).mean()) if band.size else 0.0
    band = mask[max(0, pos - reach):pos + reach + 1, a:b]
    return float(band.any(axis=0).mean()) if band.size else 0.0


def _find(parent: list[int], a: int) -> int:
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


def table_grid(r: Rulings, box: tuple[int, int, int, int], min_gap: int = 8) -> GridTable | None:
    """The grid of one table region: grid lines from the strokes inside it, cells from the rulings
    present between grid positions."""
    x0, y0, x1, y1 = box
    hor = r.horizontal[y0:y1 + 1, x0:x1 + 1]
    ver = r.vertical[y0:y1 + 1, x0:x1 + 1]
    hs = _segments(hor, vertical=False, min_len=12)
    vs = _segments(ver, vertical=True, min_len=12)
    ys = _cluster([s[0] for s in hs], min_gap)
    xs = _cluster([s[0] for s in vs], min_gap)
    if len(xs) < 2 or len(ys) < 2:
        return None
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))
    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and _coverage(ver, xs[j + 1], ys[i] + 3, ys[i + 1] - 2, vertical=True) < 0.5:
                parent[_find(parent, i * nc + j)] = _find(parent, i * nc + j + 1)
            if i + 1 < nr and _coverage(hor, ys[i + 1], xs[j] + 3, xs[j + 1] - 2, vertical=False) < 0.5:
                parent[_find(parent, i * nc + j)] = _find(parent, (i + 1) * nc + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(nr):
        for j in range(nc):
            groups.setdefault(_find(parent, i * nc + j), []).append((i, j))
    cells = []
    taken: set[tuple[int, int]] = set()
    for members in sorted(groups.values()):
        r0 = min(i for i, _ in members)
        c0 = min(j for _, j in members)
        r1 = max(i for i, _ in members)
        c1 = max(j for _, j in members)
        span = {(i, j) for i in range(r0, r1 + 1) for j in range(c0, c1 + 1)}
        if span & taken:  # a non-rectangular group (a broken ruling): keep its own positions only
            span = set(members) - taken
            for (i, j) in sorted(span):
                cells.append(GridCell(i, j, 1, 1, (x0 + xs[j], y0 + ys[i], x0 + xs[j + 1], y0 + ys[i + 1])))
            taken |= span
            continue
        taken |= span
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1,
                              (x0 + xs[c0], y0 + ys[r0], x0 + xs[c1 + 1], y0 + ys[r1 + 1])))
    cells.sort(key=lambda c: (c.row, c.col))
    return GridTable((x0 + xs[0], y0 + ys[0], x0 + xs[-1], y0 + ys[-1]), [x0 + x for x in xs],
                     [y0 + y for y in ys], cells)


def find_tables(grey: np.ndarray, r: Rulings | None = None, *, min_width: int = 80, min_height: int = 30) -> list[GridTable]:
    """The ruled tables of a page, top to bottom."""
    r = rulings(grey) if r is None else r
    lines = cv2.dilate(r.lines, np.ones((5, 5), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    out = []
    for k in range(1, n):
        x, y, bw, bh, _ = stats[k]
        if bw < min_width or bh < min_height:
            continue
        g = table_grid(r, (int(x), int(y), int(x + bw - 1), int(y + bh - 1)))
        if g is not None and g.shape[0] >= 1 and g.shape[1] >= 2:
            out.append(g)
    out.sort(key=lambda t: (t.box[1], t.box[0]))
    return out
