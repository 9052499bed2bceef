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


_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))


def unicode_encoding(data: bytes) -> str | None:
    """The Unicode encoding of text marked by a BOM (UTF-32 before UTF-16: their LE marks share a
    prefix), or of UTF-32 without one (every 4-byte unit a code point < U+110000, most of them
    below U+10000 with two zero bytes); None otherwise."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    head = data[:4096]
    n = len(head) // 4
    if n < 4 or len(data) % 4:
        return None
    for enc, hi in (("utf-32-le", slice(2, 4)), ("utf-32-be", slice(0, 2))):
        units = [head[i * 4:i * 4 + 4] for i in range(n)]
        if all(u[hi] == b"\x00\x00" or (enc == "utf-32-le" and u[3] == 0 and u[2] <= 0x10)
               or (enc == "utf-32-be" and u[0] == 0 and u[1] <= 0x10) for u in units):
            try:
                txt = head[:n * 4].decode(enc)
            except UnicodeDecodeError:
                continue
            readable = sum(1 for ch in txt if (ch.isprintable() and ch != "\x00") or ch in "\t\r\n")
            if readable >= 0.9 * len(txt):  # text, not a binary file full of zero bytes
                return enc
    return None


def sniff(data: bytes) -> str:
    """One of PDF, DOCX, DOC, HTML, TEXT, ZIP (a zip that is not a Word document), an image type of
    IMAGES, or BINARY."""
    head = data[:2048]
    image = _image_type(head)
    if image is not None:
        return image
    enc = unicode_encoding(data)
    if enc and enc.startswith("utf-32"):
        txt = head[:len(head) // 4 * 4].decode(enc, errors="ignore").lstrip("\ufeff").encode("utf-8")
        return HTML if _HTML_RE.search(txt[:1024]) else TEXT
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
