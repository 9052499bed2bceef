"""`gongkai load`: extract documents and load them into the warehouse."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--records", "records_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              multiple=True, help="Load pre-extracted records (JSON Lines from `gongkai extract --json`).")
@click.option("--url", envvar="WAREHOUSE_URL", default=None, show_envvar=True,
              help="Postgres URL (default: the embedded server under ./data/pg).")
@click.option("--workers", default=2, show_default=True, help="Extraction worker processes.")
@click.option("--timeout", "timeout_s", default=60.0, show_default=True, help="Seconds per document.")
@click.option("--batch-size", default=50, show_default=True, help="Documents per transaction.")
@click.option("--registered-publisher", default=None,
              help="File every document under this publisher (overrides the extracted name).")
@click.option("--registered-year", type=int, default=None, help="File every document under this year.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--retry", type=click.Choice(["quarantined"]), default=None,
              help="Extract the quarantined documents again (from the landing store or their path).")
@click.option("--reason", "reasons", multiple=True,
              help="With --retry: only documents quarantined for this reason (repeatable), e.g. timeout.")
def command(paths: tuple[Path, ...], records_file: tuple[Path, ...], url: str | None, workers: int,
            timeout_s: float, batch_size: int, registered_publisher: str | None,
            registered_year: int | None, as_json: bool, retry: str | None, reasons: tuple[str, ...]) -> None:
    """Extract report documents (files or directories) and load them into the warehouse.

    Idempotent: a document already loaded (same content sha256) changes nothing; the same document
    read by a newer extractor replaces its rows; a new document for the same publisher and year
    supersedes the older one. Unreadable documents are quarantined, never dropped. The schema is
    migrated first.

    \b
    Examples:
      gongkai load data/landing/
      gongkai load report.pdf other.html --registered-publisher 安丘市景芝镇人民政府
      gongkai extract *.pdf --json > recs.jsonl && gongkai load --records recs.jsonl
      gongkai load --retry quarantined --reason timeout

    \b
    A landing store (gongkai fetch's folder) is loaded as its documents, with their source URL and
    registered publisher and year. Only regular files are read: FIFOs, devices and symlinks out of the
    folder are quarantined without being opened. Documents quarantined for a transient reason
    (timeout, memory_limit, worker_killed) are extracted again on later loads, up to 3 times.
    """
    if not paths and not records_file and not retry:
        raise click.UsageError("give FILE…, DIR, --records FILE.jsonl or --retry quarantined")
    if reasons and not retry:
        raise click.UsageError("--reason goes with --retry quarantined")
    import json

    from gongkai.pipeline.ingest import load_files
    from gongkai.progress import Progress
    from gongkai.warehouse.load import DocumentMeta, LoadSummary, collect

    total = None
    if paths and not records_file and not retry:
        col = collect(paths)
        total = len(col.files) + len(col.refused)
    bar = Progress("load", total, unit="documents")
    parts: dict[int, LoadSummary] = {}  # one summary per file/folder group, records file, retry

    def progress(s: LoadSummary) -> None:
        parts[id(s)] = s
        cells = sum(p.cells_loaded for p in parts.values())
        bar.update(sum(p.documents_read for p in parts.values()), note=f"{cells} cells loaded")

    with bar:
        summary, retried = load_files(
            paths, records_file, url=url, workers=workers, timeout_s=timeout_s, batch_size=batch_size,
            progress=progress, retry_reasons=reasons if retry else None,
            meta=DocumentMeta(registered_publisher=registered_publisher, registered_year=registered_year))
    if retried is not None:
        click.echo(f"retried {retried.candidates - len(retried.missing)} of {retried.candidates} quarantined "
                   "documents" + (f"; {len(retried.missing)} no longer found" if retried.missing else ""), err=True)
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
    else:
        click.echo(f"loaded: {summary}")
