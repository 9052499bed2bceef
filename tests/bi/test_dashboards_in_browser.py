"""The dashboards the way a person sees them: the five seed reports and the demo's multi-year series
(three publishers, 2019–2024, rendered as text: year over year, R7 and the scorecard's ranking need more
than one year) loaded, transformed and checked with the CLI on an embedded warehouse, `gongkai bi` started on a free loopback port, and every dashboard
opened in headless Chromium (Debian's package, driven by Playwright): every chart must render with data
— no error, no "No results" — and the browser must fetch nothing from outside this machine.

Slow (minutes; the first run also installs .venv-bi), never timed: it waits on the DOM's state."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gongkai import ports
from gongkai.bi import spec
from tests.support.browser import browser_or_skip, launch

pytestmark = pytest.mark.slow

GONGKAI = str(Path(sys.executable).with_name("gongkai"))
DASHBOARDS = {d.slug: d for d in spec.load()[1]}

# Every chart holder of the page in its final state, or null while one is still loading.
SETTLED = """() => {
  const holders = [...document.querySelectorAll('[data-test="chart-grid-component"]')];
  if (holders.length === 0) return null;
  const states = holders.map(h => {
    const title = (h.querySelector('[data-test="editable-title"]') || {}).innerText || '?';
    if (h.querySelector('[data-test="loading-indicator"]')) return null;
    if (h.querySelector('[data-test="empty-state"]')) return {title, state: 'no results'};
    const error = h.querySelector('.ant-alert-error, .ant-alert-warning, [data-test="error-tooltip"], [role="alert"]');
    if (error) return {title, state: 'error: ' + error.innerText.slice(0, 200)};
    const body = h.querySelector('[data-test="slice-container"]');
    if (!body) return null;
    if (body.querySelector('table')) {  // a sticky header may be a table of its own: look at every body
      return {title, state: body.querySelector('table tbody tr td') ? 'rendered' : 'empty table'};
    }
    const number = body.querySelector('.header-line');
    if (number) return {title, state: /\\d/.test(number.innerText) ? 'rendered' : 'no number'};
    if (body.querySelector('canvas, svg')) return {title, state: 'rendered'};
    return null;
  });
  return states.every(s => s) ? states : null;
}"""


def _run(env, *args, ok=(0,)):
    done = subprocess.run([GONGKAI, *args], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode in ok, f"gongkai {' '.join(args)}: {done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def corpus_dir(seeds_dir, tmp_path_factory) -> Path:
    """The seeds and the demo corpus' multi-year series (as text, the quickest to read)."""
    from gongkai.demo.fixtures.render import render
    from gongkai.demo.fixtures.series import series_specs

    out = tmp_path_factory.mktemp("bi-corpus")
    for path in seeds_dir.iterdir():
        shutil.copy2(path, out)
    for stem, report, _ in series_specs():
        (out / f"{stem}.txt").write_bytes(render(report, "txt"))
    return out


