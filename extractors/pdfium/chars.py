"""A page's glyphs → pdfplumber's ``char`` dicts, each placed as pdfminer's ``LTChar`` places it:
the origin, the text matrix, the advance width and the font's descent (or, in vertical writing, its
position vector), read from PDFium's text page."""

from __future__ import annotations

import ctypes
import unicodedata
from ctypes import byref, c_double, c_float
from dataclasses import dataclass
from typing import Any

from extractors.pdfium.fonts import FontMetrics
from extractors.pdfium.geometry import Frame, dec
from extractors.pdfium.lib import Lib, Unsupported

# Unicode bidirectional classes of right-to-left scripts: PDFium reverses such runs.
_RTL = {"R", "AL", "RLE", "RLO", "RLI"}


def _may_be_rtl(o: int) -> bool:
    """Whether code point ``o`` lies where right-to-left characters are (Hebrew to NKo, the
    presentation forms, the right-to-left marks, and the supplementary right-to-left scripts)."""
    return (0x590 <= o <= 0x8FF or 0xFB1D <= o <= 0xFEFF or 0x200F <= o <= 0x202E or 0x2066 <= o <= 0x2069
            or 0x10800 <= o <= 0x10FFF or 0x1E800 <= o <= 0x1EFFF)
# Presentation-form ligatures PDFium splits into pieces (ff, fi, fl, ffi, ffl, ſt, st).
_LIGATURE_PIECES = {unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}


@dataclass
class _Font:
    """A PDFium font as pdfminer reads it: its metrics, and whether PDFium's loose character box
    spans the advance width (the font has an ascent/descent span)."""

    metrics: FontMetrics
    loose_width: bool


def _font(lib: Lib, font: int, fonts: dict[tuple[bytes, bool], FontMetrics | None], probe: int) -> _Font:
    size = lib.FPDFFont_GetBaseFontName(font, None, 0)
    nbuf = ctypes.create_string_buffer(max(1, size))
    lib.FPDFFont_GetBaseFontName(font, nbuf, size)
    name = nbuf.value
    # PDFium's glyph "width" of a vertical-writing font is its (negative) vertical advance
    w = c_float()
    lib.FPDFFont_GetGlyphWidth(font, probe, 1000.0, byref(w))
    key = (name, w.value < 0)
    if key not in fonts:
        raise Unsupported(f"font {name!r} is not among the page's resources")
    m = fonts[key]
    if m is None:
        raise Unsupported(f"two fonts named {name!r} with different metrics")
    if m.unsupported:
        raise Unsupported(m.unsupported)
    asc, desc = c_float(), c_float()
    lib.FPDFFont_GetAscent(font, 1000.0, byref(asc))
    lib.FPDFFont_GetDescent(font, 1000.0, byref(desc))
    return _Font(m, asc.value != desc.value)


