"""Painted paths → pdfplumber's ``rect`` / ``line`` / ``curve`` dicts, classified as pdfminer's
``PDFLayoutAnalyzer.paint_path`` does: one object per subpath; a closed axis-parallel four-sided
subpath is a rect, a single segment a line, anything else a curve whose points are the segment end
points."""

from __future__ import annotations

from ctypes import byref, c_float, c_int
from typing import Any

from extractors.pdfium.geometry import Frame, apply, dec, f32, mult
from extractors.pdfium.lib import Lib


def path_objects(lib: Lib, obj: int, matrix: tuple | None, ctm: tuple, frame: Frame) -> list[dict[str, Any]]:
    """One painted path → pdfplumber's line / rect / curve dicts, one per subpath, classified as
    pdfminer's ``PDFLayoutAnalyzer.paint_path`` does."""
    fm = lib.FS_MATRIX()
    lib.FPDFPageObj_GetMatrix(obj, byref(fm))
    m = tuple(map(dec, (fm.a, fm.b, fm.c, fm.d, fm.e, fm.f)))
    if matrix is not None:
        m = mult(m, matrix)
    m = mult(m, ctm)
    fillmode, stroke = c_int(), c_int()
    lib.FPDFPath_GetDrawMode(obj, byref(fillmode), byref(stroke))
    lw = c_float()
    lib.FPDFPageObj_GetStrokeWidth(obj, byref(lw))
    style = {"linewidth": lw.value, "stroke": bool(stroke.value), "fill": fillmode.value != lib.FILL_NONE,
             "evenodd": fillmode.value == lib.FILL_ALTERNATE}
    # segments → pdfminer's (operator, point) list, in the path's space: a closing segment becomes
    # its line and an "h"
    ops: list[tuple[str, tuple[float, float]]] = []
    x, y = c_float(), c_float()
    start: tuple[float, float] | None = None
    n = lib.FPDFPath_CountSegments(obj)
    i = 0
    while i < n:
        seg = lib.FPDFPath_GetPathSegment(obj, i)
        kind = lib.FPDFPathSegment_GetType(seg)
        if kind == lib.BEZIERTO:  # three segments: two control points and the end point
            i += 2
            seg = lib.FPDFPath_GetPathSegment(obj, i)
            op = "c"
        else:
            op = "m" if kind == lib.MOVETO else "l"
        lib.FPDFPathSegment_GetPoint(seg, byref(x), byref(y))
        pt = (dec(x.value), dec(y.value))
        if op == "m":
            start = pt
        ops.append((op, pt))
        if lib.FPDFPathSegment_GetClose(seg) and start is not None:
            ops.append(("h", start))
        i += 1
    if ops and ops[0][0] != "m":
        return []  # pdfminer ignores a path that does not begin with a move
    out = []
    sub: list[tuple[str, tuple[float, float]]] = []
    for op in [*ops, ("m", (0.0, 0.0))]:  # pdfminer: every subpath "m[^m]+" is painted on its own
        if op[0] == "m":
            if len(sub) > 1:
                out.append(_classify([(o, apply(m, *pt)) for o, pt in _as_re(sub)], style, frame))
            sub = [op]
        elif sub:
            sub.append(op)
    return out


def _as_re(path: list[tuple[str, tuple[float, float]]]) -> list[tuple[str, tuple[float, float]]]:
    """A subpath PDFium made of ``x y w h re`` (its corners in single precision) with the corners
    pdfminer computes from the operands: ``x + w``, ``y + h`` in double precision."""
    if "".join(op for op, _ in path) != "mllllh":
        return path
    (x, y), (x1, y1), (x2, y2), (x3, y3), end = (pt for _, pt in path[:5])
    if not (end == (x, y) and x1 == x2 and y1 == y and x3 == x and y3 == y2):
        return path
    w, h = _operand(x, x2), _operand(y, y2)
    return [("m", (x, y)), ("l", (x + w, y)), ("l", (x + w, y + h)), ("l", (x, y + h)), ("l", (x, y)),
            ("h", (x, y))]


def _operand(x: float, corner: float) -> float:
    """The ``w`` of ``x y w h re`` with the fewest decimals for which PDFium's single-precision
    ``x + w`` is ``corner``."""
    target, fx, d = f32(corner), f32(x), corner - x
    for k in range(8):
        q = round(d, k)
        if f32(fx + f32(q)) == target:
            return q
    return d


def _classify(path: list[tuple[str, tuple[float, float]]], style: dict[str, Any], frame: Frame) -> dict[str, Any]:
    shape = "".join(op for op, _ in path)
    pts = [pt for _, pt in path]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:  # a redundant "l" before "h"
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        return _shape(frame, "line", pts[:2], style)
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            a, c = pts[0], pts[2]
            return _shape(frame, "rect", [a, (c[0], a[1]), c, (a[0], c[1])], style)
    return _shape(frame, "curve", pts, style)


def _shape(frame: Frame, kind: str, pts: list[tuple[float, float]], style: dict[str, Any]) -> dict[str, Any]:
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    d = frame.box(kind, min(xs), min(ys), max(xs), max(ys))
    d["pts"] = [frame.coord(p) for p in pts]
    d.update(style)
    return d
