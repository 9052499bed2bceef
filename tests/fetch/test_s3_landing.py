"""The advertised ``s3://`` landing store (s3fs, the ``s3`` extra) against a local S3-compatible server
(moto's server on loopback): fetch into it, then the DAG's extract + load step reads the bytes back."""

from __future__ import annotations

import psycopg
import pytest

from gongkai.fetch import FetchTarget, LandingStore, fetch_targets
from gongkai.warehouse.migrate import migrate


@pytest.fixture
def s3(monkeypatch):
    pytest.importorskip("s3fs")
    server_mod = pytest.importorskip("moto.server")
    srv = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    host, port = srv.get_host_and_port()
    for k, v in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
                 "AWS_ENDPOINT_URL": f"http://{host}:{port}"}.items():
        monkeypatch.setenv(k, v)
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()
    s3fs.S3FileSystem().mkdir("gongkai-landing")
    yield "s3://gongkai-landing/landing"
    s3fs.S3FileSystem.clear_instance_cache()
    srv.stop()


def test_fetch_into_s3_then_extract_and_load_from_it(server, s3, fresh_db_url):
    from gongkai.pipeline.ingest import extract_load_step, result_to_dict

    with psycopg.connect(fresh_db_url) as conn:
        migrate(conn)
        conn.commit()
    urls = [server.url("/docs/a_2020.pdf"), server.url("/etag/7"), server.url("/missing")]
    results = fetch_targets([FetchTarget(u, publisher="甲镇人民政府", year=2020) for u in urls], store=s3,
                            per_host_delay=0.0, max_attempts=1)
    assert [r.status for r in results] == ["fetched", "fetched", "failed"]
    assert all(r.landing_path.startswith("s3://gongkai-landing/landing/") for r in results[:2])
    store = LandingStore(s3)
    assert sorted(store.blobs()) == sorted(r.landing_key for r in results[:2])
    assert store.url_state(urls[1])["sha256"] == results[1].sha256  # conditional GET state on S3
    assert len(store.read_log()) == 3  # the fetch log, flushed to the object store

    again = fetch_targets([FetchTarget(urls[1])], store=s3, per_host_delay=0.0, max_attempts=1)
    assert again[0].status == "unchanged"

    summary = extract_load_step([result_to_dict(r) for r in results], url=fresh_db_url, workers=1, timeout_s=60)
    assert summary["documents_seen"] == 2
    with psycopg.connect(fresh_db_url) as conn:
        rows = conn.execute("select sha256, landing_path, source_url, error_code from raw.documents "
                            "order by source_url").fetchall()
    assert {r[0] for r in rows} == {r.sha256 for r in results[:2]}  # the bytes came back from S3
    assert all(r[1].startswith("s3://") for r in rows) and {r[2] for r in rows} == set(urls[:2])
    assert not any(r[3] in ("file_vanished", "not_a_regular_file", "extractor_crash") for r in rows)