class _TextObject:
    """What a text object gives each of its glyphs: the text matrix in user space (``u*``, with
    ``Tz`` folded into its first column) and in pdfminer's layout space (``a``–``d``), the text
    object's position (``e``, ``f``), the font size and the font."""

    def __init__(self, fsm: Any, fs: float, ctm: tuple, obj: int, font: int, f: _Font):
        self.ua, self.ub, self.uc, self.ud = dec(fsm.a), dec(fsm.b), dec(fsm.c), dec(fsm.d)
        self.e, self.f = fsm.e, fsm.f
        ca, cb, cc, cd = ctm[:4]
        # the char matrix in pdfminer's layout space: text matrix × CTM × the page's matrix
        self.a, self.b = self.ua * ca + self.ub * cc, self.ua * cb + self.ub * cd
        self.c, self.d = self.uc * ca + self.ud * cc, self.uc * cb + self.ud * cd
        self.fs = dec(fs)
        self.obj, self.font, self.metrics = obj, font, f.metrics
        self.key = (fsm.a, fsm.b, fsm.c, fsm.d, fs, font)
        self.vertical = f.metrics.vertical
        # PDFium's loose box spans the advance when the text matrix is axis-parallel (and the font has
        # an ascent/descent span); otherwise the width comes from the glyph
        self.loose_ua = self.ua if self.ub == 0 and self.uc == 0 and self.ua != 0 and f.loose_width else 0.0

    def pen(self, ux: float, uy: float) -> tuple[float, float]:
        """Vertical writing: PDFium's origin is the glyph's horizontal origin; pdfminer's is the pen
        position, a position vector (vx, vy) further on. The pen stays on the text object's vertical
        line (through its position): vx is the origin's distance from that line (in text space); vy
        is the font's (DW2)."""
        ua, ub, uc, ud = self.ua, self.ub, self.uc, self.ud
        det = ua * ud - ub * uc
        if not det:
            raise Unsupported("a degenerate text matrix")
        vx = -(ud * (ux - self.e) - uc * (uy - self.f)) / det
        vy = self.metrics.vy * 0.001 * self.fs
        return ux + ua * vx + uc * vy, uy + ub * vx + ud * vy

    def box(self, adv: float, e: float, f: float) -> tuple[float, float, float, float]:
        """pdfminer's ``LTChar`` box: a box in text space around the pen position (``e``, ``f`` in
        layout space), through the char matrix; (x0, y0, x1, y1)."""
        a, b, c, d, fs = self.a, self.b, self.c, self.d, self.fs
        if self.vertical:
            vyp = (1000 - self.metrics.vy) * fs * 0.001
            bx0, by0, bx1, by1 = -fs * 0.5, vyp + adv, -fs * 0.5 + fs, vyp
        else:
            bx0, by0 = 0, self.metrics.descent * fs
            bx1, by1 = adv, by0 + fs
        xa, ya = a * bx0 + c * by0 + e, b * bx0 + d * by0 + f
        xb, yb = a * bx1 + c * by0 + e, b * bx1 + d * by0 + f
        xc, yc = a * bx1 + c * by1 + e, b * bx1 + d * by1 + f
        xd, yd = a * bx0 + c * by1 + e, b * bx0 + d * by1 + f
        return min(xa, xb, xc, xd), min(ya, yb, yc, yd), max(xa, xb, xc, xd), max(ya, yb, yc, yd)


