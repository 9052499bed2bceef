"""Every seed text extracts to its hand-checked golden file, cell by cell."""

from __future__ import annotations

import json

import pytest

from extractors.api import extract
from tests.support.golden import SEED_IDS, diff_record, load_golden


def _seed_path(seeds_dir, sid):
    paths = sorted(seeds_dir.glob(f"{sid}_*.txt"))
    assert paths, f"no seed {sid} in {seeds_dir}"
    return paths[0]


@pytest.mark.parametrize("sid", SEED_IDS)
def test_seed_text_matches_golden(seeds_dir, sid):
    rec = extract(_seed_path(seeds_dir, sid))
    gold = load_golden(sid)
    assert diff_record(rec, gold) == []
    assert rec.source.media_type == "text/plain" and len(rec.source.sha256) == 64


def test_golden_files_are_complete_and_annotated():
    from extractors import vocab

    for sid in SEED_IDS:
        g = load_golden(sid)
        assert g["notes"].startswith(f"Checked by hand against shared/seeds/{sid}_")
        assert len(g["cells"]) == len(vocab.cells(g["report"]["format_version"]))


def test_seed_001_short_rows_are_issues_not_shifted_values(seeds_dir):
    rec = extract(_seed_path(seeds_dir, "001"))
    cm = rec.cell_map()
    granted = [cm[("applications", "granted", c.code)] for c in __import__("extractors.vocab").vocab.APPLICANT_COLUMNS]
    assert all(c.value is None and c.status == "unreadable" for c in granted)
    mism = [i for i in rec.issues if i.code == "row_width_mismatch"]
    assert {i.row for i in mism} >= {"granted", "total_handled", "carried_forward"}
    assert all(i.message == "6 values for 7 columns" for i in mism)
    # the full rows above are read
    assert cm[("applications", "new_received", "total")].status == "ok"


def test_seed_003_amount_and_unbalanced_totals(seeds_dir):
    rec = extract(_seed_path(seeds_dir, "003"))
    cm = rec.cell_map()
    amt = cm[("proactive", "centralized_procurement", "procurement_amount")]
    assert str(amt.value) == "2977.8555" and amt.raw == "2977.8555万元"
    assert cm[("applications", "granted", "natural_person")].value == 5
    assert cm[("applications", "total_handled", "natural_person")].value == 0  # as printed
    d = json.loads(rec.to_json())
    assert d["report"] == {"publisher": "小王庄镇", "year": 2020, "format_version": "2019",
                           "published_on": "2021-01-27"}
