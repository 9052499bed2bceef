"""PDFium's C functions as this package calls them, and the exception that sends a page to pdfminer."""

from __future__ import annotations

import ctypes
from ctypes import c_double, c_float, c_int, c_void_p
from typing import Any


class Unsupported(Exception):
    """PDFium cannot give this page (or document) as pdfminer would; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Lib:
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


_LIB: Lib | None = None


def load() -> Lib:
    """The library, loaded once per process."""
    global _LIB
    if _LIB is None:
        _LIB = Lib()
    return _LIB


def handle(obj: Any) -> int:
    """A pypdfium2 object's raw handle as an int."""
    return ctypes.cast(obj.raw, c_void_p).value or 0
