"""The extraction entry point: any document (path or bytes) → one canonical Record, never an exception.

    >>> from extractors.api import extract
    >>> rec = extract("report.pdf")
    >>> rec.error or [c for c in rec.cells if c.status == "ok"][:1]

``extract`` sniffs the media type from the bytes, dispatches to a reader (PDF → ``extractors.pdf``,
its pages without a text layer and image files → ``extractors.ocr``, HTML → ``extractors.html``,
DOCX/DOC → ``extractors.docx``, text → ``extractors.text``), assembles the
cells by their labels (``extractors.assemble``) and fills the Source. Any failure becomes a Record with
``error`` (``empty_file``, ``unsupported_format``, ``encoding_error``, ``no_tables``, ``ocr_unavailable`` …; an unexpected
exception is ``extractor_crash`` with its text).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import traceback
from pathlib import Path

from extractors import errors, sniff
from extractors.assemble import assemble
from extractors.files import file_problem
from extractors.grid import RawDocument
from extractors.model import ExtractionError, Record, Source
from extractors.normalize import strip_record_controls


class _Failure(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def extract(path_or_bytes: str | os.PathLike | bytes, *, name: str | None = None) -> Record:
    """Extract one document. ``name`` is the path recorded in ``source.path`` for bytes input. Every
    extracted string of the record is free of control characters and terminal escape sequences."""
    return strip_record_controls(_extract(path_or_bytes, name=name))


def _extract(path_or_bytes: str | os.PathLike | bytes, *, name: str | None = None) -> Record:
    data: bytes | None = None
    path: Path | None = None
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        data = bytes(path_or_bytes)
        src_path = name or "<bytes>"
    else:
        path = Path(path_or_bytes)
        src_path = name or str(path)
    source = Source(path=src_path, sha256="", media_type=None, pages=None, size=None)
    try:
        if data is None:
            assert path is not None
            problem = file_problem(path)  # a FIFO or a device is never opened
            if problem:
                raise _Failure(*problem)
            data = path.read_bytes()
        source.sha256 = hashlib.sha256(data).hexdigest()
        source.size = len(data)
        if not data.strip():
            raise _Failure(errors.EMPTY_FILE, "the file is empty" if not data else "the file holds only whitespace")
        media = sniff.sniff(data)
        source.media_type = media
        try:
            raw = _read(media, data, path)
        except Exception as e:
            if getattr(e, "code", None) == errors.NO_TABLES and media == sniff.HTML:
                raw = _as_text(_html_text(data), media)  # a page whose report is in paragraphs
            else:
                raise
        source.media_type = raw.media_type or media
        source.pages = raw.pages
        rec = assemble(raw, source)
        if raw.ocr is not None:
            from extractors.ocr.confirm import confirm

            return confirm(rec, raw)
        if rec.error is not None and rec.error.code in (errors.NO_TABLES, errors.NOT_A_REPORT) \
                and media in (sniff.HTML, sniff.DOCX, sniff.DOC, sniff.PDF) and raw.text:
            # tables flattened into paragraphs (tabs, one cell per line), or a PDF whose tables have
            # no rules: read the document's text instead
            flat = _as_text(raw.text, raw.media_type)
            if flat.text == raw.text:
                flat.page_starts = raw.page_starts  # the same text: the claims' pages still hold
            alt = assemble(flat, source)
            if alt.error is None:
                return alt
        return rec
    except _Failure as f:
        return Record(source=source, error=ExtractionError(f.code, f.message))
    except MemoryError:
        return Record(source=source, error=ExtractionError(errors.MEMORY_LIMIT, "out of memory while extracting"))
    except FileNotFoundError as e:
        if path is not None and not path.exists():
            return Record(source=source, error=ExtractionError(errors.FILE_VANISHED,
                                                               f"the file disappeared while it was read: {e.strerror}"))
        return _crash(source, e)
    except Exception as e:  # noqa: BLE001 - every failure is a record, never a crashed batch
        return _crash(source, e)


def _crash(source: Source, e: Exception) -> Record:
    code = getattr(e, "code", None)
    if isinstance(code, str) and code in errors.ERRORS:
        return Record(source=source, error=ExtractionError(code, getattr(e, "message", None) or str(e)))
    tb = traceback.extract_tb(e.__traceback__)
    where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
    return Record(source=source, error=ExtractionError(errors.EXTRACTOR_CRASH, f"{type(e).__name__}: {e}{where}"))


def _as_text(text: str, media_type: str) -> RawDocument:
    from extractors.text import read_text

    raw = read_text(text, media_type=media_type)
    return raw


def _html_text(data: bytes) -> str:
    """The visible text of an HTML page without tables (block elements on their own lines)."""
    import lxml.html

    from extractors.html import decode_html

    root = lxml.html.document_fromstring(decode_html(data),
                                         parser=lxml.html.HTMLParser(huge_tree=True, remove_comments=True))
    for el in root.iter("script", "style", "noscript", "nav", "header", "footer"):
        el.drop_tree() if el.getparent() is not None else None
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr"):
            el.tail = "\n" + (el.tail or "")
    return root.text_content()


def _read_pdf(path: Path) -> RawDocument:
    """A PDF; its pages without a text layer are read by OCR where the OCR packages are installed."""
    from extractors import ocr
    from extractors.pdf import ExtractionFailure, read_pdf

    missing = ocr.missing_packages()
    scan = ocr.LazyScan() if not missing else None
    try:
        raw = read_pdf(path, ocr=scan.pdf_page_reader(path) if scan else None)
    except ExtractionFailure as e:
        if e.code == errors.NO_TEXT_LAYER and missing:
            raise ocr.OcrUnavailable(missing) from e
        if e.code == errors.NO_TEXT_LAYER and scan is not None and scan.session is not None:
            over = [i for i in scan.session.issues if i.code == errors.OCR_PAGE_BUDGET]
            if over:
                raise ExtractionFailure(errors.TIMEOUT, f"OCR ran over its budget of {scan.session.budget_s:g} "
                                        f"CPU-s on {len(over)} page(s) and found no text") from e
            raise ExtractionFailure(errors.NO_TEXT_LAYER, "no page has a text layer and OCR found no text on "
                                    "any (blank or unreadable scans)") from e
        raise
    finally:
        if scan is not None:
            scan.close()
    if scan is not None and scan.session is not None:
        raw.ocr = scan.session
        raw.issues.extend(scan.session.issues)
    elif missing:
        for issue in raw.issues:
            if issue.code == errors.PARTIAL_TEXT_LAYER:
                issue.message += f" (not read: OCR needs {', '.join(missing)}; {ocr.INSTALL_HINT})"
    return raw


_PIPE_ROW = re.compile(rb"^[ \t]*\|.*\|[ \t]*\r?$", re.M)


def _markdown(data: bytes) -> bool:
    """Markdown with HTML tables inside (PDF→Markdown converters): sniffed as HTML for its tables, but
    its pipe tables and text are only read as text. Three pipe rows and no <body> make it Markdown."""
    head = data[:200_000]
    return not re.search(rb"<\s*body\b", head, re.I) and len(_PIPE_ROW.findall(head)) >= 3


def _read(media: str, data: bytes, path: Path | None) -> RawDocument:
    if media == sniff.PDF:
        if path is not None:
            return _read_pdf(path)
        with tempfile.TemporaryDirectory(prefix="gongkai-") as d:
            p = Path(d) / "document.pdf"
            p.write_bytes(data)
            return _read_pdf(p)
    if media in sniff.IMAGES:
        from extractors import ocr

        ocr.require()
        from extractors.ocr.reader import read_image

        return read_image(data, media)
    if media == sniff.HTML and _markdown(data):
        from extractors.text import read_text

        return read_text(data, media_type="text/markdown")  # reads the HTML tables inside it too
    if media == sniff.HTML:
        from extractors.html import read_html

        return read_html(data)
    if media == sniff.DOCX:
        from extractors.docx import read_docx

        return read_docx(data)
    if media == sniff.DOC:
        from extractors.docx import read_doc

        return read_doc(data)
    if media == sniff.TEXT:
        from extractors.text import read_text

        return read_text(data)
    if media == sniff.ZIP:
        raise _Failure(errors.UNSUPPORTED_FORMAT, "a zip archive that is not a Word document")
    raise _Failure(errors.UNSUPPORTED_FORMAT, "not a PDF, HTML, Word, text or image document (binary data)")
