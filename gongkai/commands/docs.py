"""`gongkai docs`: the dbt documentation of the warehouse as one HTML file that opens from disk."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="docs")
@click.option("--url", envvar="WAREHOUSE_URL", default=None, show_envvar=True,
              help="Postgres URL (default: the embedded server under ./data/pg).")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write into (default: $GONGKAI_DATA_DIR/dbt_docs).")
def command(url: str | None, output: Path | None) -> None:
    """Generate the dbt docs (every model, column and test, the lineage graph, the warehouse's catalog)
    as one self-contained file, static_index.html: open it in any browser, from disk, offline, or
    send it to someone. (dbt's index.html beside it needs a web server: it loads its data over HTTP.)

    \b
    Example:
      gongkai docs && xdg-open data/dbt_docs/static_index.html
    """
    from gongkai.warehouse.dbt import docs_site

    page = docs_site(url, output)
    if page is None:
        raise click.ClickException("dbt docs generate failed (see its output above)")
    click.echo(str(page))
