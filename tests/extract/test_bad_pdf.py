"""Bad PDF inputs, built here byte by byte or with reportlab, through the real extractor
(`extractors.api.extract`) in the isolated worker: each ends as ONE record with its own error code
within the time and memory budget, and a batch of all of them plus a good report loses nothing."""

from __future__ import annotations

import io
import random
import zlib
from pathlib import Path

import pytest
from reportlab.lib import pdfencrypt
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extractors import errors
from extractors.sandbox import extract_isolated, extract_many

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BUDGET = {"timeout_s": 90, "memory_mb": 1024}


def good_report() -> bytes:
    from gongkai.demo.fixtures import render
    from gongkai.demo.fixtures.spec import random_spec

    return render.render(random_spec(random.Random(11), format_version="2021"), "pdf")


def text_pages(n: int, lines: int = 5) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(n):
        c.setFont(FONT, 11)
        for k in range(lines):
            c.drawString(60, 780 - k * 24, f"第{i + 1}页 本报告由某某镇人民政府办公室编制 第{k + 1}段")
        c.drawCentredString(300, 30, f"- {i + 1} -")
        c.showPage()
    c.save()
    return buf.getvalue()


def letter() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(FONT, 12)
    for k, line in enumerate(["关于召开年度工作会议的通知", "各科室：", "定于下周一上午九时在三楼会议室召开年度工作会议。",
                              "某某镇人民政府办公室", "2024年3月1日"]):
        c.drawString(80, 760 - k * 30, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def encrypted() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("user", "owner"))
    c.setFont(FONT, 12)
    c.drawString(80, 760, "二、主动公开政府信息情况")
    c.showPage()
    c.save()
    return buf.getvalue()


def scanned() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 850), "white")
    draw = ImageDraw.Draw(img)
    for y in range(100, 800, 30):  # a ruled table, as pixels only
        draw.line((60, y, 540, y), fill="black", width=2)
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawImage(ImageReader(img), 0, 0, 595, 842)
    c.showPage()
    c.save()
    return buf.getvalue()


def bomb(inflated_mb: int = 1100) -> bytes:
    """A one-page PDF whose FlateDecode content stream inflates to ``inflated_mb`` MB of zeros from
    about 1 MB: full-flushed deflate blocks of one 1 MB chunk repeat byte for byte."""
    chunk = b"\0" * (1 << 20)
    co = zlib.compressobj(9)
    first = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)  # starts with the zlib header
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    final = raw.compress(b"") + raw.flush()  # an empty final block
    adler = 1
    for _ in range(inflated_mb):
        adler = zlib.adler32(chunk, adler)
    stream = first + block * (inflated_mb - 1) + final + adler.to_bytes(4, "big")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_bomb_really_inflates_past_a_gigabyte():
    data = bomb(1100)
    assert len(data) < 2 * 1024 * 1024
    start = data.index(b"stream\n") + 7
    d = zlib.decompressobj()
    total, pos = 0, start
    while pos < len(data) and not d.eof:
        total += len(d.decompress(data[pos : pos + (1 << 16)], 1 << 22))
        pos += 1 << 16
        while d.unconsumed_tail and not d.eof:
            total += len(d.decompress(d.unconsumed_tail, 1 << 22))
    assert d.eof and total == 1100 * (1 << 20) > 1 << 30


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    d = tmp_path_factory.mktemp("bad")
    good = good_report()
    files = {
        "empty": (b"", errors.EMPTY_FILE),
        "truncated": (good[: len(good) // 2], errors.CORRUPT_PDF),
        "garbage": (b"%PDF-1.7\n" + random.Random(0).randbytes(8000), errors.CORRUPT_PDF),
        "encrypted": (encrypted(), errors.ENCRYPTED_PDF),
        "letter": (letter(), errors.NOT_A_REPORT),
        "scanned": (scanned(), errors.NO_TEXT_LAYER),
        "pages450": (text_pages(450, lines=1), errors.TOO_LARGE),
        "bomb": (bomb(), errors.DECOMPRESSION_BOMB),
    }
    out = {}
    for name, (data, code) in files.items():
        p = d / f"{name}.pdf"
        p.write_bytes(data)
        out[name] = (p, code)
    return out


@pytest.mark.parametrize("name", ["empty", "truncated", "garbage", "encrypted", "letter", "scanned",
                                  "pages450", "bomb"])
def test_each_bad_pdf_is_one_record_with_its_code(bad_files, name):
    path, code = bad_files[name]
    rec = extract_isolated(path, **BUDGET)
    assert rec.error is not None, f"{name}: expected {code}, got cells"
    assert rec.error.code == code, f"{name}: {rec.error}"
    assert rec.cells == [] and rec.source.path == str(path) and rec.error.message


def test_300_pages_are_read_within_the_budget(tmp_path):
    p = tmp_path / "pages300.pdf"
    p.write_bytes(text_pages(300, lines=3))
    rec = extract_isolated(p, **BUDGET)
    # read to the end (no timeout, no memory_limit): 300 pages of prose hold none of the tables
    assert rec.error is not None and rec.error.code == errors.NOT_A_REPORT, rec.error
    assert rec.source.pages == 300


def test_text_layer_usable():
    from extractors.pdf import text_layer_usable

    def chars(*texts):
        return [{"text": t} for t in texts]

    assert text_layer_usable(chars("本", "年", "新", "收", "9", "5", " "))
    assert not text_layer_usable(chars("(cid:1)", "(cid:2)", "(cid:3)", "2", "0"))
    assert not text_layer_usable(chars("ð", "½", "¾", "Ú", "1", "2", "3", "4", "本"))
    assert not text_layer_usable(chars(" ", ""))
    # a stray undecodable glyph among plenty of text is tolerated
    assert text_layer_usable(chars(*("报告" * 20), "(cid:7)"))


def test_partial_text_layer_is_an_issue(tmp_path):
    """A report with one scanned page appended: read, with a partial_text_layer issue."""
    from extractors.pdf import read_pdf

    p = tmp_path / "mixed.pdf"
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(FONT, 12)
    c.drawString(80, 760, "某某镇人民政府2023年政府信息公开工作年度报告")
    c.showPage()
    from PIL import Image

    c.drawImage(ImageReader(Image.new("RGB", (60, 80), "gray")), 0, 0, 595, 842)
    c.showPage()
    c.save()
    p.write_bytes(buf.getvalue())
    raw = read_pdf(p)
    assert [i.code for i in raw.issues] == [errors.PARTIAL_TEXT_LAYER] and raw.issues[0].page == 2


def test_batch_of_bad_pdfs_and_a_good_one(bad_files, tmp_path):
    good = tmp_path / "good.pdf"
    good.write_bytes(good_report())
    paths = [p for p, _ in bad_files.values()] + [good]
    recs = list(extract_many(paths, workers=2, **BUDGET))
    assert sorted(r.source.path for r in recs) == sorted(str(p) for p in paths)
    by_path = {r.source.path: r for r in recs}
    for p, code in bad_files.values():
        assert by_path[str(p)].error is not None and by_path[str(p)].error.code == code
    g = by_path[str(good)]
    assert g.error is None and sum(1 for c in g.cells if c.status == "ok") > 100