def _page_text(lib: Lib, textpage: int, n: int) -> str:
    """The text page's characters, one per character index."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = lib.FPDFText_GetText(textpage, 0, n, buf)
    text = bytes(buf)[: 2 * max(0, got - 1)].decode("utf-16-le", "surrogatepass")
    if len(text) != n:  # control characters left out, or characters beyond the BMP as surrogate pairs
        text = "".join(chr(lib.FPDFText_GetUnicode(textpage, i)) for i in range(n))
    return text


def _drawn(lib: Lib, textpage: int, i: int, ch: str) -> bool:
    """Whether character ``i`` is a glyph drawn on the page (not a break PDFium inserted); raises
    :class:`Unsupported` for a glyph pdfminer would read differently."""
    o = ord(ch)
    if ch.isspace():
        return not lib.FPDFText_IsGenerated(textpage, i)
    if o < 0x20 or 0xFFFE <= o <= 0xFFFF or 0xD800 <= o <= 0xDFFF:
        raise Unsupported(f"control character U+{o:04X} in the text (a hyphen mark or an unmapped glyph)")
    if lib.FPDFText_HasUnicodeMapError(textpage, i):
        raise Unsupported("a glyph without a Unicode mapping")
    if _may_be_rtl(o) and unicodedata.bidirectional(ch) in _RTL:
        raise Unsupported("right-to-left text")
    return True


def read_chars(lib: Lib, textpage: int, frame: Frame, ctm: tuple, fonts: dict[tuple[bytes, bool], FontMetrics | None],
               norm: str | None) -> tuple[list[dict[str, Any]], set[int]]:
    """The page's glyphs as pdfminer's ``LTChar`` → pdfplumber char dicts (content order within
    each text object), and the text objects they came from."""
    n = lib.FPDFText_CountChars(textpage)
    if n <= 0:
        return [], set()
    text = _page_text(lib, textpage, n)
    ce, cf = ctm[4], ctm[5]
    ca, cb, cc, cd = ctm[:4]
    ox, oy = c_double(), c_double()
    fsm = lib.FS_MATRIX()
    glyph = _Glyphs(lib, textpage)
    font_cache: dict[int, _Font] = {}
    drift = _Drift()
    chars: list[dict[str, Any]] = []
    used: set[int] = set()
    t: _TextObject | None = None
    prev_key: tuple = ()
    prev_i = -1
    height, mb_x0, mb_top, doctop0, pn = frame.height, frame.mb_x0, frame.mb_top, frame.doctop0, frame.page_number
    for i in range(n):
        ch = text[i]
        if not _drawn(lib, textpage, i, ch):
            continue
        obj = lib.FPDFText_GetTextObject(textpage, i)
        if t is None or obj != t.obj:
            used.add(obj)
            font = lib.FPDFTextObj_GetFont(obj)
            lib.FPDFText_GetMatrix(textpage, i, byref(fsm))
            fs = lib.FPDFText_GetFontSize(textpage, i)
            if t is not None and t.key == (fsm.a, fsm.b, fsm.c, fsm.d, fs, font):
                t.obj, t.e, t.f = obj, fsm.e, fsm.f  # another object in the same font and orientation
            else:
                f_ = font_cache.get(font)
                if f_ is None:
                    f_ = font_cache[font] = _font(lib, font, fonts, ord(ch))
                t = _TextObject(fsm, fs, ctm, obj, font, f_)
        lib.FPDFText_GetCharOrigin(textpage, i, byref(ox), byref(oy))
        ux, uy = ox.value, oy.value
        key = (obj, ux, uy)
        if key == prev_key and _same_box(lib, textpage, prev_i, i):
            # one glyph, several code points (a multi-character mapping): pdfminer keeps one char
            prev = chars[-1]
            prev["text"] += ch
            if prev["text"] in _LIGATURE_PIECES:
                raise Unsupported("a ligature PDFium splits")
            if t.metrics.widths is not None:
                raise Unsupported("a multi-character glyph in a font with corrected widths")
            continue
        prev_key, prev_i = key, i
        if t.vertical:
            ux, uy = t.pen(ux, uy)
            adv = t.metrics.vadvance * 0.001 * t.fs
        else:
            adv = glyph.advance(i, t.font, ch, t.fs, t.loose_ua)
            ux, uy, adv = drift.correct(t, ux, uy, ch, adv, glyph)
        e, f = ca * ux + cc * uy + ce, cb * ux + cd * uy + cf
        x0, y0, x1, y1 = t.box(adv, e, f)
        top = height - y1 + mb_top
        chars.append({
            "object_type": "char", "page_number": pn, "text": ch, "fontname": t.metrics.fontname,
            "size": x1 - x0 if t.vertical else y1 - y0, "adv": adv, "upright": t.a * t.d > 0 and t.b * t.c <= 0,
            "matrix": (t.a, t.b, t.c, t.d, e, f),
            "x0": x0 + mb_x0, "x1": x1 + mb_x0, "y0": y0, "y1": y1, "width": x1 - x0, "height": y1 - y0,
            "top": top, "bottom": height - y0 + mb_top, "doctop": doctop0 + top,
            "_obj": obj,
        })
    if norm is not None:
        for cdict in chars:
            cdict["text"] = unicodedata.normalize(norm, cdict["text"])
    return chars, used


class _Glyphs:
    """Advance widths of a text page's glyphs, in text space units (PDFium's whole thousandths)."""

    def __init__(self, lib: Lib, textpage: int):
        self.lib, self.textpage = lib, textpage
        self.by_text: dict[tuple[int, str], float | None] = {}
        self.rect = lib.FS_RECTF()
        self.wbuf = c_float()

    def advance(self, i: int, font: int, ch: str, fs: float, ua: float) -> float:
        """Character ``i``'s advance. PDFium gives a font's width through the glyph's text (which
        may map back to another code with the same text, and another width) and, for an axis-parallel
        text matrix with x scale ``ua`` (else 0), through the loose box (the advance, widened to the
        glyph's ink where the ink overhangs). Where they differ without an overhang, the page goes to
        pdfminer."""
        lib = self.lib
        key = (font, ch)
        w = self.by_text.get(key, -1.0)
        if w == -1.0:
            ok = lib.FPDFFont_GetGlyphWidth(font, ord(ch[0]), 1000.0, byref(self.wbuf))
            w = self.by_text[key] = self.wbuf.value / 1000.0 if ok else None
        if not ua:
            if w is None:
                raise Unsupported("no width for a glyph")
            return w * fs
        rect = self.rect
        lib.FPDFText_GetLooseCharBox(self.textpage, i, byref(rect))
        loose = abs((rect.right - rect.left) / ua)
        if w is not None and (abs(loose - abs(w * fs)) <= 2.5e-4 * abs(fs) or (loose > abs(w * fs) and self._overhang(i))):
            return w * fs
        raise Unsupported("the glyph's width is ambiguous")

    def space(self, font: int, metrics: FontMetrics, fs: float) -> tuple[float, float] | None:
        """The advance of the font's space glyph by PDFium and by pdfminer, or None."""
        pm = (metrics.widths or {}).get(" ")
        key = (font, " ")
        w = self.by_text.get(key, -1.0)
        if w == -1.0:
            ok = self.lib.FPDFFont_GetGlyphWidth(font, 32, 1000.0, byref(self.wbuf))
            w = self.by_text[key] = self.wbuf.value / 1000.0 if ok else None
        return None if pm is None or w is None else (w * fs, pm * 0.001 * fs)

    def _overhang(self, i: int) -> bool:
        """Whether the loose box of character ``i`` was widened to its ink (the tight box)."""
        v = [c_double(), c_double(), c_double(), c_double()]  # left, right, bottom, top
        self.lib.FPDFText_GetCharBox(self.textpage, i, *(byref(x) for x in v))
        rect = self.rect
        return abs(v[0].value - rect.left) < 1e-3 or abs(v[1].value - rect.right) < 1e-3


class _Drift:
    """PDFium keeps advance widths as whole thousandths of the font size, pdfminer keeps fractions:
    along a run of glyphs (a text object, and the objects that continue it on the same line) PDFium's
    origins fall behind pdfminer's. This carries the difference and moves each glyph by it.

    A run continues while the next glyph starts where the one before ends, or up to three whole spaces
    further (PDFium drops a space glyph that follows a space — its own, inserted at a gap, or one
    drawn); a
    glyph that starts elsewhere was placed anew (``Td``, ``Tm``) and starts a new run, unless it is in
    the same text object (kerning, character spacing: the run goes on)."""

    def __init__(self) -> None:
        self.offset = 0.0  # text space units along the baseline
        self.last: tuple | None = None  # object, PDFium's origin, advance, direction, space widths

    def correct(self, t: _TextObject, ux: float, uy: float, ch: str, adv: float,
                glyph: _Glyphs) -> tuple[float, float, float]:
        """The glyph's origin and advance by pdfminer, from PDFium's (``ux``, ``uy``, ``adv``)."""
        widths = t.metrics.widths
        adv_pm = adv
        if widths is not None:
            w_pm = widths.get(ch)
            if w_pm is None:
                raise Unsupported("a glyph whose width pdfminer reads differently")
            adv_pm = w_pm * 0.001 * t.fs
        elif not self.offset:
            self.last = None
            return ux, uy, adv
        ux, uy = self.place(t.obj, ux, uy, t.ua, t.ub, adv, adv_pm, glyph.space(t.font, t.metrics, t.fs))
        return ux, uy, adv_pm

    def place(self, obj: int, ux: float, uy: float, ua: float, ub: float, adv: float, adv_pm: float,
              space: tuple[float, float] | None) -> tuple[float, float]:
        """Where pdfminer puts the glyph PDFium put at (ux, uy); ``adv`` and ``adv_pm`` are its
        advance by PDFium and pdfminer, ``space`` the font's space advance by both."""
        last = self.last
        self.last = (obj, ux, uy, adv, ua, ub, space)
        if last is None or (last[4], last[5]) != (ua, ub):
            self.offset = 0.0
        else:
            lobj, sx, sy, ladv, _, _, lspace = last
            lspace = lspace or space  # the dropped space is in the font before or in this one
            extra = ((ux - sx) * ua + (uy - sy) * ub) / (ua * ua + ub * ub) - ladv
            cross = ((uy - sy) * ua - (ux - sx) * ub) / (ua * ua + ub * ub)  # off the baseline
            tolerance = 5e-4 * abs(ladv) + 1e-3
            if abs(cross) > tolerance:
                self.offset = 0.0
            elif abs(extra) > tolerance:
                k = round(extra / lspace[0]) if lspace is not None and lspace[0] > 0 else 0
                if 1 <= k <= 3 and abs(extra - k * lspace[0]) <= tolerance:
                    self.offset += k * (lspace[1] - lspace[0])  # dropped spaces
                elif lobj != obj:
                    self.offset = 0.0  # placed anew
        x, y = ux + self.offset * ua, uy + self.offset * ub
        self.offset += adv_pm - adv
        return x, y


def _same_box(lib: Lib, textpage: int, i: int, j: int) -> bool:
    """Whether characters ``i`` and ``j`` have the same glyph box (pieces of one glyph do)."""
    boxes = []
    for k in (i, j):
        v = [c_double(), c_double(), c_double(), c_double()]
        lib.FPDFText_GetCharBox(textpage, k, *(byref(x) for x in v))
        boxes.append(tuple(x.value for x in v))
    return boxes[0] == boxes[1]
