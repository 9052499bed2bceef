"""Discovery on real index pages served by a local HTTP server."""

from __future__ import annotations

import pytest

from gongkai.fetch import (
    FetchClient,
    LandingStore,
    Publisher,
    discover_targets,
    find_report_links,
    names_report,
)

FAST = dict(read_timeout=30.0, backoff_base=0.01, backoff_cap=0.05, per_host_delay=0.0, max_attempts=2)


@pytest.mark.parametrize(("text", "year", "expected"), [
    ("2020年政府信息公开工作年度报告", 2020, True),
    ("2020年度政府信息公开工作年度报告", 2020, True),
    ("东塔镇 ２０２０ 年 政府信息公开 工作年度报告", 2020, True),
    ("二〇二〇年政府信息公开工作年度报告", 2020, True),
    ("小王庄镇2020年度政府信息公开工作年度报告 2021-01-27", 2020, True),
    ("2021年政府信息公开工作年度报告", 2020, False),
    ("图解：2020年政府信息公开工作年度报告", 2020, False),
    ("《2020年政府信息公开工作年度报告》解读", 2020, False),
    ("2020年政府信息公开指南", 2020, False),
    ("2020年工作总结", 2020, False),
    ("东塔镇2020年政府信息公开工作年度报告 2021年01月20日", 2020, True),
    ("东塔镇2020年政府信息公开工作年度报告 2021-01-20", 2020, True),
    ("东塔镇2020年政府信息公开工作年度报告 2021-01-20", 2021, False),
    ("政府信息公开工作年度报告（2020年）", 2020, True),
    ("关于2019年政务公开的通知：2020年政府信息公开年报", 2020, True),
    ("政府信息公开工作年度报告", 2020, False),
])
def test_names_report(text, year, expected):
    assert names_report(text, year) is expected


def test_index_page_picks_the_right_year(server, tmp_path):
    pub = Publisher(name="灵武市东塔镇人民政府", level="乡镇/街道", index_url=server.url("/index/2020.html"))
    with FetchClient(LandingStore(str(tmp_path)), **FAST) as client:
        targets = discover_targets([pub], [2020], client)
        assert [t.url for t in targets] == [server.url("/docs/report_2020.pdf")]  # relative + #page deduped
        [t] = targets
        assert t.year == 2020 and t.publisher == pub.name and t.via == server.url("/index/2020.html")
        both = discover_targets([pub], [2019, 2020, 2021], client)
        assert sorted((t.year, t.url.rsplit("/", 1)[1]) for t in both) == [
            (2019, "report_2019.pdf"), (2020, "report_2020.pdf"), (2021, "report_2021.pdf")]
    # the index page was fetched through the client: logged like any fetch
    log = [e for e in client.store.read_log() if e["kind"] == "index"]
    assert [e["status"] for e in log] == ["fetched", "unchanged"]  # same bytes the second time


def test_explicit_urls_and_a_per_year_index_page(server, tmp_path):
    pub = Publisher(name="甲镇人民政府", level="乡镇/街道",
                    reports={2019: (server.url("/docs/explicit_2019.pdf"),)},
                    index_pages={2020: server.url("/shared/index.html")})
    other = Publisher(name="乙镇人民政府", level="乡镇/街道", index_pages={2020: server.url("/shared/index.html")})
    with FetchClient(LandingStore(str(tmp_path)), **FAST) as client:
        targets = discover_targets([pub, other], [2019, 2020], client)
    got = {(t.publisher, t.year, t.url.rsplit("/", 1)[1]) for t in targets}
    assert got == {("甲镇人民政府", 2019, "explicit_2019.pdf"), ("甲镇人民政府", 2020, "a_2020.pdf"),
                   ("乙镇人民政府", 2020, "b_2020.html")}  # GBK page decoded; 图解 excluded
    assert server.hits["/shared/index.html"] == 1  # a shared page is fetched once per discovery


def test_unreachable_index_page_does_not_stop_discovery(server, tmp_path):
    bad = Publisher(name="丙镇人民政府", level="乡镇/街道", index_url=server.url("/missing"))
    good = Publisher(name="丁镇人民政府", level="乡镇/街道", reports={2020: (server.url("/docs/d.pdf"),)})
    errors = []
    with FetchClient(LandingStore(str(tmp_path)), **FAST) as client:
        targets = discover_targets([bad, good], [2020], client, on_error=lambda p, r: errors.append((p.name, r)))
    assert [t.url for t in targets] == [server.url("/docs/d.pdf")]
    assert errors[0][0] == "丙镇人民政府" and errors[0][1].error_code == "http_client_error"


def test_find_report_links_without_publisher_resolves_base():
    page = ('<html><head><base href="http://x.gov.cn/a/b/"></head><body>'
            '<a href="../r.pdf">2022年政府信息公开工作年度报告</a>'
            '<a href="javascript:void(0)">2022年政府信息公开工作年度报告</a></body></html>')
    assert [lk.url for lk in find_report_links(page, "http://x.gov.cn/", 2022)] == ["http://x.gov.cn/a/r.pdf"]
