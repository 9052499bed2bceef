"""`gongkai extract FILE…`: every cell of report documents (PDF, HTML, DOCX/DOC, text, scans and images)."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

import click

DIR_SUFFIXES = {".pdf", ".html", ".htm", ".shtml", ".docx", ".doc", ".txt", ".text",
                ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


def collect(paths: tuple[str, ...]) -> list[Path]:
    """Files named, plus the report documents (by suffix) under directories named, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in DIR_SUFFIXES
                          and not any(part.startswith(".") for part in f.relative_to(p).parts))
        else:
            out.append(p)
    return out


@click.command(name="extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per document per line (JSON Lines).")
@click.option("--isolated/--in-process", default=True, show_default=True,
              help="Extract each document in a worker process under a time and memory budget (default), "
                   "or in this process without any budget (for debugging).")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per document.")
@click.option("--memory-mb", type=int, default=1024, show_default=True, help="Memory per worker.")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes.")
def command(files: tuple[str, ...], as_json: bool, isolated: bool, timeout: float, memory_mb: int,
            workers: int) -> None:
    """Extract the cells of report documents (PDF, HTML, DOCX/DOC, text; directories are searched).
    Scanned pages and image files (PNG, JPEG, TIFF …) are read by OCR (the ``ocr`` extra).

    \b
    Without --json each document is printed as a table laid out like the printed form
    (· blank, — marker, ? unreadable, ∅ missing, 12* split from digits printed run together),
    followed by its issues.
    The exit status is 1 when any document has an error (it is still printed).

    \b
    Examples:
      gongkai extract report.pdf
      gongkai extract scanned-report.tif
      gongkai extract data/landing/ --json > cells.jsonl
    """
    from extractors.api import extract
    from extractors.files import display_path
    from extractors.normalize import strip_controls
    from extractors.render import render_record
    from gongkai.progress import Progress

    paths = collect(files)
    if not paths:
        raise click.ClickException("no report documents found")
    total = len(paths)
    bar = Progress("extract", total, unit="documents") if total > 3 else None
    failed = 0

    def emit(rec, i: int) -> None:
        nonlocal failed
        rec.source.path = strip_controls(display_path(rec.source.path))  # printable whatever the file name
        text = rec.to_json() if as_json else render_record(rec)
        if bar is None:
            click.echo(text)
        else:
            bar.log(text, out=click.echo)
        if rec.error is not None:
            failed += 1
            if bar:
                bar.log(f"{rec.source.path}: {rec.error.code}")
        if bar:
            bar.update(i, note=f"{Path(rec.source.path).name}: "
                               f"{sum(c.status == 'ok' for c in rec.cells)} of {len(rec.cells)} cells read")

    with bar or nullcontext():
        if isolated:
            from extractors.sandbox import extract_many

            for i, rec in enumerate(extract_many(paths, workers=workers, timeout_s=timeout, memory_mb=memory_mb), 1):
                emit(rec, i)
        else:
            for i, p in enumerate(paths, 1):
                emit(extract(p), i)
    if bar or failed:
        click.echo(f"{total} documents, {failed} with errors", err=True)
    sys.exit(1 if failed else 0)
