"""One PDF opened with PDFium beside pdfplumber's document: a page's objects as
``pdfplumber.Page.objects`` holds them — chars, rects, lines, curves, images — or :class:`Unsupported`."""

from __future__ import annotations

from collections import Counter
from ctypes import byref, c_float
from pathlib import Path
from typing import Any

from extractors.pdfium.chars import read_chars
from extractors.pdfium.fonts import FontTable
from extractors.pdfium.geometry import Frame, apply, dec, mult, page_ctm
from extractors.pdfium.lib import Lib, Unsupported, handle, load
from extractors.pdfium.paths import path_objects


def walk(lib: Lib, parent: int, count: int, get: Any, matrix: tuple | None, out: list) -> None:
    """Depth-first, in content order: (handle, type, form matrix or None) of every object."""
    for i in range(count):
        obj = get(parent, i)
        if not obj:
            continue
        kind = lib.FPDFPageObj_GetType(obj)
        if kind == lib.FORM:
            fm = lib.FS_MATRIX()
            lib.FPDFPageObj_GetMatrix(obj, byref(fm))
            m = tuple(map(dec, (fm.a, fm.b, fm.c, fm.d, fm.e, fm.f)))
            inner = m if matrix is None else mult(m, matrix)
            walk(lib, obj, lib.FPDFFormObj_CountObjects(obj), lib.FPDFFormObj_GetObject, inner, out)
        else:
            out.append((obj, kind, matrix))


def bounds(lib: Lib, obj: int, matrix: tuple | None) -> tuple[float, float, float, float]:
    left, bottom, right, top = c_float(), c_float(), c_float(), c_float()
    lib.FPDFPageObj_GetBounds(obj, byref(left), byref(bottom), byref(right), byref(top))
    box = (left.value, bottom.value, right.value, top.value)
    if matrix is None:
        return box
    pts = [apply(matrix, x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def has_actual_text(lib: Lib, obj: int) -> bool:
    for k in range(lib.FPDFPageObj_CountMarks(obj)):
        mark = lib.FPDFPageObj_GetMark(obj, k)
        if mark and lib.FPDFPageObjMark_GetParamValueType(mark, b"ActualText") != lib.OBJECT_UNKNOWN:
            return True
    return False


class PdfiumDocument:
    """One PDF opened with PDFium beside pdfplumber's (pdfminer) document. ``page_objects`` gives a
    page's objects as ``pdfplumber.Page.objects`` would; close it when done (or use ``with``)."""

    def __init__(self, path: str | Path, password: str | None = None):
        import pypdfium2 as pdfium

        self.lib = load()
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
        page = lib.FPDF_LoadPage(handle(self.doc), index)
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
        frame = Frame(plumber_page)
        ctm = page_ctm(plumber_page)
        items: list[tuple[int, int, tuple | None]] = []
        walk(lib, page, lib.FPDFPage_CountObjects(page), lib.FPDFPage_GetObject, None, items)
        forms = any(m is not None for _, _, m in items)
        objects: dict[str, list[dict[str, Any]]] = {}
        texts: dict[int, tuple[int, tuple | None]] = {}
        for seq, (obj, kind, matrix) in enumerate(items):
            if kind == lib.PATH:
                for o in path_objects(lib, obj, matrix, ctm, frame):
                    objects.setdefault(o["object_type"], []).append(o)
            elif kind == lib.TEXT:
                if has_actual_text(lib, obj):
                    raise Unsupported("/ActualText marked content")
                texts[obj] = (seq, matrix)
            elif kind == lib.IMAGE:
                box = bounds(lib, obj, matrix)
                pts = [apply(ctm, x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
                objects.setdefault("image", []).append(frame.box(
                    "image", min(p[0] for p in pts), min(p[1] for p in pts),
                    max(p[0] for p in pts), max(p[1] for p in pts)))
        if texts:
            fonts = self.fonts.for_page(plumber_page, forms)
            chars, used = read_chars(lib, textpage, frame, ctm, fonts, plumber_page.pdf.unicode_norm)
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


def _check_dropped(lib: Lib, texts: dict[int, tuple[int, tuple | None]], used: set[int],
                   tolerance: float = 1.0) -> list[int]:
    """PDFium leaves out a text object that repeats one drawn just before at almost the same place
    (fake bold; the same glyph codes), and text objects narrower than 0.01 pt. pdfminer keeps them;
    our de-duplication then removes the first kind (the same glyphs within ``tolerance``), so only
    that kind may be missing. ``texts``: text object → (content order, form matrix). Returns, per
    left-out repeat, the object it repeats."""
    dropped = [(h, m) for h, (_seq, m) in texts.items() if h not in used]
    if not dropped:
        return []
    kept = [(h, bounds(lib, h, texts[h][1])) for h in used if h in texts]
    twins = []
    for h, m in dropped:
        left, bottom, right, top = bounds(lib, h, m)
        if right - left < 0.01 and top - bottom < 0.01:
            continue  # nothing drawn: an empty string, or glyphs of zero size
        twin = next((k for k, b in kept if abs(b[0] - left) <= tolerance and abs(b[3] - top) <= tolerance
                     and abs((b[2] - b[0]) - (right - left)) <= tolerance), None)
        if twin is None:
            raise Unsupported("PDFium left out a text object that is not a repeat of one it kept")
        twins.append(twin)
    return twins
