"""Media type of a document from its bytes (magic numbers), never from its file extension."""

from __future__ import annotations

import io
import re
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
HTML = "text/html"
TEXT = "text/plain"
ZIP = "application/zip"
BINARY = "application/octet-stream"
# images: scanned or photographed reports, read by OCR (extractors.ocr)
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
BMP = "image/bmp"
WEBP = "image/webp"
IMAGES = (PNG, JPEG, TIFF, BMP, WEBP)
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG), (b"II*\x00", TIFF), (b"MM\x00*", TIFF),
                (b"BM", BMP))

_HTML_RE = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|table|div|p)\b", re.I)


def sniff(data: bytes) -> str:
    """One of PDF, DOCX, DOC, HTML, TEXT, ZIP (a zip that is not a Word document), an image type of
    IMAGES, or BINARY."""
    head = data[:2048]
    image = _image_type(head)
    if image is not None:
        return image
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n\x00")
    if b"%PDF-" in data[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return DOCX if b"word/" in data[:65536] else ZIP
        return DOCX if "word/document.xml" in names else ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 text: look for html in the decoded head
        try:
            txt = head.decode("utf-16", errors="ignore").encode("utf-8")
        except Exception:  # noqa: BLE001
            txt = b""
        return HTML if _HTML_RE.search(txt[:1024]) else TEXT
    if _HTML_RE.match(stripped[:512].lstrip()) or re.search(rb"<\s*(html|table)\b", head, re.I) and \
            re.search(rb"</\s*(td|tr|p|div|html)\s*>", data[:200000], re.I):
        return HTML
    if _is_texty(head):
        return TEXT
    return BINARY


def _image_type(head: bytes) -> str | None:
    for magic, media in _IMAGE_MAGIC:
        if head.startswith(magic):
            # "BM" also starts text ("BMW …"): a bitmap's header gives its own file size and a small offset
            if media == BMP and not (len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00"):
                continue
            return media
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def _is_texty(head: bytes) -> bool:
    if not head:
        return True
    if b"\x00" in head:
        return False
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    # no NUL bytes and few control characters: text in some encoding (the decoder decides which,
    # or reports an encoding_error)
    return ctrl / len(head) <= 0.05
