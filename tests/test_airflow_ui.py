"""`gongkai airflow ui` on the demo's Airflow (the session's demo run): one command starts the api-server on
loopback and says where it is and where the login's password is (not the password); a person who logs
in sees the demo's runs and, in a task's page, that task's log — checked through the REST API the UI
reads and in Chromium."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from gongkai import ports
from tests.support.browser import browser_or_skip, launch

pytestmark = pytest.mark.slow

GONGKAI = str(Path(sys.executable).with_name("gongkai"))


@pytest.fixture(scope="module")
def ui(demo_run):
    env = {**os.environ, "GONGKAI_DATA_DIR": str(demo_run.data)}
    port = ports.any_free()
    proc = subprocess.Popen([GONGKAI, "airflow", "ui", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout] + [lines.put(None)], daemon=True).start()
    said, deadline = [], time.monotonic() + 600
    try:
        while not any(x.startswith("Ctrl-C") for x in said):
            line = lines.get(timeout=max(1.0, deadline - time.monotonic()))
            if line is None:
                pytest.fail("gongkai airflow ui stopped:\n" + "".join(said))
            said.append(line)
        home = demo_run.data / "airflow"
        password = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
        yield {"base": f"http://{ports.LOOPBACK}:{port}", "said": "".join(said), "password": password,
               "home": home}
    finally:
        ports.stop(proc)


def _api(ui, path: str):
    body = json.dumps({"username": "admin", "password": ui["password"]}).encode()
    token = json.load(urllib.request.urlopen(urllib.request.Request(
        ui["base"] + "/auth/token", data=body, headers={"Content-Type": "application/json"})))["access_token"]
    req = urllib.request.Request(ui["base"] + path, headers={"Authorization": f"Bearer {token}",
                                                            "Accept": "application/json"})
    return json.load(urllib.request.urlopen(req))


def _latest_run(ui, dag_id: str) -> str:
    runs = _api(ui, f"/api/v2/dags/{dag_id}/dagRuns?order_by=-start_date&limit=1")["dag_runs"]
    assert runs and runs[0]["state"] == "success"
    return runs[0]["dag_run_id"]


def test_it_says_where_it_is_and_where_the_password_is(ui):
    said = ui["said"]
    assert f"open:      {ui['base']}/" in said and "login:     admin, password in " in said
    assert str(ui["home"] / "simple_auth_manager_passwords.json.generated") in said
    assert ui["password"] not in said
    assert oct((ui["home"] / "simple_auth_manager_passwords.json.generated").stat().st_mode & 0o777) == "0o600"


def test_the_demo_runs_and_their_task_logs_are_served(ui):
    for dag_id in ("el_annual_reports", "t_warehouse"):
        run_id = _latest_run(ui, dag_id)
        tis = _api(ui, f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances")["task_instances"]
        # a mapped task over nothing (no scan to OCR in this run) is skipped, never failed
        assert tis and all(t["state"] in ("success", "skipped") for t in tis), [(t["task_id"], t["state"]) for t in tis]
        first = next(t for t in tis if t["state"] == "success")
        log = _api(ui, f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{first['task_id']}"
                       f"/logs/{first['try_number']}?map_index={first['map_index']}")
        events = [e.get("event", "") for e in log["content"]]
        assert any(f"[DAG TEST] starting task_id={first['task_id']}" in e for e in events), events[:5]


def test_a_person_sees_a_task_log_in_the_browser(ui):
    sync_api = browser_or_skip()
    run_id = _latest_run(ui, "el_annual_reports")
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside = []
        page.on("request", lambda r: None if r.url.startswith((ui["base"], "data:", "blob:")) else outside.append(r.url))
        page.goto(ui["base"] + "/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", ui["password"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(ui["base"] + "/", timeout=60_000)
        page.goto(f"{ui['base']}/dags/el_annual_reports/runs/{quote(run_id, safe='')}/tasks/fetch_batch/mapped/0")
        # the batch's own progress line, from its log
        page.get_by_text("fetch: ", exact=False).first.wait_for(timeout=120_000)
        assert "reports (100%)" in page.inner_text("body")
        browser.close()
    assert outside == []  # the UI works offline
