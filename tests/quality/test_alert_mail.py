"""The alert e-mail as its reader gets it: seed 003 (which does not balance) rendered as a PDF whose tables
run over two pages, put in a real landing store, extracted, loaded, built and checked; the digest sent
through Airflow's SmtpNotifier to a real local SMTP server and read back from the sink.

It must speak the form's language (the vocabulary's Chinese labels, the rule in the form's words, the page
of the table), link to the stored copy, right-align its numbers, load nothing from elsewhere and carry a
text/plain part that says the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from expectations.catalogue import RULES
from extractors import vocab
from gongkai.quality.alerts import render_digest, send_digest
from gongkai.quality.datadocs import external_resources
from tests.support import SHARED
from tests.support.golden import golden_records
from tests.support.quality import SEED_URLS, checked_warehouse, landed_pdf, parse_mail, smtp_server

pytestmark = pytest.mark.slow

R1_TERMS = ("new_received", "carried_over", "total_handled", "carried_forward")


@pytest.fixture(scope="module")
def landed(pg_server_url, tmp_path_factory):
    """(CheckRun, the record of seed 003 as extracted from its PDF, the PDF's landing path)."""
    record, path = landed_pdf("003", tmp_path_factory.mktemp("landing"))
    records = [r for i, r in enumerate(golden_records()) if i != 3] + [record]
    urls = [SEED_URLS[i] for i in (0, 1, 2, 4, 3)]
    for _url, run in checked_warehouse(pg_server_url, records, urls, tmp_path_factory,
                                       landing_paths=[None] * 4 + [path]):
        yield run, record, path


@pytest.fixture(scope="module")
def mail(landed):
    """The digest, and what the SMTP sink received: (digest, subject, text, html)."""
    run, _record, _path = landed
    digest = render_digest(run)
    assert digest is not None
    mp = pytest.MonkeyPatch()
    with smtp_server() as sink:
        mp.setenv("AIRFLOW_CONN_SMTP_DEFAULT", sink.conn_uri)
        try:
            send_digest(digest, to="ops@example.org")
        finally:
            mp.undo()
    (envelope,) = sink.messages
    return (digest, *parse_mail(envelope))


def _label(table: str, row: str | None = None, column: str | None = None) -> str:
    """The vocabulary's label of a row or a column (both format versions agree on these)."""
    (cell,) = {(c.row_label if row else c.column_label) for c in vocab.cells("2019")
               if c.table == table and (row is None or c.row == row) and (column is None or c.column == column)}
    return cell


def test_the_mail_names_the_cells_in_the_forms_chinese(mail):
    _digest, _subject, text, html = mail
    applicant = _label("applications", column="natural_person")
    assert applicant == "自然人"
    rows = [_label("applications", row=r, column="natural_person") for r in R1_TERMS]
    assert rows[0].startswith("一、本年新收")
    for part in (text, html):
        assert applicant in part and "natural_person" in part  # the form's label, our code beside it
        for label in rows:
            assert label in part, label


def test_the_mail_states_the_rule_as_the_form_does(mail):
    _digest, _subject, text, html = mail
    printed = RULES["R1"].statement
    assert printed == "第一项加第二项之和，等于第三项加第四项之和"
    format_doc = SHARED / "docs" / "format.md"
    if format_doc.is_file():  # the form's header cell, as docs/format.md quotes it
        assert printed in format_doc.read_text(encoding="utf-8")
    for part in (text, html):
        assert printed in part and RULES["R2"].statement in part
        assert RULES["R1"].title in part  # the English as a second line


def test_the_mail_gives_the_page_of_the_table(mail, landed):
    _digest, _subject, text, html = mail
    _run, record, _path = landed
    pages = sorted({c.page for c in record.cells if c.table == "applications" and c.row in R1_TERMS
                    and c.column == "natural_person"})
    assert pages and all(pages)  # the extractor recorded them
    shown = str(pages[0]) if len(pages) == 1 else f"{pages[0]}–{pages[-1]}"
    doc = lxml_html.fromstring(html)
    r1_row = next(tr for tr in doc.iter("tr") if tr.xpath("./td") and "R1" in tr.xpath("./td")[0].text_content()
                  and "natural_person" in tr.text_content())
    assert r1_row.xpath("./td")[-1].text_content().strip() == shown
    assert re.search(rf"R1\s+自然人 natural_person\s+5\s+0\s+\+5\s+{re.escape(shown)}", text), text


def test_the_mail_links_the_stored_copy_that_outlives_the_run(mail, landed):
    _digest, _subject, text, html = mail
    _run, _record, path = landed
    uri = Path(path).as_uri()
    assert Path(path).is_file() and Path(path).read_bytes().startswith(b"%PDF")
    doc = lxml_html.fromstring(html)
    hrefs = doc.xpath("//a/@href")
    assert uri in hrefs and SEED_URLS[3] in hrefs  # the stored copy and the original URL
    assert uri in text and SEED_URLS[3] in text and f"gongkai extract {path}" in text


def test_numbers_are_right_aligned(mail):
    _digest, _subject, _text, html = mail
    doc = lxml_html.fromstring(html)
    numeric = [td for td in doc.iter("td") if re.fullmatch(r"[+-]?\d+(?:\.\d+)?|\d+–\d+|—", td.text_content().strip())
               and not td.get("colspan")]
    assert len(numeric) >= 4 * 4  # left, right, difference, page of each of the 4 failures
    assert all("text-align:right" in (td.get("style") or "").replace(" ", "") for td in numeric)


def test_the_mail_loads_nothing_and_shows_a_chart_of_the_run(mail, landed):
    digest, _subject, text, html = mail
    run, _record, _path = landed
    assert external_resources(html) == []
    assert not re.search(r"<(?:img|link|script|style|iframe)\b|url\(|@import", html, re.IGNORECASE)
    doc = lxml_html.fromstring(html)
    (chart,) = doc.xpath("//table[@class='gongkai-chart']")
    counts = run.rule_counts()
    labels = [tr.xpath("./td")[0].text_content() for tr in chart.xpath("./tr")]
    assert labels == list(counts)
    r1 = counts["R1"]
    assert f"{r1['PASS']} / {r1['FAIL']} / {r1['UNCERTAIN']}" in chart.text_content() and r1["FAIL"] == 2
    assert "Results per rule" in text and digest.text == text


def test_the_mail_reads_right_in_a_browser_that_blocks_everything(mail, tmp_path):
    """Opened in Chromium with every request but the page itself refused (a mail client that blocks
    external content): nothing is asked for, and the numbers render right-aligned."""
    from tests.support.browser import browser_or_skip, launch

    sync_api = browser_or_skip()
    _digest, _subject, _text, html = mail
    page_file = tmp_path / "mail.html"
    page_file.write_text(html, encoding="utf-8")
    asked = []
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url == page_file.as_uri()
                       else (asked.append(r.request.url), r.abort()))
            page.goto(page_file.as_uri())
            aligns = page.evaluate("""() => [...document.querySelectorAll('td')]
                .filter(td => /^[+-]?\\d+$/.test(td.innerText.trim()))
                .map(td => getComputedStyle(td).textAlign)""")
        finally:
            browser.close()
    assert asked == []
    assert aligns and set(aligns) == {"right"}
