"""A real browser for the tests that look at what people see: Debian's Chromium, driven by Playwright
(its wheel carries the driver; browser builds that download themselves cannot install here). A test
skips, saying what to install, on a machine without them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GONGKAI_CHROMIUM", "/usr/bin/chromium")
# as this machine's notes say Chromium needs them here (root, no GPU, no network but loopback)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def browser_or_skip():
    """Playwright's sync API, or a skip naming what to install."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's browser and a CJK font "
                    "(`apt-get install -y chromium fonts-wqy-zenhei`; .ci/run does) or set GONGKAI_CHROMIUM")
    return pytest.importorskip("playwright.sync_api", reason="playwright (a dev dependency) is not installed")


def launch(playwright):
    """Headless Chromium (the system's)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
