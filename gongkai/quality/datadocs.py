"""GX Data Docs that work where they are opened: offline, from disk, with nothing loaded from elsewhere.

GX 1.24's page templates load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega … from CDNs and
its logo from a web bucket. After each build, :func:`make_offline` copies the same files (bundled in
``datadocs_assets/``, see its README) into the site as ``static/vendor/`` and points every page at them
by a relative path, so the site folder can be opened with ``file://``, zipped or mailed. The pages are
otherwise GX's own; rewriting is idempotent (a page already rewritten is left as it is).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

ASSETS = Path(__file__).with_name("datadocs_assets")
VENDOR = Path("static") / "vendor"  # inside the site

# every external asset the GX 1.24 templates (page.j2, index_page.j2, page_minimal.j2,
# js_script_imports.j2) load → the bundled copy (relative to ASSETS)
CDN: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/bootstrap.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table/bootstrap-table-filter-control.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/bootstrap-datepicker.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark/bootstrap-prefers-dark.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega/vega-embed.min.js",
}
# GX's logo (navigation bar, dark-mode background) from its web bucket → GX's own copy in static/images
_GX_BUCKET = re.compile(r"https://great-expectations-web-assets\.s3\.[\w.-]+\.amazonaws\.com/[\w.-]+\.png(?:\?[^\"')\s]*)?")
_GX_LOGO = Path("static") / "images" / "logo-long.png"
# subresource integrity of the CDN copies: the bundled files differ (no sourceMappingURL), and an
# integrity check of a file:// script is pointless
_SRI = re.compile(r'\s+(?:integrity="sha\d+-[^"]*"|crossorigin="anonymous")')
# what a browser would fetch: <script src>, <img src>, <link href> (stylesheets, icons) and CSS url()
_EXTERNAL = re.compile(r"""<(?:script|img|iframe|source)\b[^>]*\bsrc=["']?((?:https?:)?//[^"'\s>]+)"""
                       r"""|<link\b[^>]*\bhref=["']?((?:https?:)?//[^"'\s>]+)"""
                       r"""|url\(\s*["']?((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)


def _rel(site: Path, page: Path, target: Path) -> str:
    return Path(os.path.relpath(site / target, page.parent)).as_posix()


def offline_page(html: str, site: Path, page: Path) -> str:
    """`html` (the page at `page` in the site `site`) with every CDN asset pointed at the bundled copy."""
    for url, asset in CDN.items():
        if url in html:
            html = re.sub(r'((?:src|href)=")' + re.escape(url) + r'"', lambda m, a=asset: m.group(1)
                          + _rel(site, page, VENDOR / a) + '"', html)
    html = _GX_BUCKET.sub(lambda _m: _rel(site, page, _GX_LOGO), html)
    return re.sub(r"<script\b[^>]*>", lambda m: _SRI.sub("", m.group(0)), html)


def external_resources(html: str) -> list[str]:
    """The URLs a browser would load from another host when it opens `html`."""
    return [next(g for g in m.groups() if g) for m in _EXTERNAL.finditer(html)]


def make_offline(site_dir: str | os.PathLike) -> dict[str, list[str]]:
    """Bundle the assets into the Data Docs site at `site_dir` and rewrite its pages to use them.
    Returns {page: [external URLs left]} — empty unless a GX upgrade brought an asset not in `CDN`
    (logged as a warning: that page still loads it from the network)."""
    site = Path(site_dir).resolve()
    shutil.copytree(ASSETS, site / VENDOR, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    left: dict[str, list[str]] = {}
    for page in sorted(site.rglob("*.html")):
        if VENDOR in page.relative_to(site).parents:
            continue
        html = page.read_text(encoding="utf-8")
        new = offline_page(html, site, page)
        if new != html:
            page.write_text(new, encoding="utf-8")
        if ext := external_resources(new):
            left[str(page.relative_to(site))] = ext
    if left:
        urls = sorted({u for us in left.values() for u in us})
        log.warning("GX Data Docs: %d page(s) still load %s from the network (not bundled in %s)",
                    len(left), ", ".join(urls), ASSETS)
    return left
