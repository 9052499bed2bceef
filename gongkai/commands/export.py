"""`gongkai export`: a mart as CSV (opens in Excel) or Parquet."""

from __future__ import annotations

import click

PROGRESS_FROM_ROWS = 20_000  # a progress line for marts larger than this


class _UsageError(click.ClickException):
    exit_code = 2  # a mart or filter that does not exist: a usage error, one line


@click.command(name="export")
@click.argument("mart", required=False)
@click.option("--format", "-f", "fmt", type=click.Choice(["csv", "parquet"]), default=None,
              help="csv (UTF-8 with a byte-order mark: Excel opens it as is) or parquet (typed columns). "
                   "Default: the suffix of --out, else csv.")
@click.option("--out", "-o", default=None,
              help="The file to write (default: <mart>.<format> here); - writes CSV to stdout.")
@click.option("--where", "-w", default=None,
              help="Only the rows matching this SQL condition on the mart's columns, e.g. \"report_year = 2020\".")
@click.option("--list", "list_marts", is_flag=True, help="List the marts that can be exported.")
@click.option("--url", envvar="WAREHOUSE_URL", default=None, show_envvar=True,
              help="Postgres URL (default: the embedded server under ./data/pg).")
def command(mart: str | None, fmt: str | None, out: str | None, where: str | None, list_marts: bool,
            url: str | None) -> None:
    """Write a mart (a table of schema marts) to a CSV or Parquet file.

    CSV is UTF-8 with a byte-order mark, so Excel shows the Chinese as is; an empty cell is null (not
    read, never 0). Parquet keeps the column types (integers, exact decimals, dates) and the column
    docs. Progress on stderr for large marts.

    \b
    Examples:
      gongkai export --list
      gongkai export rpt_report_overview                      # → rpt_report_overview.csv
      gongkai export fct_applications -o apps.parquet         # Parquet, from the suffix
      gongkai export rpt_rule_results --where "status = 'FAIL'" -o -
      gongkai export dim_government_unit -f parquet --where "province = '山东省'"
    """
    from gongkai.pipeline.export import ExportError, UnknownMart, available_marts, export_mart
    from gongkai.progress import Progress

    if list_marts or not mart:
        from gongkai.warehouse.db import connect

        with connect(url) as conn:
            marts = available_marts(conn)
        if not mart and not list_marts:
            raise _UsageError("name a mart to export; available: " + (", ".join(marts) or "none"))
        click.echo("\n".join(marts))
        return
    bar: Progress | None = None

    def progress(done: int, total: int | None) -> None:
        nonlocal bar
        if bar is None and (total or 0) > PROGRESS_FROM_ROWS:
            bar = Progress(f"export {mart}", total, unit="rows")
        if bar is not None:
            bar.update(done)

    try:
        result = export_mart(mart, out, fmt=fmt, where=where, url=url, progress=progress)
    except UnknownMart as e:
        raise _UsageError(str(e)) from None
    except ExportError as e:
        raise _UsageError(str(e)) from None
    finally:
        if bar is not None:
            bar.close()
    if result.path is not None:
        click.echo(f"{result.rows} rows × {len(result.columns)} columns of marts.{result.mart} → "
                   f"{result.path} ({result.format})")
