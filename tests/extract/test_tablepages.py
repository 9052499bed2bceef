"""The table-page test is exact: a page it rules out gives no table to the reader's lines strategy
(checked on every page of the sample corpus, the parser samples and the real report), and it counts
edge places as pdfplumber's snapping makes them."""

from __future__ import annotations

import pdfplumber
import pytest

from extractors import pdf as reader
from extractors.tablepages import edge_positions, may_hold_ruled_table, places
from tests.support.pdf_samples import SAMPLES


def _rect(x0, top, x1, bottom):
    return {"x0": x0, "top": top, "x1": x1, "bottom": bottom}


def test_places_are_counted_as_snapping_joins_them():
    assert places([], 3) == 0
    assert places([10, 12, 14.5, 30], 3) == 2  # 10–12–14.5 chain into one place
    assert places([10, 13, 16.01], 3) == 2
    assert places([5, 1, 3], 0) == 3


def test_edge_positions_follow_pdfplumber():
    xs, tops = edge_positions({"rect": [_rect(10, 20, 110, 40)], "line": [_rect(0, 50, 100, 50), _rect(5, 0, 5, 90)],
                               "curve": [{"pts": [(0, 0), (10, 0), (10, 10), (12, 20)]}]})
    assert sorted(xs) == [5, 10, 10, 110] and sorted(tops) == [0, 20, 40, 50]
    # a frame, or boxes stacked behind paragraphs: two vertical places, no columns
    stacked = {"rect": [_rect(74.3, 100 + 30 * i, 518.55, 128 + 30 * i) for i in range(6)]}
    assert not may_hold_ruled_table(stacked, 3)
    ruled = {"rect": [_rect(70 + 60 * j, 100 + 20 * i, 130 + 60 * j, 120 + 20 * i) for i in range(3) for j in range(2)]}
    assert may_hold_ruled_table(ruled, 3)
    assert not may_hold_ruled_table({"line": [_rect(0, 10 * i, 100, 10 * i) for i in range(5)]}, 3)


@pytest.mark.slow
def test_pages_ruled_out_give_no_table(tmp_path, real_dir, sample_corpus):
    files = sorted(f for f in sample_corpus.rglob("*.pdf") if "bad" not in f.relative_to(sample_corpus).parts)
    for name, build in SAMPLES.items():
        files.append(tmp_path / f"{name}.pdf")
        files[-1].write_bytes(build())
    files += sorted(real_dir.glob("*.pdf")) if real_dir.is_dir() else []
    seen = {True: 0, False: 0}
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                ruled = may_hold_ruled_table(page.objects, reader.TABLE_SETTINGS["snap_tolerance"])
                # the lines strategy alone (no page text: the text strategy does not run)
                tables = reader.page_tables(page, page.page_number, page.chars, "")
                assert ruled or not tables, (path.name, page.page_number)
                seen[ruled] += 1
                page.close()
    assert seen[True] and seen[False]  # both kinds of page were seen
