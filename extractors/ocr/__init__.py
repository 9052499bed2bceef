"""Offline OCR of scanned and image-only reports, into the same grids as every other reader.

Pages without a usable text layer (scans, photographs, image-only "（图片版）" PDFs, fonts whose
glyphs map to nothing) and image files are read here, in named stages:

* :mod:`~extractors.ocr.raster` — PDF page (pypdfium2) or image file → grey page image, red seal ink
  taken out;
* :mod:`~extractors.ocr.geometry` — a photographed sheet cut out and its perspective undone, scale
  ~150 dpi, skew levelled;
* :mod:`~extractors.ocr.grid` — ruling lines → intersections → grid → cells, merged cells;
* :mod:`~extractors.ocr.recognise` — each cell's lines read by rapidocr (models inside its wheel, no
  network), one inference thread per worker, a confidence per reading;
* :mod:`~extractors.ocr.reader` — a :class:`~extractors.ocr.reader.ScanSession` per document: page →
  ``RawTable`` (source ``"ocr:lines"``) and page text, a CPU-time budget per page;
* :mod:`~extractors.ocr.confirm` — after the shared assembler: ``ocr``/``confidence`` on each cell,
  low confidence → ``unreadable``, and the balancing identities checked on OCR-read cells (cells
  read again where one fails; an identity confirms a reading, never overwrites one).

This module itself imports nothing heavy: ``needs_ocr`` (a cheap test a scheduler can route on)
and ``missing_packages`` run without OpenCV or onnxruntime.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from extractors import errors, sniff
from extractors.pdf import ExtractionFailure

# import name → distribution to install
PACKAGES = {"rapidocr": "rapidocr", "onnxruntime": "onnxruntime", "cv2": "opencv-python-headless",
            "pypdfium2": "pypdfium2"}
INSTALL_HINT = "uv sync --extra ocr (or: pip install 'gongkai[ocr]')"
# below this recogniser confidence a reading is not trusted as it stands (read again, else unreadable)
MIN_CONFIDENCE = float(os.environ.get("GONGKAI_OCR_MIN_CONFIDENCE", "0.9"))


class OcrUnavailable(ExtractionFailure):
    """The document needs OCR and the OCR packages are not installed."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(errors.OCR_UNAVAILABLE,
                         f"this document needs OCR, and the OCR packages are not installed "
                         f"({', '.join(missing)}): install them with {INSTALL_HINT}")


def missing_packages() -> list[str]:
    """The OCR packages that cannot be imported here (distribution names), without importing them."""
    out = []
    for mod, dist in PACKAGES.items():
        try:
            found = importlib.util.find_spec(mod) is not None
        except (ImportError, ValueError, AttributeError):
            found = False
        if not found:
            out.append(dist)
    return out


def require() -> None:
    """Raise :class:`OcrUnavailable` naming what to install when OCR cannot run here; grant the OCR
    stack its address space (see :func:`grant_memory`)."""
    missing = missing_packages()
    if missing:
        raise OcrUnavailable(missing)
    grant_memory()


def grant_memory() -> None:
    """Raise this process's address-space soft limit to its hard limit. An extraction worker
    (``extractors.sandbox``) caps documents at ``memory_mb`` and leaves ``OCR_MEMORY_MB`` more
    under the hard limit for OpenCV and onnxruntime, which map ~1 GB of address space between them."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or hard > soft):
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


class LazyScan:
    """An OCR session started only when a page needs it (importing OpenCV and onnxruntime costs
    ~0.5 s and loading the models ~1.5 s: a document with a text layer pays nothing)."""

    def __init__(self) -> None:
        self.session = None
        self._doc = None

    def _session(self):
        if self.session is None:
            require()
            from extractors.ocr.reader import ScanSession

            self.session = ScanSession()
        return self.session

    def pdf_page_reader(self, path: str | os.PathLike):
        """``read(page_index) -> (text, tables, height)`` for :func:`extractors.pdf.read_pdf`."""

        def read(index: int):
            session = self._session()
            if self._doc is None:
                import pypdfium2 as pdfium

                self._doc = pdfium.PdfDocument(str(path))
            try:
                return session.read_pdf_page(self._doc, index)
            except ExtractionFailure:
                raise
            except MemoryError:
                raise
            except Exception as e:  # an OCR bug is not a corrupt PDF: say where it happened
                raise ExtractionFailure(errors.EXTRACTOR_CRASH,
                                        f"OCR of page {index + 1} failed: {type(e).__name__}: {e}"[:300]) from e

        return read

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None


def _page_text_usable(text: str) -> bool:
    """pypdfium2's text of a page: usable when it has real characters and few undecodable ones
    (fonts without a ToUnicode map come out as control characters or Latin-1 mojibake)."""
    n = bad = cjk = 0
    for ch in text:
        if ch.isspace():
            continue
        n += 1
        if ch < " " or "\u0080" <= ch <= "\u02ff" or ch == "\ufffd":
            bad += 1
        elif "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef":
            cjk += 1
    return n > 0 and bad <= 0.2 * n and (bad == 0 or cjk > bad)


def ocr_pages(source: str | os.PathLike | bytes) -> list[int]:
    """The pages (1-based) of a document that only OCR can read: every page of an image file, the
    pages of a PDF whose text layer is missing or undecodable; ``[]`` for anything else (or a file
    that cannot be opened: the extractor reports that). Milliseconds per document: pypdfium2's
    text of each page, no rendering."""
    data = source if isinstance(source, bytes | bytearray) else Path(source).read_bytes()
    media = sniff.sniff(bytes(data[:4096]) if not isinstance(data, bytes) else data[:4096])
    if media in sniff.IMAGES:
        return list(range(1, _frames(bytes(data)) + 1))
    if media != sniff.PDF:
        return []
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return []
    pages = []
    try:
        doc = pdfium.PdfDocument(bytes(data))
    except Exception:  # noqa: BLE001 - corrupt or encrypted: not an OCR question
        return []
    try:
        for i in range(len(doc)):
            page = doc[i]
            try:
                tp = page.get_textpage()
                try:
                    text = tp.get_text_range()
                finally:
                    tp.close()
                if not _page_text_usable(text) and (text.strip() or _has_images(page, pdfium)):
                    pages.append(i + 1)
            finally:
                page.close()
    finally:
        doc.close()
    return pages


def _frames(data: bytes) -> int:
    """Pages of an image file (a TIFF may hold several)."""
    import io

    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return max(1, int(getattr(im, "n_frames", 1)))
    except Exception:  # noqa: BLE001 - undecodable: the reader says so
        return 1


def _has_images(page, pdfium) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=3))


def needs_ocr(source: str | os.PathLike | bytes) -> bool:
    """Whether a document (path or bytes) has pages only OCR can read: an image file, or a PDF with
    pages without a usable text layer. Cheap: for routing scans to their own pool or queue."""
    return bool(ocr_pages(source))


DEFAULT_PAGE_BUDGET_S = 90.0


def page_budget() -> float:
    """CPU seconds one page may take to OCR (``GONGKAI_OCR_PAGE_BUDGET_S``, default 90; a scanned page
    costs ~2–10 s, a text page ~0.05 s)."""
    try:
        return float(os.environ.get("GONGKAI_OCR_PAGE_BUDGET_S", DEFAULT_PAGE_BUDGET_S))
    except ValueError:
        return DEFAULT_PAGE_BUDGET_S


def time_allowance(source: str | os.PathLike | bytes) -> float:
    """Seconds a worker may spend on a document's OCR on top of its own time budget: one page
    budget per page that needs OCR (0 for a text document)."""
    return len(ocr_pages(source)) * page_budget()
