"""Every file of the sample corpus extracts as its manifest says: good files with the manifest's
publisher, year and format version (and, for rendered files, exactly the spec's cells — scans read by
OCR may leave a few cells unreadable, never a wrong one); bad files with the expected error code."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from extractors.api import extract
from gongkai.demo.fixtures import corpus


@pytest.fixture(scope="module")
def built(sample_corpus):
    root = sample_corpus
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["files"]
    return root, manifest


def _num(v):
    return None if v is None else Decimal(str(v))


@pytest.mark.slow
def test_every_corpus_file_extracts_as_the_manifest_says(built):
    root, manifest = built
    specs = {sid: spec for sid, (spec, _src) in corpus.seed_specs().items()}
    problems = []
    for e in manifest:
        rec = extract(root / e["file"])
        got = rec.error.code if rec.error else "ok"
        bad = []
        if got != e["expected"]:
            bad.append(f"expected {e['expected']}, got {got} ({rec.error})")
        elif got == "ok" and e["publisher"] is not None:
            r = rec.report
            if (r.publisher, r.year, r.format_version) != (e["publisher"], e["year"], e["format_version"]):
                bad.append(f"report {r}")
            sid = e["file"][5:8] if e["file"].startswith("seed_") else None
            if sid in specs and not e["variant"].get("original"):
                gm = rec.cell_map()
                unreadable = 0
                for c in specs[sid].record().cells:
                    g = gm.get(c.key())
                    if g is not None and e["format"] == "scan" and g.status == "unreadable" and g.value is None:
                        unreadable += 1  # OCR may give up on a cell (never guess one): not a wrong number
                        continue
                    if g is None or g.status != c.status or _num(g.value) != _num(c.value):
                        bad.append(f"{'/'.join(c.key())}: expected {c.value!r} ({c.status}), "
                                   f"got {(g.value, g.status) if g else None}")
                if unreadable > 0.02 * len(gm):
                    bad.append(f"{unreadable} of {len(gm)} cells unreadable")
        if bad:
            problems.append(f"{e['file']}: " + "; ".join(bad[:5]))
    assert not problems, "\n".join(problems)
