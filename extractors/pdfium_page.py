"""A page's characters and ruling lines read by PDFium, in the shapes pdfplumber's table finder reads.

pdfplumber stays our table finder, text extractor and debug drawing; what it costs is pdfminer, which
tokenises every content stream in Python (about nine tenths of the time of a text page). This module
reads the same page with PDFium (``pypdfium2``, C++, Apache/BSD) and returns what
``pdfplumber.Page.objects`` would hold, so the rest of the reader does not know which parser ran:

* ``char`` — one dict per glyph, geometry computed the way pdfminer's ``LTChar`` does it (origin, the
  text matrix, the advance width, the font's descent from its descriptor; ``x0``, ``top``,
  ``upright``, ``size``, ``matrix`` …), in content-stream order;
* ``rect`` / ``line`` / ``curve`` — painted paths classified the way pdfminer's ``paint_path`` does
  (one object per subpath; a closed axis-parallel four-sided subpath is a rect, a single segment a
  line, anything else a curve whose points are the segment end points);
* ``image`` — the bounding box of each image.

Colours, dash patterns, marked-content ids and path operators are not filled in (nothing here reads
them); ``matrix`` has horizontal scaling (``Tz``) folded into its first column; whitespace glyphs
that PDFium inserts itself (word and line breaks) are left out.

PDFium is not pdfminer. Where it would give a page differently, :func:`page_objects` raises
:class:`Unsupported` and the caller reads that page with pdfminer instead (``extractors.pdf``):

* a glyph without a Unicode mapping (pdfminer writes ``(cid:N)``, which the text-layer test counts);
  control characters (PDFium's marks for hyphens at line ends); ligatures split into pieces;
  right-to-left text (PDFium reorders it);
* ``/ActualText`` marked content (PDFium substitutes it; pdfminer reads the glyphs);
* a text object PDFium dropped that is not a fake-bold copy of one it kept;
* fonts whose metrics pdfminer takes from elsewhere: Type 3, vertical writing, embedded encoding
  CMaps, a font PDFium names that the page's resources do not (or name twice, differently).

Font metrics (descent, the descriptor's font name, the writing mode) are read from the font
dictionaries through pdfminer's already-open document, exactly as pdfminer would take them, without
parsing any content stream or ``ToUnicode`` map.
"""

from __future__ import annotations

import ctypes
import struct
import unicodedata
from collections import Counter
from collections.abc import Iterator
from ctypes import byref, c_double, c_float, c_int, c_void_p
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# Unicode bidirectional classes of right-to-left scripts: PDFium reverses such runs.
_RTL = {"R", "AL", "RLE", "RLO", "RLI"}
# Presentation-form ligatures PDFium splits into pieces (ff, fi, fl, ffi, ffl, ſt, st).
_LIGATURE_PIECES = {unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}


