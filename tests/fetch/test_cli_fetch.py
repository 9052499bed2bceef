"""`gongkai fetch` end to end against a local server: discovery, progress, summary, re-run."""

from __future__ import annotations

import json

from click.testing import CliRunner

from gongkai.cli import main
from gongkai.fetch import LandingStore

REGISTRY = """# test registry
publishers:
  - name: 甲镇人民政府
    level: 乡镇/街道
    reports:
      2020:
        - "{base_url}/etag/a"
        - "{base_url}/missing"
  - name: 灵武市东塔镇人民政府
    level: 乡镇/街道
    index_pages:
      2020: "{base_url}/index/2020.html"
"""


def test_cli_fetch_and_rerun(server, tmp_path):
    reg = tmp_path / "r.yaml"
    reg.write_text(REGISTRY, encoding="utf-8")
    landing = tmp_path / "landing"
    args = ["fetch", "--registry", str(reg), "--base-url", server.base_url, "--year", "2020",
            "--landing", str(landing), "--delay", "0", "--retries", "1", "--json"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    got = {row["url"].removeprefix(server.base_url): row["status"] for row in rows}
    assert got == {"/etag/a": "fetched", "/missing": "failed", "/docs/report_2020.pdf": "fetched"}
    assert "fetched 2, unchanged 0, failed 1" in r.stderr
    # not a terminal: the progress is plain lines (the last one the total), and each failure a line
    assert "fetch: 3/3 reports (100%) · in " in r.stderr and "\r" not in r.stderr
    assert f"failed  {server.base_url}/missing (http_client_error" in r.stderr

    again = CliRunner().invoke(main, args + ["--fail-on-error"])
    assert again.exit_code == 1  # the 404 is still there
    assert "fetched 0, unchanged 2, failed 1" in again.stderr
    assert len(LandingStore(str(landing)).blobs()) == 3  # two reports + the index page

    dry = CliRunner().invoke(main, ["fetch", "--registry", str(reg), "--base-url", server.base_url, "--year",
                                    "2020", "--landing", str(landing), "--publisher", "甲镇", "--dry-run"])
    assert dry.exit_code == 0 and dry.stdout.count("\n") == 2 and "/missing" in dry.stdout
    unknown = CliRunner().invoke(main, ["fetch", "--registry", str(reg), "--base-url", "http://x", "--publisher", "无此镇"])
    assert unknown.exit_code != 0 and "not in the registry" in unknown.output


def test_cli_fetch_exits_non_zero_when_nothing_could_be_fetched(server, tmp_path):
    """Every download fails (404s): the summary says so and the exit status is 1, without --fail-on-error;
    one report fetched among failures is still a success."""
    reg = tmp_path / "r.yaml"
    reg.write_text('publishers:\n  - name: 乙镇人民政府\n    level: 乡镇/街道\n    reports:\n      2020:\n'
                   '        - "{base_url}/missing"\n        - "{base_url}/missing?again"\n', encoding="utf-8")
    args = ["fetch", "--registry", str(reg), "--base-url", server.base_url, "--year", "2020",
            "--landing", str(tmp_path / "landing"), "--delay", "0", "--retries", "0"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 1, r.output
    assert "fetched 0, unchanged 0, failed 2" in r.stdout, r.output
    assert r.stderr.count("failed  ") == 2
    assert "nothing could be fetched: all 2 downloads failed" in r.stderr

    reg.write_text(reg.read_text(encoding="utf-8") + '        - "{base_url}/etag/a"\n', encoding="utf-8")
    some = CliRunner().invoke(main, args)
    assert some.exit_code == 0, some.output
    assert "fetched 1, unchanged 0, failed 2" in some.stdout