@pytest.fixture(scope="module")
def warehouse(corpus_dir):
    """An embedded warehouse of its own (own data folder, free port) with the seeds and the series loaded
    and checked."""
    browser_or_skip()
    data = Path("/tmp") / f"gongkai-bi-test-{os.getpid()}"  # not pytest's 0700 tmp: pgserver runs as another user
    env = {k: v for k, v in os.environ.items() if k not in ("WAREHOUSE_URL", "GONGKAI_BI_HOME")}
    env.update(GONGKAI_DATA_DIR=str(data), GONGKAI_PG_PORT=str(ports.any_free()))
    try:
        _run(env, "load", str(corpus_dir))
        _run(env, "transform")
        _run(env, "check", "--no-docs", ok=(0, 1))  # 1: a critical rule fails (小王庄镇 2020), as it should
        yield env
    finally:
        subprocess.run([GONGKAI, "warehouse", "stop"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def superset(warehouse):
    """`gongkai bi` on a free loopback port, until its summary says where it is; stopped afterwards.

    Imported twice, the warehouse moving to another port in between (as when its default port is taken
    on a later start): the charts only render if the second import updated what the first one made."""
    _run(warehouse, "bi", "--setup-only")
    _run(warehouse, "warehouse", "stop")
    warehouse["GONGKAI_PG_PORT"] = str(ports.any_free())
    port = ports.any_free()
    proc = subprocess.Popen([GONGKAI, "bi", "--port", str(port)], env=warehouse, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)  # the process closed its output: it ended

    threading.Thread(target=read, daemon=True).start()
    said, deadline = [], time.monotonic() + 1500  # the first run installs Superset
    try:
        while not any(x.strip().startswith("open:") for x in said):
            try:
                line = lines.get(timeout=max(1.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail("gongkai bi did not start:\n" + "".join(said[-30:]))
            if line is None:
                pytest.fail("gongkai bi stopped:\n" + "".join(said[-30:]))
            said.append(line)
        secrets = Path(warehouse["GONGKAI_DATA_DIR"]) / "bi" / "secrets.json"
        yield {"base": f"http://{ports.LOOPBACK}:{port}", "said": "".join(said),
               "password": json.loads(secrets.read_text())["admin_password"]}
    finally:
        proc.terminate()
        proc.wait(timeout=60)


@pytest.fixture(scope="module")
def browser_page(superset):
    sync_api = browser_or_skip()
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.goto(superset["base"] + "/login/")
        page.fill("#username", "admin")
        page.fill("#password", superset["password"])
        page.click("[type=submit]")
        page.wait_for_url("**/superset/welcome/**", timeout=120_000)
        yield page
        browser.close()


def test_the_summary_names_the_read_only_login_and_where_the_password_is(superset):
    said = superset["said"]
    assert "gongkai_superset@127.0.0.1:" in said and "gongkai_bi" in said
    assert "secrets.json" in said and superset["password"] not in said  # where it is, never the secret


@pytest.mark.parametrize("slug", sorted(DASHBOARDS))
def test_every_chart_renders_with_data(browser_page, superset, slug, tmp_path):
    page, base = browser_page, superset["base"]
    data_responses, outside = [], []

    def on_response(response):
        if "/api/v1/chart/data" in response.url:
            body = response.json() if response.ok else {}
            data_responses.append((response.status, [r.get("rowcount") for r in body.get("result", [])]))

    def on_request(request):
        if not request.url.startswith((base, "data:", "blob:")):
            outside.append(request)

    page.on("response", on_response)
    page.on("request", on_request)
    try:
        page.goto(f"{base}/superset/dashboard/{slug}/")
        states = page.wait_for_function(SETTLED, timeout=240_000).json_value()
    finally:
        page.remove_listener("response", on_response)
        page.remove_listener("request", on_request)
    dash = DASHBOARDS[slug]
    assert len(states) == len(dash.charts), states
    broken = [s for s in states if s["state"] != "rendered"]
    assert not broken, f"{slug}: {broken}"
    assert {s["title"] for s in states} == {c.title for c in dash.charts.values()}
    assert page.get_by_text(dash.title).first.is_visible()
    # each chart's query answered with rows
    assert len(data_responses) >= len(dash.charts)
    assert all(status == 200 and counts and all(c and c > 0 for c in counts) for status, counts in data_responses), \
        data_responses
    # offline: nothing left the machine (Superset's telemetry pixel is stopped by our CSP inside the browser)
    assert all(r.failure == "csp" for r in outside), [(r.url, r.failure) for r in outside]
    shot = tmp_path / f"{slug}.png"
    page.screenshot(path=str(shot), full_page=True)
    if slug == "applications" and os.environ.get("GONGKAI_BI_SCREENSHOT"):
        shutil.copy(shot, os.environ["GONGKAI_BI_SCREENSHOT"])  # how docs/bi-dashboard.png is made