class Unsupported(Exception):
    """PDFium cannot give this page (or document) as pdfminer would; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- the C functions

class _Lib:
    """PDFium's functions with plain ``void*`` handles (cheaper to call and compare than
    pypdfium2's typed pointers). Fresh function objects: pypdfium2's own stay untouched."""

    _SIGS: dict[str, tuple[list[Any], Any]] = {
        "FPDF_LoadPage": ([c_void_p, c_int], c_void_p),
        "FPDF_ClosePage": ([c_void_p], None),
        "FPDFText_LoadPage": ([c_void_p], c_void_p),
        "FPDFText_ClosePage": ([c_void_p], None),
        "FPDFText_CountChars": ([c_void_p], c_int),
        "FPDFText_GetText": ([c_void_p, c_int, c_int, c_void_p], c_int),
        "FPDFText_GetUnicode": ([c_void_p, c_int], ctypes.c_uint),
        "FPDFText_IsGenerated": ([c_void_p, c_int], c_int),
        "FPDFText_HasUnicodeMapError": ([c_void_p, c_int], c_int),
        "FPDFText_GetTextObject": ([c_void_p, c_int], c_void_p),
        "FPDFText_GetCharOrigin": ([c_void_p, c_int, c_void_p, c_void_p], c_int),
        "FPDFText_GetLooseCharBox": ([c_void_p, c_int, c_void_p], c_int),
        "FPDFText_GetCharBox": ([c_void_p, c_int, c_void_p, c_void_p, c_void_p, c_void_p], c_int),
        "FPDFText_GetMatrix": ([c_void_p, c_int, c_void_p], c_int),
        "FPDFText_GetFontSize": ([c_void_p, c_int], c_double),
        "FPDFTextObj_GetFont": ([c_void_p], c_void_p),
        "FPDFFont_GetBaseFontName": ([c_void_p, c_void_p, ctypes.c_size_t], ctypes.c_size_t),
        "FPDFFont_GetAscent": ([c_void_p, c_float, c_void_p], c_int),
        "FPDFFont_GetDescent": ([c_void_p, c_float, c_void_p], c_int),
        "FPDFFont_GetGlyphWidth": ([c_void_p, ctypes.c_uint, c_float, c_void_p], c_int),
        "FPDFPage_CountObjects": ([c_void_p], c_int),
        "FPDFPage_GetObject": ([c_void_p, c_int], c_void_p),
        "FPDFFormObj_CountObjects": ([c_void_p], c_int),
        "FPDFFormObj_GetObject": ([c_void_p, ctypes.c_ulong], c_void_p),
        "FPDFPageObj_GetType": ([c_void_p], c_int),
        "FPDFPageObj_GetMatrix": ([c_void_p, c_void_p], c_int),
        "FPDFPageObj_GetBounds": ([c_void_p, c_void_p, c_void_p, c_void_p, c_void_p], c_int),
        "FPDFPageObj_GetStrokeWidth": ([c_void_p, c_void_p], c_int),
        "FPDFPageObj_CountMarks": ([c_void_p], c_int),
        "FPDFPageObj_GetMark": ([c_void_p, ctypes.c_ulong], c_void_p),
        "FPDFPageObjMark_GetParamValueType": ([c_void_p, ctypes.c_char_p], c_int),
        "FPDFPath_CountSegments": ([c_void_p], c_int),
        "FPDFPath_GetPathSegment": ([c_void_p, c_int], c_void_p),
        "FPDFPath_GetDrawMode": ([c_void_p, c_void_p, c_void_p], c_int),
        "FPDFPathSegment_GetPoint": ([c_void_p, c_void_p, c_void_p], c_int),
        "FPDFPathSegment_GetType": ([c_void_p], c_int),
        "FPDFPathSegment_GetClose": ([c_void_p], c_int),
    }

    def __init__(self) -> None:
        import pypdfium2  # noqa: F401  (initialises the library)
        import pypdfium2_raw
        from pypdfium2_raw import bindings

        cdll = bindings._libs["pdfium"]
        for name, (args, res) in self._SIGS.items():
            fn = cdll[name]
            fn.argtypes, fn.restype = args, res
            setattr(self, name, fn)
        self.TEXT, self.PATH, self.IMAGE, self.FORM = (pypdfium2_raw.FPDF_PAGEOBJ_TEXT, pypdfium2_raw.FPDF_PAGEOBJ_PATH,
                                                       pypdfium2_raw.FPDF_PAGEOBJ_IMAGE, pypdfium2_raw.FPDF_PAGEOBJ_FORM)
        self.MOVETO, self.LINETO, self.BEZIERTO = (pypdfium2_raw.FPDF_SEGMENT_MOVETO, pypdfium2_raw.FPDF_SEGMENT_LINETO,
                                                   pypdfium2_raw.FPDF_SEGMENT_BEZIERTO)
        self.FILL_NONE, self.FILL_ALTERNATE = pypdfium2_raw.FPDF_FILLMODE_NONE, pypdfium2_raw.FPDF_FILLMODE_ALTERNATE
        self.OBJECT_UNKNOWN = pypdfium2_raw.FPDF_OBJECT_UNKNOWN
        self.FS_MATRIX, self.FS_RECTF = pypdfium2_raw.FS_MATRIX, pypdfium2_raw.FS_RECTF


_LIB: _Lib | None = None


def _lib() -> _Lib:
    global _LIB
    if _LIB is None:
        _LIB = _Lib()
    return _LIB


def _handle(obj: Any) -> int:
    """A pypdfium2 object's raw handle as an int."""
    return ctypes.cast(obj.raw, c_void_p).value or 0


# --------------------------------------------------------------------------- fonts, as pdfminer reads them

