"""The real 2024 report of 淮安市洪泽区人民政府 as PDF→text converters print it: pdfplumber's
``extract_text()`` with and without ``layout=True``, and poppler's ``pdftotext -layout`` / ``-raw``
when it is installed (skipped otherwise: CI installs only Python packages). Wrapped labels, labels
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
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf, gold = converted
    out = tmp_path / "out.txt"
    subprocess.run([exe, mode, str(pdf), str(out)], check=True, timeout=60)
    assert _differences(out.read_text(encoding="utf-8"), gold) == []
