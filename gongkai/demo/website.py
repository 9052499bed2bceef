"""The sample corpus as a government website on loopback: built from the samples when missing or stale,
served by the sample server (files plus per-year index pages), with a registry pointing at it.

What `gongkai serve-samples` runs, and what the demo serves its DAGs from.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from gongkai.demo import fixtures, samples
from gongkai.demo.fixtures.corpus import build_corpus
from gongkai.demo.localservers import SampleServer, sample_documents

UNASSIGNED_PUBLISHER = "样例问题文件发布单位"  # the corpus' bad files are listed under this publisher


def _say(say: Callable[[str], None] | None, msg: str) -> None:
    if say:
        say(msg)


def _corpus_sources_mtime() -> float:
    """The newest modification time of what the corpus is rendered from (fixtures code, the samples)."""
    files = [*Path(fixtures.__file__).parent.rglob("*"), *samples.SAMPLES_DIR.rglob("*")]
    return max((f.stat().st_mtime for f in files if f.is_file()), default=0.0)


def ensure_corpus(corpus_dir: Path, *, rebuild: bool = False, progress: Callable[[str], None] | None = None) -> Path:
    """Build the sample corpus into `corpus_dir` unless it is there and newer than its sources."""
    manifest = corpus_dir / "manifest.json"
    stale = manifest.exists() and manifest.stat().st_mtime < _corpus_sources_mtime()
    if (rebuild or stale) and corpus_dir.exists():
        shutil.rmtree(corpus_dir)
    if not (corpus_dir / "manifest.json").exists():
        _say(progress, f"building the sample corpus in {corpus_dir} …")
        build_corpus(corpus_dir)
    return corpus_dir


def corpus_years(corpus_dir: Path) -> list[int]:
    return sorted({d.year for d in sample_documents(corpus_dir) if d.year})


def unassigned_year(corpus_dir: Path) -> int:
    """The year the bad files (no year in the manifest) are listed under: the corpus' latest year."""
    return max(corpus_years(corpus_dir), default=2020)


def write_demo_registry(corpus_dir: Path, path: Path) -> Path:
    """A registry for the sample corpus: one publisher per publisher named in the manifest, each with a
    per-year index page on the sample server (``{base_url}`` is filled in from GONGKAI_SAMPLES_URL)."""
    docs = sample_documents(corpus_dir)
    years_by_pub: dict[str, set[int]] = {}
    for d in docs:
        pub = d.publisher or UNASSIGNED_PUBLISHER
        year = d.year or unassigned_year(corpus_dir)
        years_by_pub.setdefault(pub, set()).add(year)
    lines = [
        "# Demo registry, written by `gongkai serve-samples`: the sample corpus on the loopback server.",
        "publishers:",
    ]
    for pub in sorted(years_by_pub):
        lines += [
            f"  - name: {json.dumps(pub, ensure_ascii=False)}",
            "    level: 乡镇/街道",
            "    index_pages:",
        ]
        for y in sorted(years_by_pub[pub]):
            lines.append(f'      {y}: "{{base_url}}/index/{y}.html?publisher={quote(pub)}"')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sample_server(corpus: Path, port_file: Path) -> SampleServer:
    """The sample server on the port the previous demo used (so that the report URLs, and with them the
    conditional GETs of a re-run, stay the same), or on a free port the first time."""
    port = int(port_file.read_text()) if port_file.exists() and port_file.read_text().strip().isdigit() else 0
    try:
        server = SampleServer(corpus, port=port)
    except OSError:  # taken by something else meanwhile
        server = SampleServer(corpus)
    port_file.parent.mkdir(parents=True, exist_ok=True)
    port_file.write_text(str(server.httpd.server_address[1]))
    return server


@contextmanager
def serve_samples(corpus_dir: Path, *, port: int = 8765, registry_out: Path | None = None,
                  say: Callable[[str], None] | None = None) -> Iterator[SampleServer]:
    """Serve the sample corpus (built into `corpus_dir` if needed) on http://127.0.0.1:`port` while the
    block runs; with `registry_out`, also write a registry pointing at it. The corpus' bad files are
    listed on the index page of its latest year, under :data:`UNASSIGNED_PUBLISHER`."""
    root = ensure_corpus(corpus_dir, progress=say)
    if registry_out:
        write_demo_registry(root, registry_out)
        _say(say, f"registry written to {registry_out}")
    with SampleServer(root, port=port, default_publisher=UNASSIGNED_PUBLISHER,
                      default_year=unassigned_year(root)) as server:
        yield server
