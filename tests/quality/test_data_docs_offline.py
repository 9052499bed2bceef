"""The GX Data Docs as a person opens them: from disk (file://) in headless Chromium, with every request to
another host blocked and recorded. They must need none (the CDN assets are bundled), be styled
(Bootstrap, Font Awesome and bootstrap-table really applied), and name each failure by publisher,
year, rule and scope."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from gongkai.quality.datadocs import CDN, external_resources, offline_page
from tests.support.browser import browser_or_skip, launch

pytestmark = pytest.mark.slow

LOCAL_SCHEMES = ("file", "data", "blob", "about")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@pytest.fixture(scope="module")
def docs(seed_warehouse) -> Path:
    """The Data Docs site of the session's check run on the five seeds (seed 003 fails R1 and R2)."""
    _url, run = seed_warehouse
    assert run.docs_path, "the check run built no Data Docs"
    return Path(run.docs_path).parent


def _balancing_page(docs: Path) -> Path:
    (page,) = sorted(docs.glob("validations/gongkai_balancing/**/*.html"))
    return page


def _open(page_path: Path, script: str):
    """Open `page_path` in Chromium, every non-local request aborted; (external URLs asked for, local
    requests that failed, console errors, the value of `script` evaluated in the loaded page)."""
    sync_api = browser_or_skip()
    external, failed, errors = [], [], []

    def route(r):
        u = urlparse(r.request.url)
        if u.scheme in LOCAL_SCHEMES or u.hostname in LOOPBACK:
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.route("**/*", route)
            page.on("requestfailed", lambda r: failed.append(r.url) if r.url not in external else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_path.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            value = page.evaluate(script)
        finally:
            browser.close()
    return external, failed, errors, value


STYLE_PROBE = """() => {
  const css = (sel, prop) => { const e = document.querySelector(sel); return e && getComputedStyle(e)[prop]; };
  const icon = document.querySelector('.fas, .fa');
  return {
    navbar: css('nav.navbar', 'display'),                 // Bootstrap: flex (a plain <nav> is block)
    container: css('.container-fluid', 'paddingLeft'),   // Bootstrap's pl-5: 48px
    table: css('table.table', 'borderCollapse'),         // Bootstrap's .table: collapse
    jquery: typeof window.jQuery,
    bootstrapTable: !!(window.jQuery && window.jQuery.fn.bootstrapTable),
    iconFont: icon ? getComputedStyle(icon).fontFamily : null,
    iconFontLoaded: document.fonts.check('900 16px "Font Awesome 6 Free"'),
    failures: [...document.querySelectorAll('table.gongkai-failures tr')].map(
        tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim())).filter(r => r.length),
  };
}"""


def test_index_page_loads_nothing_from_elsewhere_and_is_styled(docs):
    external, failed, errors, seen = _open(docs / "index.html", STYLE_PROBE)
    assert external == [], f"the Data Docs index asked other hosts for {external}"
    assert failed == [] and errors == [], (failed, errors)
    assert seen["navbar"] == "flex" and seen["container"] == "48px"
    assert seen["jquery"] == "function" and seen["bootstrapTable"]


def test_validation_page_loads_nothing_from_elsewhere_is_styled_and_names_each_failure(docs):
    external, failed, errors, seen = _open(_balancing_page(docs), STYLE_PROBE)
    assert external == [], f"the validation page asked other hosts for {external}"
    assert failed == [] and errors == [], (failed, errors)
    assert seen["navbar"] == "flex" and seen["table"] == "collapse"
    assert "Font Awesome" in (seen["iconFont"] or "") and seen["iconFontLoaded"]
    # one row per failing rule instance: publisher, year, rule, scope (the form's label and the code)
    rows = {tuple(r[:4]): r[4:] for r in seen["failures"]}
    assert rows[("小王庄镇", "2020", "R1", "自然人 · natural_person")] == ["5", "0"]
    assert ("小王庄镇", "2020", "R1", "总计 · total") in rows
    assert {k[2] for k in rows} == {"R1", "R2"} and len(rows) == 4


def test_every_page_of_the_site_is_rewritten(docs):
    """No page keeps a CDN URL, and each asset a page points at is in the site."""
    pages = [p for p in docs.rglob("*.html") if "vendor" not in p.parts]
    assert len(pages) >= 1 + 5 + 5  # index, a suite page and a validation page per suite
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert external_resources(html) == [], page
        for ref in re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css|png))"', html):
            assert (page.parent / ref).resolve().is_file(), f"{page.name}: {ref} is not in the site"


def test_rewriting_is_idempotent_and_leaves_links_alone(tmp_path):
    site = tmp_path
    page = site / "validations" / "s" / "run" / "t" / "b.html"
    url = next(iter(CDN))
    html = (f'<link rel="stylesheet" href="{url}"/><a href="https://docs.greatexpectations.io/x">docs</a>'
            '<script src="https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js" '
            'integrity="sha384-abc" crossorigin="anonymous"></script>')
    once = offline_page(html, site, page)
    assert offline_page(once, site, page) == once
    assert 'href="../../../../static/vendor/bootstrap/bootstrap.min.css"' in once
    assert 'src="../../../../static/vendor/popper/popper.min.js"></script>' in once
    assert "https://docs.greatexpectations.io/x" in once  # a link is not a request
    assert external_resources(once) == []
    assert external_resources('<img src="https://example.org/a.png">') == ["https://example.org/a.png"]
