"""Decompression bounded where it happens: every PDF stream pdfminer decodes, every filter of its chain.

A pre-flight scan of the raw bytes cannot see every way a PDF names its filters (an indirect
``/Filter 5 0 R``, arrays ``[/FlateDecode /FlateDecode]``, LZW, streams encrypted with RC4/AES, a
dictionary longer than any window). So the bound sits in the decoder itself: :func:`install` replaces
``pdfminer.pdftypes.PDFStream.decode`` with :func:`bounded_decode`, which deciphers and applies the
stream's filters exactly as pdfminer does (Flate, LZW, ASCII85, ASCIIHex, RunLength, CCITT; predictors),
but inflates incrementally and charges every decoded byte to the active :class:`Budget`: one stream may
not decode past ``max_stream_bytes``, a document's streams together not past ``max_total_bytes``.
Exceeding either raises :class:`DecompressionBomb` *and* marks the budget, so a caller still knows even if
a parser swallowed the exception on the way up. Streams decoded with no budget active (outside
:func:`budget`) behave as in pdfminer, bounded by the module defaults.

    >>> with budget(max_stream_bytes=256 << 20, max_total_bytes=1 << 30) as b:
    ...     pdf = pdfplumber.open(path); ...
    >>> b.exceeded    # True when a stream tried to inflate past a limit
"""

from __future__ import annotations

import contextlib
import logging
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from extractors import errors

log = logging.getLogger(__name__)

DEFAULT_MAX_STREAM_BYTES = 256 * 1024 * 1024   # one decoded stream
DEFAULT_MAX_TOTAL_BYTES = 1024 * 1024 * 1024   # every stream of a document together
_CHUNK = 1 << 16


class DecompressionBomb(Exception):
    """A stream decodes past the budget: the document's error is ``decompression_bomb``."""

    code = errors.DECOMPRESSION_BOMB

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Budget:
    max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES
    used: int = 0
    exceeded: str | None = None  # the message of the first excess

    def check(self, stream_bytes: int, what: str) -> None:
        """Raise when a stream has decoded ``stream_bytes`` so far past a limit."""
        if stream_bytes > self.max_stream_bytes:
            self._fail(f"a {what} stream decodes past {self.max_stream_bytes >> 20} MB")
        if self.used + stream_bytes > self.max_total_bytes:
            self._fail(f"the document's streams decode past {self.max_total_bytes >> 20} MB together")

    def _fail(self, message: str) -> None:
        self.exceeded = self.exceeded or message
        raise DecompressionBomb(message)


_local = threading.local()


def current() -> Budget:
    b = getattr(_local, "budget", None)
    if b is None:
        b = _local.budget = Budget()
    return b


@contextlib.contextmanager
def budget(max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
           max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES) -> Iterator[Budget]:
    """A fresh budget for the streams decoded in this block (this thread); installs the bounded decoder."""
    install()
    old = getattr(_local, "budget", None)
    b = _local.budget = Budget(max_stream_bytes, max_total_bytes)
    try:
        yield b
    finally:
        _local.budget = old


# ---------------------------------------------------------------- bounded filters

def inflate(data: bytes, b: Budget) -> bytes:
    """zlib-inflate ``data`` at most ``_CHUNK`` output bytes at a time, charging the budget. A corrupt or
    truncated tail keeps what was decoded before it (as pdfminer's ``decompress_corrupted`` does); an
    error early in the stream gives b"" (as pdfminer)."""
    d = zlib.decompressobj()
    out: list[bytes] = []
    size = pos = 0
    try:
        while pos < len(data) and not d.eof:
            piece = d.decompress(data[pos:pos + _CHUNK], _CHUNK)
            pos += _CHUNK
            size += len(piece)
            out.append(piece)
            b.check(size, "FlateDecode")
            while d.unconsumed_tail and not d.eof:
                piece = d.decompress(d.unconsumed_tail, _CHUNK)
                size += len(piece)
                out.append(piece)
                b.check(size, "FlateDecode")
    except zlib.error:
        return _inflate_corrupted(data, b)
    return b"".join(out)


def _inflate_corrupted(data: bytes, b: Budget) -> bytes:
    """pdfminer's ``decompress_corrupted``, bounded: byte by byte, so the error's position is known; an
    error in the last 3 bytes (the checksum) keeps the output, an earlier one gives b""."""
    d = zlib.decompressobj()
    out = bytearray()
    for i in range(len(data)):
        try:
            out += d.decompress(data[i:i + 1])
        except zlib.error:
            if i < len(data) - 3:
                return b""
            log.warning("Data-loss while decompressing corrupted data")
            break
        if len(out) & 0xFFFF < 1100:
            b.check(len(out), "FlateDecode")
    b.check(len(out), "FlateDecode")
    return bytes(out)


def lzw(data: bytes, b: Budget) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out: list[bytes] = []
    size = 0
    for piece in LZWDecoder(BytesIO(data)).run():
        size += len(piece)
        out.append(piece)
        if len(out) % 256 == 0:
            b.check(size, "LZWDecode")
    b.check(size, "LZWDecode")
    return b"".join(out)


