"""Issue 10 against the extractor: every hostile document is generated here, and each must end as one
record with the right error code (or, for one bad cell, that cell ``unreadable``) — bounded in time and
memory by the mechanism, not by luck."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib

import pytest

from extractors import errors
from extractors.api import extract
from extractors.pdf import ExtractionFailure, read_pdf
from extractors.sandbox import extract_isolated
from gongkai.demo import samples
from tests.support import ROOT

SEED = samples.text_path(0)
SMALL = {"max_stream_bytes": 8 << 20, "max_total_inflated": 16 << 20}  # in-process: stop early and cheaply


# ------------------------------------------------------------------ generators

def zero_deflate(mb: int) -> bytes:
    """A zlib stream of ``mb`` MiB of zeros, built in O(1 MB) of work: one full-flushed deflate block
    of a 1 MiB chunk repeats byte for byte."""
    chunk = b"\0" * (1 << 20)
    co = zlib.compressobj(9)
    first = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    final = raw.compress(b"") + raw.flush()
    adler = 1
    for _ in range(mb):
        adler = zlib.adler32(chunk, adler)
    return first + block * (mb - 1) + final + adler.to_bytes(4, "big")


def lzw_zeros(codes: int) -> bytes:
    """LZW (PDF, early change) codes that decode to ever longer runs of zeros: each code past the
    table's growth yields ~3,800 bytes from 12 bits."""
    out, acc, nacc = bytearray(), 0, 0
    table, nbits = 258, 9

    def put(code: int, bits: int) -> None:
        nonlocal acc, nacc
        acc, nacc = (acc << bits) | code, nacc + bits
        while nacc >= 8:
            nacc -= 8
            out.append((acc >> nacc) & 0xFF)

    put(256, nbits)  # clear: the decoder starts with an empty table
    put(0, nbits)
    for i in range(codes):
        code = table if table < 4095 else 4094
        put(code, nbits)
        table += 1
        nbits = 10 if table >= 511 else nbits
        nbits = 11 if table >= 1023 else nbits
        nbits = 12 if table >= 2047 else nbits
        del i
    if nacc:
        out.append((acc << (8 - nacc)) & 0xFF)
    return bytes(out)


PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
FILE_ID = b"gongkai-hostile!"


def _rc4(key: bytes, data: bytes) -> bytes:
    from pdfminer.arcfour import Arcfour

    return Arcfour(key).encrypt(data)


