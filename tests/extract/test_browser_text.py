"""Web pages saved as text by a real browser: Chromium's ``innerText`` (what "select all, copy" and most
crawlers keep) and ``textContent`` (what a DOM scraper keeps) of every sample HTML page, the GBK page
too, read back as text documents. Every golden cell must come back exactly. Skipped, saying what to
install, where Debian's Chromium is absent."""

from __future__ import annotations

import pytest

from extractors.api import extract
from gongkai.demo import samples
from tests.support.browser import browser_or_skip, launch
from tests.support.golden import diff_record


@pytest.fixture(scope="module")
def page_texts(sample_corpus):
    """(file name, property, text, golden dict) for each sample HTML page and each text property."""
    sync_api = browser_or_skip()
    pages = [(p, samples.golden(sid)) for sid in samples.SEED_IDS
             for p in sorted(sample_corpus.glob(f"seed_{int(sid):03d}*.htm*"))]
    assert len(pages) >= 6
    out = []
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            for path, gold in pages:
                page.goto(path.as_uri())
                for prop in ("innerText", "textContent"):
                    out.append((path.name, prop, page.evaluate(f"document.body.{prop}"), gold))
        finally:
            browser.close()
    return out


def test_a_browsers_text_of_each_sample_page_reads_exactly(page_texts):
    failures = {}
    for name, prop, text, gold in page_texts:
        rec = extract(text.encode("utf-8"), name=f"{name}.{prop}.txt")
        diff = diff_record(rec, gold, check_raw=False, check_meta=False)
        if diff:
            failures[f"{name} {prop}"] = diff[:5]
    assert failures == {}
