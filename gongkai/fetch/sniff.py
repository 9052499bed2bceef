"""Media type from the bytes themselves: servers often lie (a PDF served as text/html).

The content decides, through the extractor's own sniffer (``extractors.sniff``), so a fetched file is
labelled exactly as the extractor will read it; the declared Content-Type is used only for an empty body."""

from __future__ import annotations

from extractors import sniff as _sniff

EXTENSIONS = {
    _sniff.PDF: "pdf",
    _sniff.HTML: "html",
    _sniff.DOCX: "docx",
    _sniff.DOC: "doc",
    _sniff.TEXT: "txt",
    _sniff.ZIP: "zip",
    _sniff.BINARY: "bin",
    _sniff.PNG: "png",
    _sniff.JPEG: "jpg",
    _sniff.TIFF: "tif",
    _sniff.BMP: "bmp",
    _sniff.WEBP: "webp",
}


def sniff_media_type(data: bytes, declared: str | None = None) -> str:
    """The media type of ``data`` (its first bytes are enough: a zip's directory is looked for in them)."""
    if not data.strip():
        base = (declared or "").split(";")[0].strip().lower()
        return base or _sniff.BINARY
    return _sniff.sniff(data)


def extension_for(media_type: str | None) -> str:
    return EXTENSIONS.get((media_type or "").split(";")[0].strip().lower(), "bin")
