"""`gongkai debug FILE --page N -o grid.png`: draw the detected table grid and the cells read (a PDF page
with a text layer as pdfplumber sees it; a scanned page or an image as the OCR reader sees it)."""

from __future__ import annotations

from pathlib import Path

import click


def drawable() -> dict[str, str]:
    """What `gongkai debug` draws, by media type (sniffed from the bytes) — the one place this is decided:
    PDFs, and the image types the sniffer knows when the OCR reader is there (scans, `extractors.ocr`)."""
    from extractors import sniff

    return {sniff.PDF: "PDFs", **dict.fromkeys(sniff.IMAGES, "images")}


def not_drawable(path: Path) -> str | None:
    """Why `path` cannot be drawn (not a kind `gongkai debug` reads: the reason names what it is), or None."""
    from extractors import sniff

    data = path.read_bytes()
    media = sniff.sniff(data)
    kinds = drawable()
    if media in kinds:
        return None
    if not data.strip():
        return f"{path.name} is empty: there is nothing to draw"
    what = {
        sniff.HTML: "an HTML page", sniff.TEXT: "plain text", sniff.DOCX: "a Word document (DOCX)",
        sniff.DOC: "a Word 97–2003 document (DOC)", sniff.ZIP: "a zip archive"}.get(media, f"{media}")
    return (f"gongkai debug reads {' and '.join(dict.fromkeys(kinds.values()))} only, and {path.name} is {what}: "
            f"`gongkai extract {path}` shows the cells read from it")


@click.command(name="debug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--page", "-p", type=int, default=1, show_default=True, help="Page number (1-based).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="PNG to write (default: FILE.pN.grid.png next to the PDF).")
@click.option("--resolution", type=int, default=100, show_default=True, help="Rendering resolution (dpi).")
@click.option("--ocr", "force_ocr", is_flag=True, help="Read the page by OCR even when it has a text layer.")
def command(file: str, page: int, output: str | None, resolution: int, force_ocr: bool) -> None:
    """Draw the detected table grid and the cells read onto one page of a PDF or image.

    \b
    A page with a text layer: pdfplumber's edges (red lines), intersections (blue circles) and
    cells (shaded), in red at each cell's corner the text the reader took from it, and at its foot
    the cell of the form it became (column · row code and value; green ok, orange recovered, blue
    blank or marker, magenta unreadable).
    A scanned page or an image file (or --ocr): the straightened page, the grid found on the image
    (cells green, merged cells blue) and each cell's OCR reading with its confidence (dark red when
    sure, orange below the threshold). A short summary of the tables found is printed.

    \b
    Examples:
      gongkai debug report.pdf --page 3 -o grid.png
      gongkai debug scan.jpg -o grid.png
    """
    from extractors.debug import render_debug
    from extractors.ocr import ocr_pages
    from extractors.pdf import ExtractionFailure

    why = not_drawable(Path(file))
    if why:
        raise click.ClickException(why)
    out = Path(output) if output else Path(file).with_suffix(f".p{page}.grid.png")
    try:
        if force_ocr or page in ocr_pages(file):
            from extractors.ocr.debug import render_ocr_debug

            summary = render_ocr_debug(file, page, out)
        else:
            summary = render_debug(file, page, out, resolution=resolution)
    except ExtractionFailure as e:
        raise click.ClickException(f"{e.code}: {e.message}") from e
    except ValueError as e:
        raise click.ClickException(str(e)) from e
    click.echo(summary.text())
