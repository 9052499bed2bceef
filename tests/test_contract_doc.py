"""The data contract in the repository (docs/format.md) is in step with the original we follow
(../shared/docs/format.md), and the samples are the shared seed reports, byte for byte. When they drift,
the failure names the sections (or files) that differ. Skipped when ../shared is not beside the checkout."""

from __future__ import annotations

import re

import pytest

from gongkai.demo import samples
from tests.support import ROOT, SHARED

LOCAL = ROOT / "docs" / "format.md"
ORIGINAL = SHARED / "docs" / "format.md"


def sections(text: str) -> dict[str, str]:
    """Heading line → the text under it (up to the next heading of any level); '' for the preamble."""
    out: dict[str, str] = {}
    head, body = "", []
    for line in text.splitlines():
        if re.match(r"#{1,6} ", line):
            out[head] = "\n".join(body).strip()
            head, body = line.strip(), []
        else:
            body.append(line)
    out[head] = "\n".join(body).strip()
    return out


def test_sections_split_on_headings():
    got = sections("intro\n# A\none\n## B\ntwo\n")
    assert got == {"": "intro", "# A": "one", "## B": "two"}


def test_the_repository_contract_is_the_original():
    assert LOCAL.is_file(), "docs/format.md is missing"
    if not ORIGINAL.is_file():
        pytest.skip(f"{ORIGINAL} not beside the checkout")
    mine, theirs = sections(LOCAL.read_text(encoding="utf-8")), sections(ORIGINAL.read_text(encoding="utf-8"))
    differ = sorted(h or "(preamble)" for h in set(mine) | set(theirs) if mine.get(h) != theirs.get(h))
    assert not differ, f"docs/format.md and {ORIGINAL} differ in: {differ}"


def test_the_samples_are_the_shared_seed_reports():
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"{seeds} not beside the checkout")
    differ = [sid for sid in samples.SEED_IDS
              if (seeds / samples.text_path(sid).name).read_bytes() != samples.text_path(sid).read_bytes()]
    assert not differ, f"samples differ from {seeds}: {differ}"
