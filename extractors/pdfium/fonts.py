"""Fonts as pdfminer reads them, from the font dictionaries of pdfminer's already-open document
(no content stream, no ``ToUnicode`` map unless a font's widths need it): the descriptor's font name,
the descent, the writing mode, and — where PDFium's whole-thousandth widths differ from pdfminer's —
pdfminer's widths by text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any


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