@dataclass(frozen=True)
class FontMetrics:
    """What pdfminer takes from a font dictionary to place a glyph: ``fontname`` (the descriptor's
    FontName), ``descent`` (text space units per unit of font size, negative) and, for vertical
    writing, the default position vector's y and the vertical advance (``DW2``, thousandths).
    ``unsupported`` names a font this module leaves to pdfminer."""

    fontname: str
    descent: float
    vertical: bool = False
    vy: float = 880.0
    vadvance: float = -1000.0
    widths: dict[str, float | None] | None = None
    unsupported: str | None = None


def _name_bytes(x: Any) -> bytes:
    from pdfminer.psparser import PSLiteral

    name = x.name if isinstance(x, PSLiteral) else x
    if isinstance(name, str):
        return name.encode("utf-8")
    return bytes(name) if isinstance(name, bytes | bytearray) else str(name).encode("utf-8")


def _descriptor_metrics(descriptor: Any, vertical: bool = False, vy: float = 880.0,
                        vadvance: float = -1000.0) -> FontMetrics:
    from pdfminer.pdftypes import num_value, resolve1
    from pdfminer.psparser import PSLiteral, literal_name

    fontname = resolve1(descriptor.get("FontName", "unknown"))
    if isinstance(fontname, PSLiteral):
        fontname = literal_name(fontname)
    if isinstance(fontname, bytes):  # as extractors.pdf.fast_objects decodes it
        fontname = fontname.decode("latin-1")
    descent = num_value(descriptor.get("Descent", 0))
    if descent > 0:  # pdfminer forces the descent negative
        descent = -descent
    return FontMetrics(str(fontname), descent * 0.001, vertical, vy, vadvance)


def _is_fraction(x: Any) -> bool:
    from pdfminer.pdftypes import resolve1

    x = resolve1(x)
    return isinstance(x, float) and not x.is_integer()


def _widths_by_text(spec: Any) -> dict[str, float | None]:
    """pdfminer's advance widths (thousandths) by the text a glyph maps to; None where two glyphs
    with the same text have different widths. Builds pdfminer's font (parsing its ToUnicode map)."""
    from pdfminer.pdffont import PDFUnicodeNotDefined
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdftypes import resolve1

    font = PDFResourceManager(caching=False).get_font(None, spec)
    out: dict[str, float | None] = {}
    for cid, w in font.widths.items():
        try:
            text = cid if isinstance(cid, str) else font.to_unichr(cid)
        except (PDFUnicodeNotDefined, KeyError, ValueError):
            continue
        w = float(resolve1(w))
        out[text] = w if out.get(text, w) == w else None
    return out


def font_metrics(spec: Any) -> FontMetrics:
    """The metrics pdfminer's ``PDFResourceManager.get_font`` would give the font ``spec``.

    PDFium keeps advance widths as whole thousandths and reads the standard 14 fonts' widths from
    the ``Widths`` array; pdfminer keeps fractions and reads the standard 14 from its AFM tables.
    Where the two can differ, ``widths`` holds pdfminer's widths by text, to correct for it."""
    from pdfminer.cmapdb import CMapDB
    from pdfminer.pdffont import FontMetricsDB, PDFCIDFont
    from pdfminer.pdftypes import PDFStream, dict_value, list_value, resolve1
    from pdfminer.psparser import literal_name

    outer = spec
    subtype = literal_name(spec["Subtype"]) if "Subtype" in spec else "Type1"
    if subtype == "Type3":
        return FontMetrics("", 0.0, unsupported="a Type 3 font")
    if subtype == "Type0":
        dfonts = list_value(spec.get("DescendantFonts", []))
        if not dfonts:
            return FontMetrics("", 0.0, unsupported="a Type 0 font without descendant")
        sub = dict_value(dfonts[0]).copy()
        if "Encoding" in spec:
            sub["Encoding"] = resolve1(spec["Encoding"])
        spec, subtype = sub, "CIDFontType2"
    if subtype in ("CIDFontType0", "CIDFontType2"):
        if isinstance(resolve1(spec.get("Encoding")), PDFStream):
            return FontMetrics("", 0.0, unsupported="an embedded encoding CMap")
        try:
            vertical = CMapDB.get_cmap(PDFCIDFont._get_cmap_name(spec, False)).is_vertical()
        except CMapDB.CMapNotFound:
            vertical = False
        descriptor = dict_value(spec.get("FontDescriptor", {}))
        if not vertical:
            fractional = _is_fraction(spec.get("DW", 1000)) or any(
                _is_fraction(w) for item in list_value(spec.get("W", [])) for w in
                (list_value(item) if isinstance(resolve1(item), list) else [item]))
            m = _descriptor_metrics(descriptor)
            return replace(m, widths=_widths_by_text(outer)) if fractional else m
        dw2 = list_value(spec.get("DW2", [880, -1000]))
        if list_value(spec.get("W2", [])) or any(_is_fraction(x) for x in dw2):
            # per-glyph position vectors: pdfminer and PDFium default the x of the others differently
            return FontMetrics("", 0.0, vertical=True, unsupported="a vertical-writing font with W2 metrics")
        return _descriptor_metrics(descriptor, True, float(resolve1(dw2[0])), float(resolve1(dw2[1])))
    # Type1, MMType1, TrueType and unknown subtypes: pdfminer reads the standard 14 from its AFM tables
    try:
        basefont = literal_name(spec["BaseFont"])
    except KeyError:
        basefont = "unknown"
    try:
        descriptor, afm_widths = FontMetricsDB.get_metrics(basefont)
        return replace(_descriptor_metrics(descriptor), widths={k: float(v) for k, v in afm_widths.items()})
    except KeyError:
        descriptor = dict_value(spec.get("FontDescriptor", {}))
    m = _descriptor_metrics(descriptor)
    if _is_fraction(descriptor.get("MissingWidth", 0)) or any(
            _is_fraction(w) for w in list_value(spec.get("Widths", []))):
        return replace(m, widths=_widths_by_text(outer))
    return m


