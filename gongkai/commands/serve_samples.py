"""`gongkai serve-samples`: serve the bundled sample corpus over loopback HTTP, for manual runs."""

from __future__ import annotations

import time
from pathlib import Path

import click


@click.command(name="serve-samples")
@click.option("--port", type=int, default=8765, show_default=True, help="TCP port on 127.0.0.1 (0 = any free).")
@click.option("--dir", "corpus_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The corpus folder (default: $GONGKAI_DATA_DIR/samples, built if missing).")
@click.option("--registry", "registry_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a registry YAML pointing at the server (use with GONGKAI_SAMPLES_URL).")
def command(port: int, corpus_dir: Path | None, registry_out: Path | None) -> None:
    """Serve the sample corpus on http://127.0.0.1:PORT until Ctrl-C.

    \b
    Every file of the corpus is served as is; /index/{year}.html lists the year's reports
    (?publisher=NAME narrows it to one publisher), as a government site's report column would.
    Example, in another shell:
      GONGKAI_SAMPLES_URL=http://127.0.0.1:8765 gongkai fetch --registry data/demo/registry.yaml
    """
    from gongkai.demo.website import serve_samples
    from gongkai.warehouse.db import data_dir

    with serve_samples(corpus_dir or data_dir() / "samples", port=port, registry_out=registry_out,
                       say=lambda m: click.echo(m, err=True)) as s:
        click.echo(f"serving {s.root} on {s.url}  (index pages: {s.url}/index/<year>.html; Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
