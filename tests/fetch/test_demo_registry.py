"""The demo registry against the real sample corpus served by the sample server: every corpus file is
discovered and fetched, with media types sniffed from the bytes; a re-run fetches nothing new."""

from __future__ import annotations

import json
import re
import warnings

import pytest

from gongkai.fetch import FetchClient, LandingStore, discover_targets, load_registry
from gongkai.fetch.registry import DEMO_REGISTRY

pytestmark = pytest.mark.slow  # serves and fetches the whole sample corpus

MEDIA = {"pdf": "application/pdf", "html": "text/html", "txt": "text/plain", "tif": "image/tiff",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@pytest.fixture(scope="module")
def corpus(sample_corpus):
    return sample_corpus


def test_demo_registry_covers_the_corpus(corpus, tmp_path):
    from gongkai.demo.localservers import SampleServer

    files = {e["file"] for e in json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["files"]}
    years = sorted({e["year"] for e in json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["files"]
                    if e["year"]})
    assert years == [2019, 2020, 2021, 2022, 2023, 2024, 2025]
    with SampleServer(corpus) as srv:
        pubs = load_registry(DEMO_REGISTRY, base_url=srv.url)
        with FetchClient(LandingStore(str(tmp_path)), per_host_delay=0.0, workers=4, read_timeout=10) as client:
            targets = discover_targets(pubs, years, client)
            listed = {t.url.removeprefix(srv.url + "/") for t in targets}
            assert listed - files == {"bad/missing_on_server.pdf"}  # every listed file exists (but the 404)
            core = {f for f in files if re.fullmatch(r"seed_00\d\.(pdf|html|docx|txt)|seed_00\d_(scanned|photo)\.\w+|bad/.*",
                                                     f)}
            assert len(core) >= 26 and core <= listed  # the seeds in every format, the scans, the bad files
            if files - listed:  # a variant added to the corpus later: worth adding to registry/demo.yaml
                warnings.warn(f"corpus files not in registry/demo.yaml: {sorted(files - listed)}", stacklevel=1)
            by_index = [t for t in targets if t.via != "registry"]
            assert by_index and {t.publisher for t in by_index} == {"灵武市东塔镇人民政府"}
            assert {t.url.rsplit("/", 1)[1] for t in by_index} == {f for f in files if f.startswith("seed_000")}

            results = client.fetch_many(targets)
            status = {r.target.url.removeprefix(srv.url + "/"): r for r in results}
            assert status["bad/missing_on_server.pdf"].error_code == "http_client_error"
            ok = {k: r for k, r in status.items() if r.status == "fetched"}
            assert set(ok) == files & listed
            for name, r in ok.items():
                ext = name.rsplit(".", 1)[1]
                if not name.startswith("bad/"):
                    assert r.media_type == MEDIA[ext], name
            again = client.fetch_many(targets)
    assert {r.status for r in again if not r.target.url.endswith("missing_on_server.pdf")} == {"unchanged"}