def _resource_fonts(resources: Any, seen: set[int], forms: bool) -> Iterator[tuple[int | None, Any]]:
    """(object id, font dict) of the fonts in ``resources`` and, when ``forms``, in the resources of
    its form XObjects (recursively)."""
    from pdfminer.pdftypes import PDFObjRef, PDFStream, dict_value, resolve1
    from pdfminer.psparser import literal_name

    resources = dict_value(resources)
    for ref in dict_value(resources.get("Font", {})).values():
        objid = ref.objid if isinstance(ref, PDFObjRef) else None
        spec = dict_value(ref)
        if spec:
            yield objid, spec
    if not forms:
        return
    for ref in dict_value(resources.get("XObject", {})).values():
        if isinstance(ref, PDFObjRef):
            if ref.objid in seen:
                continue
            seen.add(ref.objid)
        xobj = resolve1(ref)
        if isinstance(xobj, PDFStream) and literal_name(xobj.get("Subtype")) == "Form" and "Resources" in xobj:
            yield from _resource_fonts(xobj["Resources"], seen, forms)


def _merge(old: FontMetrics | None, new: FontMetrics, name: bytes) -> FontMetrics | None:
    """Two fonts PDFium names alike. Subsets of one font (the same metrics but for the subset tag of
    the descriptor's name, and the glyphs in their width tables) stay usable under the bare name;
    anything else is ambiguous (None)."""
    if old is None or old == new:
        return old
    if replace(old, fontname="", widths=None) != replace(new, fontname="", widths=None):
        return None
    widths = None
    if old.widths is not None or new.widths is not None:
        if old.widths is None or new.widths is None:
            return None
        widths = dict(old.widths)
        for text, w in new.widths.items():
            widths[text] = w if widths.get(text, w) == w else None
    return replace(new, fontname=name.decode("utf-8", "replace"), widths=widths)


class FontTable:
    """(BaseFont name, vertical) → :class:`FontMetrics` of a page's fonts, read from pdfminer's
    document. Names are also entered without their subset tag ("ABCDEF+"), as PDFium gives simple
    fonts' names. Computed metrics are kept per font object for the document's life."""

    def __init__(self) -> None:
        self._by_objid: dict[int, tuple[bytes, FontMetrics]] = {}

    def for_page(self, plumber_page: Any, forms: bool) -> dict[tuple[bytes, bool], FontMetrics | None]:
        """None marks a name given to two fonts with different metrics."""
        from pdfminer.pdftypes import resolve1

        table: dict[tuple[bytes, bool], FontMetrics | None] = {}
        for objid, spec in _resource_fonts(plumber_page.page_obj.resources, set(), forms):
            hit = self._by_objid.get(objid) if objid is not None else None
            if hit is None:
                base = resolve1(spec.get("BaseFont"))
                hit = (_name_bytes(base) if base is not None else b"", font_metrics(spec))
                if objid is not None:
                    self._by_objid[objid] = hit
            name, metrics = hit
            names = [name, name[7:]] if len(name) > 7 and name[6:7] == b"+" else [name]
            for n in names:
                key = (n, metrics.vertical)
                table[key] = _merge(table[key], metrics, n) if key in table else metrics
        return table


