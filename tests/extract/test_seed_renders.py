"""Every seed, rendered by the fixture generator in each format, extracts to its golden file."""

from __future__ import annotations

import pytest

from extractors.api import extract
from gongkai.demo.fixtures import corpus
from gongkai.demo.fixtures import render as render_mod
from tests.support.golden import SEED_IDS, diff_record, load_golden

VARIANTS = [("html", {}), ("html", {"encoding": "gbk"}), ("docx", {}), ("txt", {}), ("txt", {"layout": "lines"}),
            ("pdf", {}), ("pdf", {"spaced": True, "fake_bold": True, "kangxi": True})]


@pytest.fixture(scope="module")
def specs():
    return corpus.seed_specs()


@pytest.mark.parametrize("fmt,variant", VARIANTS, ids=[f"{f}-{'-'.join(map(str, v.values())) or 'plain'}"
                                                       for f, v in VARIANTS])
@pytest.mark.parametrize("sid", SEED_IDS)
def test_rendered_seed_matches_golden(specs, sid, fmt, variant):
    spec, _origin = specs[sid]
    data = render_mod.render(spec, fmt, **variant)
    rec = extract(data, name=f"seed_{sid}.{fmt}")
    assert diff_record(rec, load_golden(sid), check_raw=False) == []
