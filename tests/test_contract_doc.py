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


# Sections the repository adds to the original (their heading says so): the only difference allowed.
EXTENSION = "(gongkai's extension of the contract)"


def extensions(text: str) -> list[str]:
    return [h for h in sections(text) if h.endswith(EXTENSION)]


def test_the_repository_contract_is_the_original():
    assert LOCAL.is_file(), "docs/format.md is missing"
    if not ORIGINAL.is_file():
        pytest.skip(f"{ORIGINAL} not beside the checkout")
    mine, theirs = sections(LOCAL.read_text(encoding="utf-8")), sections(ORIGINAL.read_text(encoding="utf-8"))
    added = set(extensions(LOCAL.read_text(encoding="utf-8"))) - set(theirs)
    differ = sorted(h or "(preamble)" for h in (set(mine) | set(theirs)) - added if mine.get(h) != theirs.get(h))
    assert not differ, f"docs/format.md and {ORIGINAL} differ in: {differ}"


def test_the_contract_documents_the_prose_claims():
    """The extension names every field of a claim, every measure and every period the extractor emits."""
    from extractors import claims
    from extractors.model import Claim

    text = LOCAL.read_text(encoding="utf-8")
    (head,) = extensions(text)
    body = sections(text)[head]
    assert head.startswith("## Prose claims")
    missing = [w for w in [*Claim.__dataclass_fields__, *claims.MEASURES, *claims.PERIODS] if f"`{w}`" not in body]
    assert not missing, f"docs/format.md, {head}: not documented: {missing}"


def test_the_samples_are_the_shared_seed_reports():
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"{seeds} not beside the checkout")
    differ = [sid for sid in samples.SEED_IDS
              if (seeds / samples.text_path(sid).name).read_bytes() != samples.text_path(sid).read_bytes()]
    assert not differ, f"samples differ from {seeds}: {differ}"
