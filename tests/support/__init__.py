"""What the tests share, imported one way everywhere: ``from tests.support.<module> import …``.

* :mod:`tests.support.golden` — the samples' golden records (as dicts and as Records) and a cell-by-cell
  comparison of an extraction with one;
* :mod:`tests.support.warehouse` — random balanced records, a migrated database;
* :mod:`tests.support.quality` — synthetic reports for the rules, parsing a received e-mail;
* :mod:`tests.support.http_server` — a loopback HTTP server with misbehaving routes (for the fetcher).

Pytest fixtures stay in the ``conftest.py`` files; plain helpers live here.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The project's shared folder beside the checkout (the data contract's original, the real published PDF).
SHARED = ROOT.parent / "shared"
