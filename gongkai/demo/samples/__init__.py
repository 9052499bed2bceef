"""The sample reports: five 2020 township reports as published (text), each beside its golden record.

One folder that the demo (the sample corpus is rendered from it), the benchmarks and the tests read,
through this module only::

    from gongkai.demo import samples
    samples.SEED_IDS                 # ("000", …, "004")
    samples.text_path("003")         # …/003_f7c03a549ebc61ad.txt — the report exactly as published
    samples.golden("003")            # its golden record (dict, the JSON contract of docs/format.md)

A sample is named as in the shared seed collection it was copied from (``NNN_<hash>.txt``); its golden
record is the ``.json`` of the same name, checked by hand cell by cell against the text once (each
record's ``notes`` say when and what was seen). The golden records are fixed points: change one only
after re-reading the published text, and say so in its ``notes``.
"""

from __future__ import annotations

import json
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent
SEED_IDS = ("000", "001", "002", "003", "004")


def _one(seed: str | int, suffix: str) -> Path:
    sid = f"{int(seed):03d}"
    found = sorted(SAMPLES_DIR.glob(f"{sid}_*{suffix}"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one sample {sid}_*{suffix} in {SAMPLES_DIR}, found {len(found)}")
    return found[0]


def text_path(seed: str | int) -> Path:
    """The published text of sample `seed` ("003" or 3)."""
    return _one(seed, ".txt")


def golden_path(seed: str | int) -> Path:
    """The golden record of sample `seed`."""
    return _one(seed, ".json")


def golden(seed: str | int) -> dict:
    """The golden record of sample `seed`, parsed."""
    return json.loads(golden_path(seed).read_text(encoding="utf-8"))
