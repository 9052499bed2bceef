"""Word reader → RawDocument: .docx through python-docx, legacy .doc through LibreOffice.

Tables are expanded from the XML: ``w:gridSpan`` (column spans, plus ``w:gridBefore`` offsets) and
``w:vMerge`` (a continued vertical merge copies the cell above with ``origin=False``). Body paragraphs
and tables are taken in document order; the text is the paragraphs' text.

A ``.doc`` is converted with ``soffice --headless --convert-to docx`` when LibreOffice is installed;
otherwise the error is ``legacy_doc_needs_libreoffice``.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

from extractors import errors
from extractors.grid import RawCell, RawDocument, RawTable, check_grid_size
from extractors.text import ReaderError

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC_MEDIA_TYPE = "application/msword"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SOFFICE_TIMEOUT_S = 180


def _p_text(p) -> str:
    parts = []
    for node in p.iter():
        if node.tag == _W + "t" and node.text:
            parts.append(node.text)
        elif node.tag in (_W + "br", _W + "cr"):
            parts.append("\n")
        elif node.tag == _W + "tab":
            parts.append(" ")
    return "".join(parts)


def _tc_text(tc) -> str:
    return "\n".join(_p_text(p) for p in tc.iterchildren(_W + "p")).strip()


def _val(el, name: str) -> str | None:
    return None if el is None else el.get(_W + name)


def _int_val(el, default: int, cap: int) -> int:
    try:
        return max(0, min(int(_val(el, "val") or default), cap))
    except ValueError:
        return default


def grid_size(tbl) -> list[int]:
    """The expanded length of each row (gridBefore + gridSpans), from the XML alone."""
    lengths = []
    for tr in tbl.iterchildren(_W + "tr"):
        trpr = tr.find(_W + "trPr")
        n = _int_val(trpr.find(_W + "gridBefore") if trpr is not None else None, 0, 100)
        for tc in tr.iterchildren(_W + "tc"):
            tcpr = tc.find(_W + "tcPr")
            n += max(1, _int_val(tcpr.find(_W + "gridSpan") if tcpr is not None else None, 1, 100))
        lengths.append(n)
    return lengths


def table_grid(tbl, spent: int = 0) -> list[list[RawCell | None]]:
    check_grid_size(grid_size(tbl), spent)  # too_large before anything is built
    grid: list[list[RawCell | None]] = []
    for tr in tbl.iterchildren(_W + "tr"):
        row: list[RawCell | None] = []
        trpr = tr.find(_W + "trPr")
        before = trpr.find(_W + "gridBefore") if trpr is not None else None
        with contextlib.suppress(ValueError):
            row.extend([None] * min(int(_val(before, "val") or 0), 100))
        for tc in tr.iterchildren(_W + "tc"):
            tcpr = tc.find(_W + "tcPr")
            span_el = tcpr.find(_W + "gridSpan") if tcpr is not None else None
            try:
                span = max(1, min(int(_val(span_el, "val") or 1), 100))
            except ValueError:
                span = 1
            vm = tcpr.find(_W + "vMerge") if tcpr is not None else None
            continued = vm is not None and (_val(vm, "val") in (None, "continue"))
            col = len(row)
            if continued and grid:
                above = grid[-1][col] if col < len(grid[-1]) else None
                text = above.text if above is not None else ""
                for _ in range(span):
                    row.append(RawCell(text, None, origin=False))
                continue
            text = _tc_text(tc)
            for k in range(span):
                row.append(RawCell(text, None, origin=(k == 0)))
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    for r in grid:
        r.extend([None] * (width - len(r)))
    return grid


MAX_UNCOMPRESSED = 256 * 1024 * 1024  # all parts of the package together
_CHUNK = 1 << 16


def _member(data: bytes, info: zipfile.ZipInfo, budget: int) -> bytes:
    """One zip member inflated by us, incrementally, from its raw bytes: never more than its declared
    size + 1 byte, nor more than ``budget``; its CRC checked. A member that inflates past its declared
    size (lying headers) or past the budget is a ``decompression_bomb``."""
    if info.flag_bits & 0x1:
        raise ReaderError(errors.CORRUPT_DOCX, f"the .docx part {info.filename} is encrypted")
    off = info.header_offset
    head = data[off:off + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise ReaderError(errors.CORRUPT_DOCX, f"no local header for the .docx part {info.filename}")
    start = off + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
    raw = memoryview(data)[start:start + info.compress_size]
    limit = min(info.file_size, budget)
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw[:limit + 1])
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        d = zlib.decompressobj(-15)
        parts, size, pos = [], 0, 0
        try:
            while size <= limit and not d.eof:
                if d.unconsumed_tail:
                    piece = d.decompress(d.unconsumed_tail, _CHUNK)
                elif pos < len(raw):
                    piece = d.decompress(raw[pos:pos + _CHUNK], _CHUNK)
                    pos += _CHUNK
                else:
                    break
                parts.append(piece)
                size += len(piece)
        except zlib.error as e:
            raise ReaderError(errors.CORRUPT_DOCX, f"the .docx part {info.filename} is corrupt: {e}") from e
        out = b"".join(parts)
    else:
        raise ReaderError(errors.CORRUPT_DOCX, f"the .docx part {info.filename} uses an unsupported compression "
                                               f"({info.compress_type})")
    if len(out) > info.file_size:
        raise ReaderError(errors.DECOMPRESSION_BOMB, f"the .docx part {info.filename} inflates past its declared "
                                                     f"size of {info.file_size} bytes (lying zip headers)")
    if len(out) > budget:
        raise ReaderError(errors.DECOMPRESSION_BOMB,
                          f"the .docx parts inflate past the limit of {MAX_UNCOMPRESSED} bytes")
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise ReaderError(errors.CORRUPT_DOCX, f"the .docx part {info.filename} is truncated or corrupt (CRC)")
    return out


def read_package(data: bytes) -> bytes:
    """The .docx re-packed (stored, no compression) from its members as *we* inflated them, bounded
    (:func:`_member`): python-docx then never inflates anything itself. ``decompression_bomb`` when the
    parts declare or really inflate to more than MAX_UNCOMPRESSED together."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))  # reads the central directory only
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise ReaderError(errors.CORRUPT_DOCX, f"not a valid .docx (zip): {e}") from e
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNCOMPRESSED:
        raise ReaderError(errors.DECOMPRESSION_BOMB,
                          f"the .docx parts inflate to {declared} bytes, over the limit of {MAX_UNCOMPRESSED}")
    out = io.BytesIO()
    spent = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as w:
        for info in infos:
            if info.is_dir():
                continue
            body = _member(data, info, MAX_UNCOMPRESSED - spent)
            spent += len(body)
            w.writestr(info.filename, body)
    return out.getvalue()