def pdf(content_dict: bytes, stream: bytes, *, extra_objs: dict[int, bytes] | None = None,
        before_stream: bytes = b"\n", rc4: bool = False) -> bytes:
    """A one-page PDF whose page content (object 4) is ``stream`` with dictionary ``content_dict``;
    ``rc4``: the standard security handler (R2, 40-bit RC4, empty user password)."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"}
    trailer = b""
    if rc4:
        okey = hashlib.md5(PAD).digest()[:5]  # owner password empty too
        o = _rc4(okey, PAD)
        p = struct.pack("<i", -44)
        key = hashlib.md5(PAD + o + p + FILE_ID).digest()[:5]
        u = _rc4(key, PAD)
        objs[9] = b"<< /Filter /Standard /V 1 /R 2 /O <" + o.hex().encode() + b"> /U <" + u.hex().encode() \
            + b"> /P -44 >>"
        stream = _rc4(hashlib.md5(key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10], stream)
        trailer = b" /Encrypt 9 0 R /ID [<" + FILE_ID.hex().encode() + b"> <" + FILE_ID.hex().encode() + b">]"
    objs[4] = b"<< /Length " + str(len(stream)).encode() + b" " + content_dict + b" >>" + before_stream \
        + b"stream\n" + stream + b"\nendstream"
    objs.update(extra_objs or {})
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out += f"{n} 0 obj\n".encode() + objs[n] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for n in range(1, size):
        out += (f"{offsets[n]:010d} 00000 n \n" if n in offsets else "0000000000 65535 f \n").encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R".encode() + trailer + f" >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


BOMB_MB = 64  # in-process budgets stop at 8 MB a stream / 16 MB a document

PDF_BOMBS = {
    # /Filter given by reference: the old pre-flight looked for the literal /FlateDecode
    "indirect_filter": lambda: pdf(b"/Filter 5 0 R", zero_deflate(BOMB_MB), extra_objs={5: b"/FlateDecode"}),
    # a filter chain: a small file inflating twice
    "double_flate": lambda: pdf(b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(zero_deflate(BOMB_MB), 9)),
    # an /Image token in a content stream's dictionary (the pre-flight skipped "images")
    "image_token": lambda: pdf(b"/Filter /FlateDecode /Subtype /Image", zero_deflate(BOMB_MB)),
    # a dictionary longer than the pre-flight's 4 KB window
    "long_dict": lambda: pdf(b"/Filter /FlateDecode /Junk (" + b"x" * 6000 + b")", zero_deflate(BOMB_MB)),
    # a comment between the dictionary and `stream`
    "comment_before_stream": lambda: pdf(b"/Filter /FlateDecode", zero_deflate(BOMB_MB),
                                         before_stream=b"\n% a comment\n"),
    # encrypted: the Flate data is only visible after RC4
    "rc4_encrypted": lambda: pdf(b"/Filter /FlateDecode", zero_deflate(BOMB_MB), rc4=True),
    # LZW
    "lzw": lambda: pdf(b"/Filter /LZWDecode", lzw_zeros(12_000)),
    # RunLength: 2 bytes → 128 bytes
    "runlength": lambda: pdf(b"/Filter /RunLengthDecode", b"\x81\x00" * (200_000) + b"\x80"),
}


@pytest.mark.parametrize("parser", ["pdfium", "pdfminer"])
@pytest.mark.parametrize("name", sorted(PDF_BOMBS))
def test_pdf_bombs_are_stopped_where_they_inflate(tmp_path, name, parser):
    """pdfminer decodes through the bounded decoder; PDFium (no output cap of its own) opens a document
    only after every stream has been decoded once, bounded."""
    p = tmp_path / f"{name}.pdf"
    p.write_bytes(PDF_BOMBS[name]())
    assert p.stat().st_size < 2 << 20
    with pytest.raises(ExtractionFailure) as e:
        read_pdf(p, parser=parser, **SMALL)
    assert e.value.code == errors.DECOMPRESSION_BOMB, e.value


def test_a_pdf_bomb_in_the_sandbox_is_a_decompression_bomb_not_a_timeout(tmp_path):
    """With the production budgets (256 MB a stream, 1 GiB a document, 1 GiB of memory): a 4 KB-class
    double-Flate file that would inflate to 1.1 GB."""
    p = tmp_path / "double.pdf"
    p.write_bytes(pdf(b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(zero_deflate(1100), 9)))
    assert p.stat().st_size < 64 * 1024
    rec = extract_isolated(p, timeout_s=120, memory_mb=1024)
    assert rec.error is not None and rec.error.code == errors.DECOMPRESSION_BOMB, rec.error


def test_a_small_encrypted_pdf_stream_still_decodes(tmp_path):
    """The bounded decoder deciphers and inflates exactly like pdfminer for a normal stream."""
    import pdfplumber

    content = b"BT /F1 12 Tf 72 720 Td (hello) Tj ET"
    font = {5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
    data = pdf(b"/Filter /FlateDecode", zlib.compress(content), extra_objs={**font, 3: page}, rc4=True)
    p = tmp_path / "enc.pdf"
    p.write_bytes(data)
    from extractors import bounded

    with bounded.budget(1 << 20, 1 << 20) as b, pdfplumber.open(p) as doc:
        assert "hello" in doc.pages[0].extract_text()
    assert b.exceeded is None and b.used >= len(content)


# ------------------------------------------------------------------ DOCX

def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某某镇人民政府2020年政府信息公开工作年度报告")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def lying_docx(inflated_mb: int = 300, declared: int = 1000) -> bytes:
    """A .docx whose word/document.xml inflates to ``inflated_mb`` MB while its zip headers (local and
    central) declare ``declared`` bytes: the old declared-size check passed it."""
    src = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                z.writestr(info, src.read(info))
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = b"".join(co.compress(b" " * (1 << 20)) for _ in range(inflated_mb)) + co.flush()
    name = b"word/document.xml"
    crc = 0x12345678
    data = bytearray(out.getvalue())
    cd_start = data.rindex(b"PK\x05\x06")
    eocd = data[cd_start:]
    cd_off = int.from_bytes(eocd[16:20], "little")
    central = data[cd_off:cd_start]
    local = (b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0, crc, len(body), declared, len(name), 0)
             + name + body)
    entry = (b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, 20, 0, 8, 0, 0, crc, len(body), declared,
                                         len(name), 0, 0, 0, 0, 0, cd_off) + name)
    new_central = central + entry
    count = int.from_bytes(eocd[10:12], "little") + 1
    new_eocd = (eocd[:8] + struct.pack("<HHII", count, count, len(new_central), cd_off + len(local)) + eocd[20:])
    return bytes(data[:cd_off]) + local + bytes(new_central) + bytes(new_eocd)


def test_a_docx_with_lying_zip_headers_is_a_decompression_bomb():
    data = lying_docx()
    assert len(data) < 1 << 20
    rec = extract(data, name="lying.docx")
    assert rec.error is not None and rec.error.code == errors.DECOMPRESSION_BOMB, rec.error
    assert "declared" in rec.error.message


def test_an_honest_docx_still_reads():
    from extractors.docx import read_docx

    raw = read_docx(_docx_bytes())
    assert "年度报告" in raw.text


# ------------------------------------------------------------------ grids

def span_bomb_html(rows: int = 400) -> bytes:
    cell = '<td rowspan="200" colspan="200">x</td>'
    return ("<html><body><table>" + "".join(f"<tr>{cell * 3}</tr>" for _ in range(rows))
            + "</table></body></html>").encode()


def test_a_rowspan_colspan_bomb_is_too_large_before_the_grid_is_built():
    data = span_bomb_html()
    assert len(data) < 80 * 1024
    rec = extract(data, name="spans.html")
    assert rec.error is not None and rec.error.code == errors.TOO_LARGE, rec.error
    assert "cells" in rec.error.message


def test_a_gridspan_bomb_in_a_docx_is_too_large():
    import docx
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    d = docx.Document()
    t = d.add_table(rows=1, cols=1)
    tr = t._tbl.tr_lst[0]
    for _ in range(3000):  # 3,000 cells spanning 100 grid columns each, over 70 rows
        tc = OxmlElement("w:tc")
        pr = OxmlElement("w:tcPr")
        span = OxmlElement("w:gridSpan")
        span.set(qn("w:val"), "100")
        pr.append(span)
        tc.append(pr)
        tc.append(OxmlElement("w:p"))
        tr.append(tc)
    for _ in range(70):
        t._tbl.append(__import__("copy").deepcopy(tr))
    buf = io.BytesIO()
    d.save(buf)
    rec = extract(buf.getvalue(), name="spans.docx")
    assert rec.error is not None and rec.error.code == errors.TOO_LARGE, rec.error


# ------------------------------------------------------------------ text

def _seed() -> str:
    return SEED.read_text(encoding="utf-8")


def test_terminal_escapes_are_stripped_from_every_extracted_string():
    evil = "\x1b]0;pwned\x07\x1b[31m灵武市东塔镇人民政府\x1b[0m\u202e\x07"
    text = _seed().replace("灵武市东塔镇人民政府", evil)
    rec = extract(text.encode("utf-8"), name="evil.txt")
    assert rec.error is None
    strings = [rec.report.publisher or "", *(c.raw or "" for c in rec.cells), *(i.message for i in rec.issues)]
    assert not any(ch in s for s in strings for ch in "\x1b\x07\u202e")
    assert rec.report.publisher == "灵武市东塔镇人民政府"


def test_utf32_text_is_read():
    for enc in ("utf-32", "utf-32-le", "utf-32-be"):
        rec = extract(_seed().encode(enc), name=f"{enc}.txt")
        assert rec.error is None, (enc, rec.error)
        assert rec.report.publisher == "灵武市东塔镇人民政府"


def test_a_5000_digit_count_makes_that_cell_unreadable_not_the_document():
    text = _seed().replace("一、本年新收政府信息公开申请数量\t\t0\t", "一、本年新收政府信息公开申请数量\t\t" + "9" * 5000 + "\t", 1)
    rec = extract(text.encode("utf-8"), name="digits.txt")
    assert rec.error is None
    row = {c.column: c for c in rec.cells if c.table == "applications" and c.row == "new_received"}
    assert row["natural_person"].status == "unreadable" and row["natural_person"].value is None
    assert all(row[c].status == "ok" for c in row if c != "natural_person")


# ------------------------------------------------------------------ the CLI

def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongkai.cli", "extract", *args], cwd=ROOT, capture_output=True,
                          timeout=timeout)


def test_cli_extract_is_bounded_by_default(tmp_path):
    p = tmp_path / "seed.txt"
    p.write_text(_seed(), encoding="utf-8")
    out = _cli(str(p), "--json", "--timeout", "0.001")  # the default mode has a time budget
    assert json.loads(out.stdout)["error"]["code"] == errors.TIMEOUT
    out = _cli(str(p), "--json", "--in-process")
    assert "error" not in json.loads(out.stdout)


def test_cli_extract_refuses_devices_and_prints_no_escape_codes(tmp_path):
    out = _cli("/dev/zero", "--json", timeout=120)
    assert json.loads(out.stdout)["error"]["code"] == errors.NOT_A_REGULAR_FILE
    evil = tmp_path / "evil.txt"
    evil.write_text(_seed().replace("灵武市东塔镇人民政府", "\x1b]0;pwned\x07灵武市东塔镇人民政府"), encoding="utf-8")
    weird = os.fsencode(tmp_path) + b"/\xb1\xa8\xb8\xe6.txt"  # GBK "报告", not UTF-8
    with open(weird, "wb") as f:
        f.write(_seed().encode("utf-8"))
    out = _cli(str(evil), os.fsdecode(weird))
    assert out.returncode == 0, out.stderr[-1000:]
    assert b"\x1b" not in out.stdout and b"\x07" not in out.stdout
    assert "报告.txt".encode() in out.stdout