def runlength(data: bytes, b: Budget) -> bytes:
    """RunLengthDecode (PDF 1.7 §7.4.5), charging the budget as it goes."""
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        length = data[i]
        i += 1
        if length == 128:
            break
        if length < 128:
            out += data[i:i + length + 1]
            i += length + 1
        elif i < n:
            out += data[i:i + 1] * (257 - length)
            i += 1
        if len(out) & 0xFFFF < 258:
            b.check(len(out), "RunLengthDecode")
    b.check(len(out), "RunLengthDecode")
    return bytes(out)


def bounded_decode(self) -> None:
    """``PDFStream.decode`` with every filter bounded by the active :class:`Budget` (see module doc)."""
    from pdfminer import settings
    from pdfminer.ascii85 import ascii85decode, asciihexdecode
    from pdfminer.ccitt import ccittfaxdecode
    from pdfminer.pdftypes import (
        LITERAL_CRYPT,
        LITERALS_ASCII85_DECODE,
        LITERALS_ASCIIHEX_DECODE,
        LITERALS_CCITTFAX_DECODE,
        LITERALS_DCT_DECODE,
        LITERALS_FLATE_DECODE,
        LITERALS_JBIG2_DECODE,
        LITERALS_JPX_DECODE,
        LITERALS_LZW_DECODE,
        LITERALS_RUNLENGTH_DECODE,
        PDFException,
        PDFNotImplementedError,
        int_value,
    )
    from pdfminer.utils import apply_png_predictor, apply_tiff_predictor

    assert self.data is None and self.rawdata is not None, str((self.data, self.rawdata))
    b = current()
    data = self.rawdata
    if self.decipher:  # RC4 / AES: same size out as in; the filters below are bounded as for any stream
        assert self.objid is not None
        assert self.genno is not None
        data = self.decipher(self.objid, self.genno, data, self.attrs)
    filters = self.get_filters()
    if not filters:
        self.data = data
        self.rawdata = None
        return
    for f, params in filters:
        if f in LITERALS_FLATE_DECODE:
            data = inflate(data, b)
            if not data and settings.STRICT:
                raise PDFException("Invalid zlib bytes")
        elif f in LITERALS_LZW_DECODE:
            data = lzw(data, b)
        elif f in LITERALS_ASCII85_DECODE:
            data = ascii85decode(data)  # at most 5× its input ("z" → 4 zero bytes)
        elif f in LITERALS_ASCIIHEX_DECODE:
            data = asciihexdecode(data)  # shrinks
        elif f in LITERALS_RUNLENGTH_DECODE:
            data = runlength(data, b)
        elif f in LITERALS_CCITTFAX_DECODE:
            data = ccittfaxdecode(data, params)
        elif f in LITERALS_DCT_DECODE or f in LITERALS_JBIG2_DECODE or f in LITERALS_JPX_DECODE:
            pass  # image codecs: passed through undecoded
        elif f == LITERAL_CRYPT:
            raise PDFNotImplementedError("/Crypt filter is unsupported")
        else:
            raise PDFNotImplementedError(f"Unsupported filter: {f!r}")
        b.check(len(data), "filtered")
        if params and "Predictor" in params:  # predictors never grow the data
            pred = int_value(params["Predictor"])
            if pred == 1:
                pass
            elif pred == 2:
                data = apply_tiff_predictor(int_value(params.get("Colors", 1)), int_value(params.get("Columns", 1)),
                                            int_value(params.get("BitsPerComponent", 8)), data)
            elif pred >= 10:
                data = apply_png_predictor(pred, int_value(params.get("Colors", 1)),
                                           int_value(params.get("Columns", 1)),
                                           int_value(params.get("BitsPerComponent", 8)), data)
            else:
                raise PDFNotImplementedError(f"Unsupported predictor: {pred!r}")
    b.used += len(data)
    b.check(0, "decoded")
    self.data = data
    self.rawdata = None


def preflight(document: Any, max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
              max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES) -> None:
    """Decode every stream of a pdfminer ``PDFDocument`` once, on a copy, under a budget of its own, and
    throw the output away. For a parser that inflates streams itself, out of our reach (PDFium, which
    has no output cap): it opens the document only after this has passed. Raises
    :class:`DecompressionBomb`; a stream that is merely broken is left for the parser to judge."""
    from pdfminer.pdftypes import PDFStream

    with budget(max_stream_bytes, max_total_bytes):
        seen: set[int] = set()
        for xref in document.xrefs:
            for objid in xref.get_objids():
                if objid in seen:
                    continue
                seen.add(objid)
                try:
                    obj = document.getobj(objid)  # objects in object streams: their stream decodes here
                    if not isinstance(obj, PDFStream) or obj.rawdata is None:
                        continue
                    copy = PDFStream(obj.attrs, obj.rawdata, obj.decipher)
                    copy.objid, copy.genno = obj.objid, obj.genno
                    copy.decode()
                except DecompressionBomb:
                    raise
                except Exception:  # noqa: S112 — a broken object is the parser's to report, not a bomb
                    continue


_installed = False


def install() -> None:
    """Make pdfminer decode every stream through :func:`bounded_decode` (idempotent)."""
    global _installed
    if _installed:
        return
    from pdfminer.pdftypes import PDFStream

    PDFStream.decode = bounded_decode  # type: ignore[method-assign]
    _installed = True