# --------------------------------------------------------------------------- geometry helpers

def _page_ctm(plumber_page: Any) -> tuple[float, float, float, float, float, float]:
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


def _dec(v: float) -> float:
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


def _mult(m1: tuple, m0: tuple) -> tuple:
    """pdfminer's ``mult_matrix``: m1 then m0."""
    (a1, b1, c1, d1, e1, f1) = m1
    (a0, b0, c0, d0, e0, f0) = m0
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    (a, b, c, d, e, f) = m
    return a * x + c * y + e, b * x + d * y + f


class _Frame:
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


# --------------------------------------------------------------------------- page objects (paths, images, text objects)

def _walk(lib: _Lib, parent: int, count: int, get: Any, matrix: tuple | None, out: list) -> None:
    """Depth-first, in content order: (handle, type, form matrix or None) of every object."""
    for i in range(count):
        obj = get(parent, i)
        if not obj:
            continue
        kind = lib.FPDFPageObj_GetType(obj)
        if kind == lib.FORM:
            fm = lib.FS_MATRIX()
            lib.FPDFPageObj_GetMatrix(obj, byref(fm))
            m = tuple(map(_dec, (fm.a, fm.b, fm.c, fm.d, fm.e, fm.f)))
            inner = m if matrix is None else _mult(m, matrix)
            _walk(lib, obj, lib.FPDFFormObj_CountObjects(obj), lib.FPDFFormObj_GetObject, inner, out)
        else:
            out.append((obj, kind, matrix))


