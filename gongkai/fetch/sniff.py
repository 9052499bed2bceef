"""Media type from the bytes themselves: servers often lie (a PDF served as text/html).

Uses ``extractors.sniff`` when it exists; otherwise (or when it cannot tell) a small local sniff."""

from __future__ import annotations

import zipfile
from io import BytesIO

EXTENSIONS = {
    "application/pdf": "pdf",
    "text/html": "html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "text/plain": "txt",
    "application/zip": "zip",
    "application/octet-stream": "bin",
}


def _local_sniff(head: bytes, declared: str | None = None, *, full: bytes | None = None) -> str:
    h = head.lstrip(b"\xef\xbb\xbf\r\n\t ")
    if h.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "application/pdf"
    if h.startswith(b"PK\x03\x04"):
        if full is not None:
            try:
                names = zipfile.ZipFile(BytesIO(full)).namelist()
                if "word/document.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            except zipfile.BadZipFile:
                pass
        elif b"word/" in head:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return "application/zip"
    if h.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    low = h[:512].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in low or b"<table" in low:
        return "text/html"
    if not h:
        base = (declared or "").split(";")[0].strip().lower()
        return base or "application/octet-stream"
    sample = head[:4096]
    for enc in ("utf-8", "gb18030", "utf-16"):
        try:
            sample.decode(enc)
        except UnicodeDecodeError as e:
            if e.start >= len(sample) - 4:  # a multi-byte character cut at the sample's end
                return "text/plain"
            continue
        return "text/plain"
    return "application/octet-stream"


def sniff_media_type(data: bytes, declared: str | None = None) -> str:
    """The media type of ``data`` (its content decides; ``declared`` only breaks ties)."""
    try:  # H1's sniffer, when present, knows more formats
        from extractors.sniff import sniff as ext_sniff  # type: ignore[import-not-found]
    except ImportError:
        ext_sniff = None
    if ext_sniff is not None:
        try:
            found = ext_sniff(data)
            mt = getattr(found, "media_type", found)
            if isinstance(mt, str) and "/" in mt:
                return mt
        except Exception:  # noqa: BLE001 - fall back to the local sniff
            pass
    return _local_sniff(data[:8192], declared, full=data)


def extension_for(media_type: str | None) -> str:
    return EXTENSIONS.get((media_type or "").split(";")[0].strip().lower(), "bin")