def read_docx(data: bytes, *, media_type: str = MEDIA_TYPE) -> RawDocument:
    package = read_package(data)
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(package))
    except Exception as e:  # noqa: BLE001 - any failure to open is a corrupt document
        raise ReaderError(errors.CORRUPT_DOCX, f"not a valid .docx: {type(e).__name__}: {e}") from e
    body = document.element.body
    lines: list[str] = []
    tables: list[RawTable] = []
    spent = 0
    for child in body.iterchildren():
        if child.tag == _W + "p":
            t = _p_text(child).strip()
            if t:
                lines.append(t)
        elif child.tag == _W + "tbl":
            # the table itself, then tables nested in its cells (layout tables around the report's)
            for tbl in child.iter(_W + "tbl"):
                grid = table_grid(tbl, spent)
                spent += len(grid) * max((len(r) for r in grid), default=0)
                if grid:
                    tables.append(RawTable(grid, None, "docx"))
                    for r in grid:
                        lines.append("\t".join(c.text if c is not None and c.origin else "" for c in r))
        elif child.tag == _W + "sdt":  # content controls wrap paragraphs
            for p in child.iter(_W + "p"):
                t = _p_text(p).strip()
                if t:
                    lines.append(t)
    return RawDocument(media_type, "\n".join(lines), tables, None)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(data: bytes) -> RawDocument:
    """Legacy Word .doc: convert to .docx with LibreOffice headless, then read it."""
    exe = soffice()
    if exe is None:
        raise ReaderError(errors.LEGACY_DOC_NEEDS_LIBREOFFICE,
                          "a legacy Word .doc needs LibreOffice to be converted: install LibreOffice "
                          "(apt-get install libreoffice-writer-nogui) so that `soffice` is on PATH")
    with tempfile.TemporaryDirectory(prefix="gongkai-doc-") as d:
        src = Path(d) / "document.doc"
        src.write_bytes(data)
        try:
            subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{d}/profile",
                            "--convert-to", "docx", "--outdir", d, str(src)],
                           check=True, capture_output=True, timeout=SOFFICE_TIMEOUT_S)
        except subprocess.TimeoutExpired as e:
            raise ReaderError(errors.TIMEOUT, f"LibreOffice did not convert the .doc within {SOFFICE_TIMEOUT_S} s") from e
        except subprocess.CalledProcessError as e:
            raise ReaderError(errors.CORRUPT_DOCX, f"LibreOffice could not convert the .doc: {e.stderr[-300:]!r}") from e
        out = Path(d) / "document.docx"
        if not out.exists():
            raise ReaderError(errors.CORRUPT_DOCX, "LibreOffice produced no .docx from the .doc")
        return read_docx(out.read_bytes(), media_type=DOC_MEDIA_TYPE)
