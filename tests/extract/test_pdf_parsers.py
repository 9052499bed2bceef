"""Old parser against new, over every PDF we have: the sample corpus (the five seeds in each PDF
variant, the random reports, the bad files), the parser samples (``pdf_samples``), a (cid:N)-only
report and the real reports in ``../shared/real/``. Read with pdfminer and with PDFium, each gives
the same RawDocument — the text, every table cell's text, page, origin flag and box, the issues, or
the same error — and ``extract`` gives the same Record (cells with their raw text and page, report
metadata, issues)."""

from __future__ import annotations

import pytest

from extractors.api import extract
from extractors.pdf import ExtractionFailure, read_pdf
from gongkai.demo.fixtures import corpus
from tests.support.pdf_samples import SAMPLES


def _raw(path, parser):
    """The RawDocument as plain data, and its cells' boxes apart."""
    try:
        d = read_pdf(path, parser=parser)
    except ExtractionFailure as e:
        return ("error", e.code, e.message), []
    cells = [c for t in d.tables for r in t.rows for c in r if c is not None]
    return {
        "text": d.text, "pages": d.pages, "issues": [(i.code, i.message, i.page) for i in d.issues],
        "tables": [(t.page, t.source, [[None if c is None else (c.text, c.page, c.origin) for c in r]
                                       for r in t.rows]) for t in d.tables],
    }, [x for c in cells for x in c.bbox]


def _same(path) -> bool:
    """Identical but for the cells' boxes, which may differ in the fifth decimal: PDFium keeps
    coordinates in single precision, and a number written with more digits than that holds
    (reportlab writes 524.40944) comes back only to its nearest single-precision neighbours."""
    (old, old_boxes), (new, new_boxes) = _raw(path, "pdfminer"), _raw(path, "pdfium")
    return old == new and new_boxes == pytest.approx(old_boxes, abs=1e-4)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory, real_dir, sample_corpus):
    root = tmp_path_factory.mktemp("parsers")
    files = sorted(f for f in sample_corpus.rglob("*.pdf"))
    for name, build in SAMPLES.items():
        files.append(root / f"{name}.pdf")
        files[-1].write_bytes(build())
    cid = root / "cid_only.pdf"
    cid.write_bytes(corpus.without_tounicode((sample_corpus / "seed_001.pdf").read_bytes()))
    files.append(cid)
    files += sorted(real_dir.glob("*.pdf")) if real_dir.is_dir() else []
    return files


@pytest.mark.slow
def test_both_parsers_read_every_pdf_alike(pdfs):
    assert len(pdfs) >= 20 and any(p.name.startswith("seed_00") for p in pdfs)
    differ = [p.name for p in pdfs if not _same(p)]
    assert not differ  # (the real reports are compared when ../shared/real/ is there)


@pytest.mark.slow
def test_both_parsers_give_the_same_records(pdfs, monkeypatch):
    for path in pdfs:
        monkeypatch.setenv("GONGKAI_PDF_PARSER", "pdfminer")
        old = extract(path).to_dict()
        monkeypatch.setenv("GONGKAI_PDF_PARSER", "pdfium")
        new = extract(path).to_dict()
        assert new == old, path.name
        if path.name.startswith("seed_") and "error" not in old:
            assert any(c["status"] == "ok" for c in old["cells"])  # a real comparison, not two errors


def test_the_parser_is_chosen_by_a_setting(tmp_path, monkeypatch):
    path = tmp_path / "s.pdf"
    path.write_bytes(SAMPLES["fonts"]())
    monkeypatch.setenv("GONGKAI_PDF_PARSER", "nonsense")
    with pytest.raises(ValueError, match="unknown PDF parser"):
        read_pdf(path)
    monkeypatch.setenv("GONGKAI_PDF_PARSER", "pdfminer")
    assert read_pdf(path).text == read_pdf(path, parser="pdfium").text
