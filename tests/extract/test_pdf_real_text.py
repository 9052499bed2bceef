"""The real 2024 report of 淮安市洪泽区人民政府 as PDF→text converters print it: pdfplumber's
``extract_text()`` with and without ``layout=True``, and poppler's ``pdftotext -layout`` / ``-raw``
when it is installed (skipped otherwise; `.ci/run` installs Debian's poppler-utils). Wrapped labels, labels
printed above or below their numbers, the vertical 三、本年度办理结果 spread over the rows, page
footers between rows: every gold cell must come back. Skipped when ../shared/real is absent."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_pdf_real import real  # noqa: F401  (a fixture)

from extractors.api import extract


@pytest.fixture(scope="module")
def converted(real, real_dir):  # noqa: F811 (the imported fixture)
    """The real PDF and its gold record (the `real` fixture of test_pdf_real skips when absent)."""
    return real_dir / "hongzequ_2024.pdf", real[2]


def _differences(text: str, gold: dict) -> list:
    rec = extract(text.encode("utf-8"), name="converted.txt")
    assert rec.error is None, rec.error
    cells = rec.cell_map()
    out = []
    for g in gold["cells"]:
        c = cells[(g["table"], g["row"], g["column"])]
        if (c.status, c.value) != (g["status"], g["value"] if g["status"] == "ok" else None):
            out.append((g["row"], g["column"], g.get("value"), c.status, c.value))
    for k in ("publisher", "year", "format_version"):
        if getattr(rec.report, k) != gold["report"][k]:
            out.append((k, getattr(rec.report, k)))
    return out


@pytest.mark.parametrize("layout", [False, True], ids=["extract_text", "extract_text-layout"])
def test_pdfplumber_text(converted, layout):
    import pdfplumber

    pdf, gold = converted
    with pdfplumber.open(pdf) as doc:
        text = "\n".join(p.extract_text(layout=layout) for p in doc.pages)
    assert _differences(text, gold) == []


@pytest.mark.parametrize("mode", ["-layout", "-raw"])
def test_pdftotext(converted, tmp_path, mode):
    pdf, gold = converted
    assert _differences(_pdftotext(pdf, tmp_path / "out.txt", mode), gold) == []


def _wrong_cells(text: str, gold: dict) -> list:
    """Gold cells the extraction gives another number for (or a blank/marker where a number is
    printed). A flagged cell (unreadable, missing) is not wrong: it says it was not read."""
    rec = extract(text.encode("utf-8"), name="converted.txt")
    if rec.error is not None:
        return []
    cells = rec.cell_map()
    out = []
    for g in gold["cells"]:
        c = cells.get((g["table"], g["row"], g["column"]))
        if c is None:
            continue
        printed = g.get("value")
        if c.value is not None and (printed is None or float(c.value) != float(printed)):
            out.append((g["row"], g["column"], printed, c.status, c.value))
        elif printed is not None and c.status in ("blank", "marker"):
            out.append((g["row"], g["column"], printed, c.status, None))
    return out


def _pdftotext(pdf, out, mode: str) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    args = [exe, "-enc", "UTF-8"] + ([mode] if mode != "default" else []) + [str(pdf), str(out)]
    subprocess.run(args, check=True, timeout=60)
    return out.read_text(encoding="utf-8")


def test_pdftotext_default_mode_is_never_wrong(converted, tmp_path):
    """pdftotext without options prints a table's columns as blocks of numbers away from their
    labels: most cells cannot be placed (measured: 59 of the 207 gold cells read), and none may be
    placed wrongly."""
    pdf, gold = converted
    assert _wrong_cells(_pdftotext(pdf, tmp_path / "out.txt", "default"), gold) == []


@pytest.mark.parametrize("mode", ["-layout", "-raw", "default"])
def test_pdftotext_of_the_sample_pdfs_is_never_wrong(sample_corpus, tmp_path, mode):
    """Real poppler output of every sample PDF (shaded, spaced, fake bold, rotated, Kangxi variants):
    not one cell with a number other than the printed one, whatever the converter kept."""
    from gongkai.demo import samples

    checked = 0
    for sid in samples.SEED_IDS:
        gold = samples.golden(sid)
        for pdf in sorted(sample_corpus.glob(f"seed_{int(sid):03d}*.pdf")):
            if "scanned" in pdf.name:
                continue  # no text layer: nothing for pdftotext to print
            assert _wrong_cells(_pdftotext(pdf, tmp_path / f"{pdf.stem}.txt", mode), gold) == [], pdf.name
            checked += 1
    assert checked >= 10


def test_pdftotext_raw_of_a_fake_bold_pdf_reads_once_and_exactly(sample_corpus, tmp_path):
    """Bold faked by drawing every glyph twice: `pdftotext -raw` prints both copies, word by word.
    The text is recognised as doubled, read once, and every cell is the printed one."""
    from extractors import errors
    from gongkai.demo import samples
    from tests.support.golden import diff_record

    pdf = sample_corpus / "seed_002_fakebold.pdf"
    text = _pdftotext(pdf, tmp_path / "out.txt", "-raw")
    rec = extract(text.encode("utf-8"), name="fakebold.txt")
    assert any(i.code == errors.DOUBLED_TEXT for i in rec.issues)
    assert diff_record(rec, samples.golden("002"), check_raw=False, check_meta=False) == []
