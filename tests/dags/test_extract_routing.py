"""Which documents go to which extraction pool (issues 12 and 15), decided without Airflow: real files
rendered by the fixture generator (a text PDF, an image-only PDF, a TIFF scan, HTML), a real warehouse
for what is already loaded, and the pool sizes from the settings."""

from __future__ import annotations

import hashlib
import random

import pytest

from gongkai.demo.fixtures.render import render
from gongkai.demo.fixtures.scan import render_scan
from gongkai.demo.fixtures.spec import random_spec
from gongkai.pipeline import ingest, pools
from gongkai.pipeline.batching import plan_extract_batches


def _doc(name: str, ocr_pages: int = 0) -> dict:
    return {"url": name, "ocr_pages": ocr_pages}


def test_scans_and_text_documents_are_batched_apart_in_order():
    docs = [_doc("t1"), _doc("s1", 3), _doc("t2"), _doc("s2", 1), _doc("t3"), _doc("s3", 9), _doc("s4", 20)]
    plan = plan_extract_batches(docs, text_batch_size=2, ocr_batch_pages=12)
    assert [[d["url"] for d in b] for b in plan["text"]] == [["t1", "t2"], ["t3"]]
    # OCR batches are cut by pages: 3 + 1 fit in 12, 9 more would not; a 20-page scan goes alone
    assert [[d["url"] for d in b] for b in plan["ocr"]] == [["s1", "s2"], ["s3"], ["s4"]]
    assert plan_extract_batches([], text_batch_size=5) == {"text": [], "ocr": []}


def test_the_number_of_ocr_batches_is_capped_by_growing_them():
    docs = [_doc(f"s{i}", 2) for i in range(100)]
    plan = plan_extract_batches(docs, ocr_batch_pages=2, max_batches=10)
    assert sum(map(len, plan["ocr"])) == 100 and len(plan["ocr"]) == 10


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """A landing folder with one text PDF, one HTML report, a 3-page image-only PDF and a TIFF scan,
    as fetch results (what fetch_batch returns)."""
    spec = random_spec(random.Random(7), year=2022)
    files = {"text.pdf": render(spec, "pdf"), "report.html": render(spec, "html"),
             "scan.pdf": render_scan(spec), "photo.tif": render_scan(spec, container="tif")}
    folder = tmp_path_factory.mktemp("landing")
    out = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        out.append({"url": f"http://127.0.0.1/{name}", "status": "fetched", "landing_path": str(folder / name),
                    "sha256": hashlib.sha256(data).hexdigest(), "publisher": None, "year": 2022})
    return out


def test_the_plan_sends_scans_to_the_ocr_pool_and_the_rest_to_text(landed, fresh_db_url):
    failed = {"url": "http://127.0.0.1/gone.pdf", "status": "failed", "landing_path": None}
    plan = ingest.plan_extract_step([landed[:2], [*landed[2:], failed]], url=fresh_db_url)
    text = [d["url"].rsplit("/", 1)[1] for b in plan["text"] for d in b]
    ocr = {d["url"].rsplit("/", 1)[1]: d["ocr_pages"] for b in plan["ocr"] for d in b}
    assert text == ["text.pdf", "report.html"]
    assert ocr == {"scan.pdf": 3, "photo.tif": 3}
    assert plan["skipped_known"] == 0


def test_documents_already_in_the_warehouse_are_not_planned_again(landed, fresh_db_url):
    from pathlib import Path

    ingest.load_files([Path(landed[0]["landing_path"])], url=fresh_db_url, workers=1)
    plan = ingest.plan_extract_step([landed[:2]], url=fresh_db_url)
    assert [d["url"].rsplit("/", 1)[1] for b in plan["text"] for d in b] == ["report.html"]
    assert plan["ocr"] == [] and plan["skipped_known"] == 1


def test_ocr_throughput_is_reported_apart_from_text():
    loads = [{"documents_seen": 25, "loaded": 25, "text_documents": 25, "text_seconds": 5.0},
             {"documents_seen": 2, "loaded": 2, "ocr_documents": 2, "ocr_pages": 6, "ocr_seconds": 12.0},
             {"documents_seen": 1, "loaded": 1, "ocr_documents": 1, "ocr_pages": 3, "ocr_seconds": 6.0}]
    fetched = [[{"status": "fetched", "landing_path": f"/l/{i}"} for i in range(30)] + [{"status": "failed"}]]
    planned = [[{}] * 25, [{}], [{}]]  # 27 of the 30 landed documents planned, 3 already in the warehouse
    out = ingest.summarize(fetched, loads, planned=planned)
    assert out["rates"] == {"text_documents": 25, "text_documents_per_s": 5.0, "ocr_documents": 3,
                            "ocr_pages": 9, "ocr_pages_per_s": 0.5}
    assert out["load"]["skipped_known"] == 3 and out["load"]["loaded"] == 28
    assert ingest.summarize([], [])["rates"]["ocr_pages_per_s"] is None  # no OCR batch: no figure


def test_the_pools_follow_the_cluster():
    specs = {s.name: s.slots for s in pools.pool_specs(workers=3, cores=8, env={})}
    assert specs == {pools.EXTRACT_POOL: 24, pools.OCR_POOL: 12}
    # from the environment; explicit slot settings win; never fewer slots than one batch task takes
    env = {pools.WORKERS_ENV: "2", pools.CORES_ENV: "4", pools.OCR_SLOTS_ENV: "3"}
    assert {s.name: s.slots for s in pools.pool_specs(env=env)} == {pools.EXTRACT_POOL: 8, pools.OCR_POOL: 3}
    one = {s.name: s.slots for s in pools.pool_specs(workers=1, cores=1, env={})}
    assert min(one.values()) == pools.PROCESSES_PER_TASK
    with pytest.raises(ValueError, match="GONGKAI_WORKERS"):
        pools.pool_specs(env={pools.WORKERS_ENV: "many"})
    assert pools.pools_json(pools.pool_specs(workers=1, cores=4, env={}))[pools.OCR_POOL]["slots"] == 2