def _bounds(lib: _Lib, obj: int, matrix: tuple | None) -> tuple[float, float, float, float]:
    left, bottom, right, top = c_float(), c_float(), c_float(), c_float()
    lib.FPDFPageObj_GetBounds(obj, byref(left), byref(bottom), byref(right), byref(top))
    box = (left.value, bottom.value, right.value, top.value)
    if matrix is None:
        return box
    pts = [_apply(matrix, x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def _has_actual_text(lib: _Lib, obj: int) -> bool:
    for k in range(lib.FPDFPageObj_CountMarks(obj)):
        mark = lib.FPDFPageObj_GetMark(obj, k)
        if mark and lib.FPDFPageObjMark_GetParamValueType(mark, b"ActualText") != lib.OBJECT_UNKNOWN:
            return True
    return False


def _path_objects(lib: _Lib, obj: int, matrix: tuple | None, ctm: tuple, frame: _Frame) -> list[dict[str, Any]]:
    """One painted path → pdfplumber's line / rect / curve dicts, one per subpath, classified as
    pdfminer's ``PDFLayoutAnalyzer.paint_path`` does."""
    fm = lib.FS_MATRIX()
    lib.FPDFPageObj_GetMatrix(obj, byref(fm))
    m = tuple(map(_dec, (fm.a, fm.b, fm.c, fm.d, fm.e, fm.f)))
    if matrix is not None:
        m = _mult(m, matrix)
    m = _mult(m, ctm)
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
        pt = (_dec(x.value), _dec(y.value))
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
                out.append(_classify([(o, _apply(m, *pt)) for o, pt in _as_re(sub)], style, frame))
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


def _f32(v: float) -> float:
    return _F32.unpack(_F32.pack(v))[0]


def _operand(x: float, corner: float) -> float:
    """The ``w`` of ``x y w h re`` with the fewest decimals for which PDFium's single-precision
    ``x + w`` is ``corner``."""
    target, fx, d = _f32(corner), _f32(x), corner - x
    for k in range(8):
        q = round(d, k)
        if _f32(fx + _f32(q)) == target:
            return q
    return d


def _classify(path: list[tuple[str, tuple[float, float]]], style: dict[str, Any], frame: _Frame) -> dict[str, Any]:
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


def _shape(frame: _Frame, kind: str, pts: list[tuple[float, float]], style: dict[str, Any]) -> dict[str, Any]:
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    d = frame.box(kind, min(xs), min(ys), max(xs), max(ys))
    d["pts"] = [frame.coord(p) for p in pts]
    d.update(style)
    return d


# --------------------------------------------------------------------------- characters

@dataclass
class _Font:
    """A PDFium font as pdfminer reads it: its metrics, and whether PDFium's loose character box
    spans the advance width (the font has an ascent/descent span)."""

    metrics: FontMetrics
    loose_width: bool


def _font(lib: _Lib, font: int, fonts: dict[tuple[bytes, bool], FontMetrics | None], probe: int) -> _Font:
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


def _chars(lib: _Lib, textpage: int, frame: _Frame, ctm: tuple, fonts: dict[tuple[bytes, bool], FontMetrics | None],
           norm: str | None) -> tuple[list[dict[str, Any]], set[int]]:
    """The page's glyphs as pdfminer's ``LTChar`` → pdfplumber char dicts (content order within
    each text object), and the text objects they came from."""
    n = lib.FPDFText_CountChars(textpage)
    if n <= 0:
        return [], set()
    buf = (ctypes.c_ushort * (n + 1))()
    got = lib.FPDFText_GetText(textpage, 0, n, buf)
    text = bytes(buf)[: 2 * max(0, got - 1)].decode("utf-16-le", "surrogatepass")
    if len(text) != n:  # control characters left out, or characters beyond the BMP as surrogate pairs
        text = "".join(chr(lib.FPDFText_GetUnicode(textpage, i)) for i in range(n))
    ca, cb, cc, cd, ce, cf = ctm
    ox, oy = c_double(), c_double()
    fsm = lib.FS_MATRIX()
    glyph = _Glyphs(lib, textpage)
    font_cache: dict[int, _Font] = {}
    drift = _Drift()
    chars: list[dict[str, Any]] = []
    used: set[int] = set()
    last_obj = font = 0
    prev_key: tuple = ()
    prev_i = -1
    a = b = c = d = ua = ub = uc = ud = fs = 0.0
    loose = vertical = False
    metrics = FontMetrics("", 0.0)
    height, mb_x0, mb_top, doctop0, pn = frame.height, frame.mb_x0, frame.mb_top, frame.doctop0, frame.page_number
    for i in range(n):
        ch = text[i]
        o = ord(ch)
        if ch.isspace():
            if lib.FPDFText_IsGenerated(textpage, i):
                continue  # a word or line break PDFium inserted
        elif o < 0x20 or 0xFFFE <= o <= 0xFFFF or 0xD800 <= o <= 0xDFFF:
            raise Unsupported(f"control character U+{o:04X} in the text (a hyphen mark or an unmapped glyph)")
        if lib.FPDFText_HasUnicodeMapError(textpage, i):
            raise Unsupported("a glyph without a Unicode mapping")
        if o > 0x58F and unicodedata.bidirectional(ch) in _RTL:
            raise Unsupported("right-to-left text")
        obj = lib.FPDFText_GetTextObject(textpage, i)
        if obj != last_obj:
            last_obj = obj
            used.add(obj)
            lib.FPDFText_GetMatrix(textpage, i, byref(fsm))
            ua, ub, uc, ud = _dec(fsm.a), _dec(fsm.b), _dec(fsm.c), _dec(fsm.d)
            # the char matrix in pdfminer's layout space: text matrix × CTM × the page's matrix
            a, b = ua * ca + ub * cc, ua * cb + ub * cd
            c, d = uc * ca + ud * cc, uc * cb + ud * cd
            fs = _dec(lib.FPDFText_GetFontSize(textpage, i))
            font = lib.FPDFTextObj_GetFont(obj)
            f_ = font_cache.get(font)
            if f_ is None:
                f_ = font_cache[font] = _font(lib, font, fonts, o)
            metrics = f_.metrics
            vertical = metrics.vertical
            # PDFium's loose box spans the advance when the text matrix is axis-parallel (and the font
            # has an ascent/descent span); otherwise the width comes from the glyph
            loose = ub == 0 and uc == 0 and ua != 0 and f_.loose_width
        lib.FPDFText_GetCharOrigin(textpage, i, byref(ox), byref(oy))
        ux, uy = ox.value, oy.value
        key = (obj, ux, uy)
        if key == prev_key and _same_box(lib, textpage, prev_i, i):
            # one glyph, several code points (a multi-character mapping): pdfminer keeps one char
            prev = chars[-1]
            prev["text"] += ch
            if prev["text"] in _LIGATURE_PIECES:
                raise Unsupported("a ligature PDFium splits")
            if metrics.widths is not None:
                raise Unsupported("a multi-character glyph in a font with corrected widths")
            continue
        prev_key, prev_i = key, i
        if vertical:
            # PDFium's origin is the glyph's horizontal origin; pdfminer's is the pen position, a
            # position vector (vx, vy) further on. The pen stays on the text object's vertical line
            # (through its position, the matrix's e, f): vx is the origin's distance from that line
            # (in text space); vy is the font's (DW2).
            det = ua * ud - ub * uc
            if not det:
                raise Unsupported("a degenerate text matrix")
            vx_t = -(ud * (ux - fsm.e) - uc * (uy - fsm.f)) / det
            vy_t = metrics.vy * 0.001 * fs
            ux, uy = ux + ua * vx_t + uc * vy_t, uy + ub * vx_t + ud * vy_t
            adv = metrics.vadvance * 0.001 * fs
        else:
            adv = glyph.advance(i, font, ch, fs, ua if loose else 0.0)
            adv_pm = adv
            if metrics.widths is not None:
                w_pm = metrics.widths.get(ch)
                if w_pm is None:
                    raise Unsupported("a glyph whose width pdfminer reads differently")
                adv_pm = w_pm * 0.001 * fs
            if drift.active or metrics.widths is not None:
                ux, uy = drift.place(obj, ux, uy, ua, ub, adv, adv_pm, glyph.space(font, metrics, fs))
            else:
                drift.last = None
            adv = adv_pm
        # pdfminer's LTChar: a box in text space around the pen position, through the char matrix
        if vertical:
            vx = fs * 0.5
            vyp = (1000 - metrics.vy) * fs * 0.001
            bx0, by0, bx1, by1 = -vx, vyp + adv, -vx + fs, vyp
        else:
            bx0, by0 = 0, metrics.descent * fs
            bx1, by1 = adv, by0 + fs
        e, f = ca * ux + cc * uy + ce, cb * ux + cd * uy + cf
        xa, ya = a * bx0 + c * by0 + e, b * bx0 + d * by0 + f
        xb, yb = a * bx1 + c * by0 + e, b * bx1 + d * by0 + f
        xc, yc = a * bx1 + c * by1 + e, b * bx1 + d * by1 + f
        xd, yd = a * bx0 + c * by1 + e, b * bx0 + d * by1 + f
        x0, x1 = min(xa, xb, xc, xd), max(xa, xb, xc, xd)
        y0, y1 = min(ya, yb, yc, yd), max(ya, yb, yc, yd)
        top = height - y1 + mb_top
        chars.append({
            "object_type": "char", "page_number": pn, "text": ch, "fontname": metrics.fontname,
            "size": x1 - x0 if vertical else y1 - y0, "adv": adv, "upright": a * d > 0 and b * c <= 0,
            "matrix": (a, b, c, d, e, f),
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

    def __init__(self, lib: _Lib, textpage: int):
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

    @property
    def active(self) -> bool:
        return self.offset != 0.0

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


def _same_box(lib: _Lib, textpage: int, i: int, j: int) -> bool:
    """Whether characters ``i`` and ``j`` have the same glyph box (pieces of one glyph do)."""
    boxes = []
    for k in (i, j):
        v = [c_double(), c_double(), c_double(), c_double()]
        lib.FPDFText_GetCharBox(textpage, k, *(byref(x) for x in v))
        boxes.append(tuple(x.value for x in v))
    return boxes[0] == boxes[1]


# --------------------------------------------------------------------------- the page

class PdfiumDocument:
    """One PDF opened with PDFium beside pdfplumber's (pdfminer) document. ``page_objects`` gives a
    page's objects as ``pdfplumber.Page.objects`` would; close it when done (or use ``with``)."""

    def __init__(self, path: str | Path, password: str | None = None):
        import pypdfium2 as pdfium

        self.lib = _lib()
        try:
            self.doc = pdfium.PdfDocument(str(path), password=password or None)
        except pdfium.PdfiumError as e:
            raise Unsupported(f"PDFium cannot open the document: {e}") from e
        self.fonts = FontTable()
        self.fallbacks: list[tuple[int, str]] = []  # (page number, reason) of pages left to pdfminer
        # page number → fake-bold glyphs PDFium left out itself (extractors.pdf.dedupe_chars takes
        # out the same ones when pdfminer reads the page)
        self.duplicates: dict[int, int] = {}

    def close(self) -> None:
        self.doc.close()

    def __enter__(self) -> PdfiumDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def page_objects(self, plumber_page: Any) -> dict[str, list[dict[str, Any]]]:
        """The objects of ``plumber_page`` (a ``pdfplumber.Page`` of the same file) read by PDFium.
        Raises :class:`Unsupported` when PDFium would give them differently from pdfminer."""
        lib = self.lib
        index = plumber_page.page_number - 1
        page = lib.FPDF_LoadPage(_handle(self.doc), index)
        if not page:
            raise Unsupported(f"PDFium cannot load page {index + 1}")
        textpage = None
        try:
            textpage = lib.FPDFText_LoadPage(page)
            if not textpage:
                raise Unsupported(f"PDFium cannot read the text of page {index + 1}")
            return self._objects(page, textpage, plumber_page)
        finally:
            if textpage:
                lib.FPDFText_ClosePage(textpage)
            lib.FPDF_ClosePage(page)

    def _objects(self, page: int, textpage: int, plumber_page: Any) -> dict[str, list[dict[str, Any]]]:
        lib = self.lib
        frame = _Frame(plumber_page)
        ctm = _page_ctm(plumber_page)
        items: list[tuple[int, int, tuple | None]] = []
        _walk(lib, page, lib.FPDFPage_CountObjects(page), lib.FPDFPage_GetObject, None, items)
        forms = any(m is not None for _, _, m in items)
        objects: dict[str, list[dict[str, Any]]] = {}
        texts: dict[int, tuple[int, tuple | None]] = {}
        for seq, (obj, kind, matrix) in enumerate(items):
            if kind == lib.PATH:
                for o in _path_objects(lib, obj, matrix, ctm, frame):
                    objects.setdefault(o["object_type"], []).append(o)
            elif kind == lib.TEXT:
                if _has_actual_text(lib, obj):
                    raise Unsupported("/ActualText marked content")
                texts[obj] = (seq, matrix)
            elif kind == lib.IMAGE:
                box = _bounds(lib, obj, matrix)
                pts = [_apply(ctm, x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
                objects.setdefault("image", []).append(frame.box(
                    "image", min(p[0] for p in pts), min(p[1] for p in pts),
                    max(p[0] for p in pts), max(p[1] for p in pts)))
        if texts:
            fonts = self.fonts.for_page(plumber_page, forms)
            chars, used = _chars(lib, textpage, frame, ctm, fonts, plumber_page.pdf.unicode_norm)
            twins = _check_dropped(lib, texts, used)
            if twins:  # the glyphs PDFium left out: as many as in the objects they repeat
                per_obj = Counter(ch["_obj"] for ch in chars)
                self.duplicates[plumber_page.page_number] = sum(per_obj[t] for t in twins)
            seq_of = {h: t[0] for h, t in texts.items()}
            chars.sort(key=lambda ch: seq_of.get(ch["_obj"], -1))  # content order (PDFium sorts lines by x)
            for ch in chars:
                del ch["_obj"]
            if chars:
                objects["char"] = chars
        return objects


def _check_dropped(lib: _Lib, texts: dict[int, tuple[int, tuple | None]], used: set[int],
                   tolerance: float = 1.0) -> list[int]:
    """PDFium leaves out a text object that repeats one drawn just before at almost the same place
    (fake bold; the same glyph codes), and text objects narrower than 0.01 pt. pdfminer keeps them;
    our de-duplication then removes the first kind (the same glyphs within ``tolerance``), so only
    that kind may be missing. ``texts``: text object → (content order, form matrix). Returns, per
    left-out repeat, the object it repeats."""
    dropped = [(h, m) for h, (_seq, m) in texts.items() if h not in used]
    if not dropped:
        return []
    kept = [(h, _bounds(lib, h, texts[h][1])) for h in used if h in texts]
    twins = []
    for h, m in dropped:
        left, bottom, right, top = _bounds(lib, h, m)
        if right - left < 0.01 and top - bottom < 0.01:
            continue  # nothing drawn: an empty string, or glyphs of zero size
        twin = next((k for k, b in kept if abs(b[0] - left) <= tolerance and abs(b[3] - top) <= tolerance
                     and abs((b[2] - b[0]) - (right - left)) <= tolerance), None)
        if twin is None:
            raise Unsupported("PDFium left out a text object that is not a repeat of one it kept")
        twins.append(twin)
    return twins
