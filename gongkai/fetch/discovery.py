"""Discovery: the URLs of the wanted years' reports, from the registry.

A publisher's explicit ``reports: {year: url}`` are taken as they are. Its index pages (``index_url``,
or ``index_pages: {year: url}``) are fetched through the same polite client and searched for ``<a>``
links whose text (or title) names the year's 政府信息公开工作年度报告 — e.g. "2020年政府信息公开工作年度报告",
"2020年度政府信息公开工作年度报告", full-width digits, extra spaces — excluding companions (图解, 解读, …).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from lxml import html as lxml_html

from gongkai.fetch.client import FetchResult, FetchTarget
from gongkai.fetch.netguard import redact
from gongkai.fetch.registry import Publisher

log = logging.getLogger(__name__)

MAX_LINKS_PER_PAGE = 20_000  # an index page lists a publisher's reports, not the web (the page itself is
#                              capped at FetchSettings.max_index_bytes)

REPORT_WORDS = "政府信息公开工作年度报告"
# a link that accompanies the report rather than being it
COMPANION_WORDS = ("图解", "解读", "图文", "一图读懂", "视频", "政策解读", "问答", "说明会", "动漫", "H5", "长图")
# names of CJK numerals for years written as 二〇二〇年
_CJK_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "一": "1", "二": "2", "三": "3", "四": "4",
               "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and letters → ASCII), CJK year digits → ASCII, whitespace removed."""
    t = unicodedata.normalize("NFKC", text or "")
    t = re.sub(r"[〇零○Ｏ一二三四五六七八九]{4}(?=\s*年)",
               lambda m: "".join(_CJK_DIGITS[c] for c in m.group(0)), t)
    return re.sub(r"\s+", "", t)


_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d(?:[年/.-]\d{1,2}(?:[月/.-]\d{1,2}日?)?)(?![\d年度])")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_REPORT = re.compile(r"政府信息公开(?:工作)?(?:年度)?(?:报告|年报)")


def report_year(text: str) -> int | None:
    """The year a link text names a 政府信息公开工作年度报告 for (None: not a report link, or a companion).

    Dates (``2021-01-20``, ``2021年1月20日``) are not report years; among the remaining years, the
    closest one before the report words wins (else the first one after them)."""
    t = normalize_text(text)
    if not t or any(w in t for w in COMPANION_WORDS):
        return None
    m = _REPORT.search(t)
    if not m:
        return None
    t = _DATE.sub(lambda d: "#" * len(d.group(0)), t)
    years = [(y.start(), int(y.group(1))) for y in _YEAR.finditer(t)]
    before = [y for pos, y in years if pos < m.start()]
    after = [y for pos, y in years if pos >= m.start()]
    if before:
        return before[-1]
    return after[0] if after else None


def names_report(text: str, year: int) -> bool:
    """Does a link text name the ``year``'s 政府信息公开工作年度报告 (and not a companion of it)?"""
    return report_year(text) == year


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def page_links(page: str, base_url: str) -> list[Link]:
    """Every ``<a href>`` of an HTML page: absolute URL (fragment dropped) + text (or title)."""
    if not page.strip():
        return []
    try:
        doc = lxml_html.document_fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    base = base_url
    for b in doc.iter("base"):
        if b.get("href"):
            base = urljoin(base_url, b.get("href"))
            break
    out = []
    for a in doc.iter("a"):
        if len(out) >= MAX_LINKS_PER_PAGE:
            log.warning("index page %s has more than %d links: the rest are ignored", redact(base_url),
                        MAX_LINKS_PER_PAGE)
            break
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = " ".join(t for t in (a.text_content(), a.get("title") or "") if t).strip()
        out.append(Link(urldefrag(urljoin(base, href))[0], text))
    return out


def find_report_links(page: str, base_url: str, year: int, *, publisher: Publisher | None = None,
                      other_names: Iterable[str] = ()) -> list[Link]:
    """The links of an index page that name ``year``'s report, deduplicated, in page order.

    When several publishers' reports share a page, links naming ``publisher`` win; links naming one
    of ``other_names`` (and not ``publisher``) are dropped."""
    found: dict[str, Link] = {}
    for link in page_links(page, base_url):
        if names_report(link.text, year):
            found.setdefault(link.url, link)
    links = list(found.values())
    if publisher is None:
        return links
    mine = {normalize_text(publisher.name), normalize_text(publisher.short_name())}
    others = {normalize_text(n) for n in other_names} - mine
    others |= {re.sub(r"(人民政府|街道办事处|办事处)$", "", o) for o in others}
    others = {o for o in others if o and not any(o in m for m in mine)}

    def names_mine(link: Link) -> bool:
        return any(m and m in normalize_text(link.text) for m in mine)

    own = [lk for lk in links if names_mine(lk)]
    if own:
        return own
    return [lk for lk in links if not any(o in normalize_text(lk.text) for o in others)]


def discover_targets(publishers: Iterable[Publisher], years: Iterable[int], client, *,
                     on_error: Callable[[Publisher, FetchResult], None] | None = None) -> list[FetchTarget]:
    """The report targets of ``publishers`` for ``years``: explicit URLs, plus the links found on
    index pages (fetched through ``client``, a :class:`~gongkai.fetch.client.FetchClient`, so index
    fetches are polite, conditional and logged). Deduplicated by URL, in registry order.

    An index page that cannot be fetched is logged (and passed to ``on_error``); it never stops discovery."""
    publishers = list(publishers)
    years = sorted({int(y) for y in years})
    names = [p.name for p in publishers]
    targets: dict[str, FetchTarget] = {}
    pages: dict[str, str | None] = {}  # index pages fetched once per discovery

    def page(url: str, pub: Publisher, year: int | None) -> str | None:
        if url not in pages:
            res, text = client.get_text(url, publisher=pub.name, year=year)
            if text is None:
                log.warning("index page %s of %s could not be fetched: %s", redact(url), pub.name,
                            redact(res.error))
                if on_error:
                    on_error(pub, res)
            pages[url] = text
        return pages[url]

    for pub in publishers:
        for year in years:
            for url in pub.reports.get(year, ()):
                targets.setdefault(url, FetchTarget(url=url, publisher=pub.name, year=year, via="registry"))
            for index in [u for u in (pub.index_pages.get(year), pub.index_url) if u]:
                text = page(index, pub, year if index == pub.index_pages.get(year) else None)
                if text is None:
                    continue
                for link in find_report_links(text, index, year, publisher=pub, other_names=names):
                    targets.setdefault(link.url, FetchTarget(url=link.url, publisher=pub.name, year=year,
                                                             via=index, link_text=link.text))
    return list(targets.values())
