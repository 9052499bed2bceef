"""Property-based round trip over every layout class reports reach us in
(:data:`gongkai.demo.fixtures.classes.CLASSES`): a random valid report — with blank cells, markers, respelled
values and label noise — rendered in the class, extracted, and judged cell by cell against the report:
every cell exact, or (only where the class destroyed the information: a blank that leaves no trace,
numbers run together) null with an issue naming its row; never a wrong number, never an unexplained
null. Ruled PDF, HTML and DOCX are covered with more variants by test_roundtrip.py."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_roundtrip import build_spec

from extractors import vocab
from extractors.api import extract
from gongkai.demo.fixtures.classes import BY_NAME, CLASSES, judge
from gongkai.demo.fixtures.render import render

SCALE = int(os.environ.get("GONGKAI_ROUNDTRIP_SCALE", "1"))
SLOW = {"pdf", "pdftext"}  # a PDF is rendered (and read) per example
COVERED = {"pdf", "html", "docx"}  # test_roundtrip.py


@st.composite
def reports(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    fv = draw(st.sampled_from(vocab.FORMAT_VERSIONS))
    legacy = fv == "2021" and draw(st.booleans())
    edits = draw(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(("", "", "spell", "—", "/", "无"))),
                          max_size=5))
    return seed, fv, legacy, tuple(edits), draw(st.booleans())


@pytest.mark.parametrize("name", [c.name for c in CLASSES if c.fmt not in COVERED])
def test_class_round_trip(name):
    cls = BY_NAME[name]

    @settings(max_examples=(6 if cls.fmt in SLOW else 15) * SCALE, deadline=None, derandomize=True,
              database=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.too_slow])
    @given(report=reports())
    def check(report):
        *params, noise = report
        spec = build_spec(*params)
        variant = {**cls.kwargs, **({"noise": True} if noise else {})}
        rec = extract(render(spec, cls.fmt, **variant), name=f"{name}.txt")
        v = judge(spec, rec, cls)
        problems = v.wrong + v.unexplained + v.metadata
        if v.flagged != v.flagged_allowed:
            problems.append(f"{v.flagged - v.flagged_allowed} cells flagged where the rendering kept them")
        assert not problems, f"{name} {spec.publisher} {spec.year} ({spec.format_version}):\n" + "\n".join(problems[:12])

    check()


def test_classes_that_keep_blanks_read_every_cell():
    """The delimited and marked-up classes lose nothing: a report full of blanks reads exactly."""
    spec = build_spec(42, "2021", False, tuple((k * 97, "") for k in range(40)))
    assert sum(c.status == "blank" for c in spec.cells.values()) >= 30
    for cls in CLASSES:
        if cls.blanks != "kept" or cls.run_together or cls.fmt == "pdf":
            continue
        v = judge(spec, extract(render(spec, cls.fmt, **cls.kwargs)), cls)
        assert v.ok and v.flagged == 0, (cls.name, v.wrong[:3], v.unexplained[:3])


def test_aligned_text_locates_blanks_by_column():
    """pdftotext -layout: a row with a blank is read by the columns its numbers stand under."""
    cls = BY_NAME["pdftotext-layout"]
    spec = build_spec(7, "2021", False, ((5, ""), (77, ""), (1234, "")))
    rec = extract(render(spec, cls.fmt, **cls.kwargs))
    v = judge(spec, rec, cls)
    assert v.ok
    blanks = [k for k, c in spec.cells.items() if c.status == "blank" and k[0] == "applications"]
    assert blanks and all(rec.cell_map()[k].status == "blank" for k in blanks)
