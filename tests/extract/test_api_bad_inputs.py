"""Bad inputs end as a record with a distinct error code, never an exception."""

from __future__ import annotations

import os
import random
import shutil

import pytest

from extractors import sniff
from extractors.api import extract


def test_empty_file(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    rec = extract(p)
    assert rec.error.code == "empty_file" and rec.cells == []
    assert rec.source.path == str(p) and rec.source.size == 0
    assert extract(b"  \n\t ").error.code == "empty_file"


def test_random_binary_is_unsupported():
    data = random.Random(7).randbytes(4096)
    rec = extract(data, name="x.bin")
    assert rec.error.code == "unsupported_format"
    assert rec.source.path == "x.bin" and rec.source.media_type == sniff.BINARY


def test_undecodable_text_is_encoding_error():
    # sniffed as text (mostly printable) but neither UTF-8 nor GB18030, and no detector guess that is plausible
    data = bytes([0x80, 0xA9, 0xFF, 0xC3, 0x8F, 0xE9, 0xFE, 0x85]) * 300
    assert sniff.sniff(data) == sniff.TEXT
    rec = extract(data)
    assert rec.error is not None and rec.error.code == "encoding_error"


def test_text_that_is_not_a_report():
    rec = extract("今天天气很好。\n我们去公园。\n".encode())
    assert rec.error.code == "not_a_report"


def test_text_naming_a_report_without_tables():
    rec = extract("某某镇人民政府2022年政府信息公开工作年度报告\n一、总体情况\n本年度工作顺利。\n".encode())
    assert rec.error.code == "no_tables"
    assert rec.report.year == 2022 and rec.report.publisher == "某某镇人民政府"


def test_gbk_and_utf16_text(seeds_dir):
    src = sorted(seeds_dir.glob("003_*.txt"))[0].read_text(encoding="utf-8")
    for data in (src.encode("gb18030"), src.encode("utf-16")):
        rec = extract(data, name="003")
        assert rec.error is None, rec.error
        assert rec.cell_map()[("proactive", "administrative_penalty", "decisions")].value == 9


def test_html_without_tables_is_no_tables():
    html = ("<html><head><meta charset='utf-8'><title>某县2023年政府信息公开工作年度报告</title></head>"
            "<body><div class='nav'>首页</div><p>某县人民政府2023年政府信息公开工作年度报告</p>"
            "<p>详见附件。</p></body></html>").encode()
    rec = extract(html)
    assert rec.source.media_type == "text/html"
    assert rec.error.code == "no_tables"


def test_zip_that_is_not_docx(tmp_path):
    import zipfile

    p = tmp_path / "a.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    assert extract(p).error.code == "unsupported_format"


def test_corrupt_docx(tmp_path):
    p = tmp_path / "broken.docx"
    p.write_bytes(b"PK\x03\x04" + b"word/document.xml" + os.urandom(200))
    rec = extract(p)
    assert rec.error.code in ("corrupt_docx", "unsupported_format")


@pytest.mark.skipif(shutil.which("soffice") is not None, reason="LibreOffice is installed here")
def test_legacy_doc_without_libreoffice():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000
    rec = extract(data, name="old.doc")
    assert rec.error.code == "legacy_doc_needs_libreoffice"
    assert "apt-get install libreoffice-writer-nogui" in rec.error.message


def test_missing_path_is_a_record_not_an_exception(tmp_path):
    rec = extract(tmp_path / "nope.txt")
    assert rec.error.code == "file_vanished" and "disappeared" in rec.error.message


@pytest.mark.parametrize("data,media", [
    (b"%PDF-1.7\n...", sniff.PDF), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", sniff.DOC),
    (b"<!DOCTYPE html><html><body></body></html>", sniff.HTML), (b"\xef\xbb\xbf<html><p>x</p></html>", sniff.HTML),
    ("规章\t0\t0\t0\n".encode(), sniff.TEXT), ("规章\t0\n".encode("gbk"), sniff.TEXT),
    (b"\x00\x01\x02\x03binary\x00", sniff.BINARY),
])
def test_sniff_by_magic_not_extension(data, media):
    assert sniff.sniff(data) == media
