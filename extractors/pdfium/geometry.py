"""Coordinates as pdfminer and pdfplumber compute them: the page's device matrix, matrix products,
pdfplumber's page frame, and the numbers a PDF wrote recovered from PDFium's single precision."""

from __future__ import annotations

import struct
from typing import Any


def page_ctm(plumber_page: Any) -> tuple[float, float, float, float, float, float]:
    """pdfminer's device matrix of the page (``PDFPageInterpreter.process_page``): user space →
    the layout space pdfplumber's coordinates start from (mediabox origin, page rotation)."""
    page_obj = plumber_page.page_obj
    x0, y0, x1, y1 = page_obj.mediabox
    rotate = page_obj.rotate
    if rotate == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


_F32 = struct.Struct("f")
_DEC: dict[float, float] = {}


def f32(v: float) -> float:
    """``v`` rounded to single precision."""
    return _F32.unpack(_F32.pack(v))[0]


def dec(v: float) -> float:
    """The number a PDF wrote, from PDFium's single-precision copy of it: the value with the fewest
    decimals that has the same single-precision value ("74.3" for 74.30000305). pdfminer computes
    with the written numbers; so, from them, do we (sums and products of them PDFium made in single
    precision come back as the nearest short decimal)."""
    r = _DEC.get(v)
    if r is None:
        r = v
        for k in range(7):
            q = round(v, k)
            if _F32.unpack(_F32.pack(q))[0] == v:
                r = q
                break
        if len(_DEC) < 65536:
            _DEC[v] = r
    return r


def mult(m1: tuple, m0: tuple) -> tuple:
    """pdfminer's ``mult_matrix``: m1 then m0."""
    (a1, b1, c1, d1, e1, f1) = m1
    (a0, b0, c0, d0, e0, f0) = m0
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


def apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    (a, b, c, d, e, f) = m
    return a * x + c * y + e, b * x + d * y + f


class Frame:
    """pdfplumber's page coordinates: layout-space y flipped by the page height, shifted back by the
    mediabox origin; ``doctop`` adds the heights of the pages before."""

    def __init__(self, plumber_page: Any):
        self.height = plumber_page.height
        self.mb_x0, self.mb_top = plumber_page.mediabox[0], plumber_page.mediabox[1]
        self.doctop0 = plumber_page.initial_doctop
        self.page_number = plumber_page.page_number

    def box(self, kind: str, x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
        top = (self.height - y1) + self.mb_top
        d = {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0, "height": y1 - y0,
             "object_type": kind, "page_number": self.page_number,
             "top": top, "bottom": (self.height - y0) + self.mb_top, "doctop": self.doctop0 + top}
        if self.mb_x0 != 0:
            d["x0"], d["x1"] = x0 + self.mb_x0, x1 + self.mb_x0
        return d

    def coord(self, pt: tuple[float, float]) -> tuple[float, float]:
        return (self.mb_x0 + pt[0], self.mb_top + self.height - pt[1])
