"""`gongkai transform`: dbt build on the warehouse."""

from __future__ import annotations

import click


@click.command(name="transform")
@click.option("--url", envvar="WAREHOUSE_URL", default=None, show_envvar=True,
              help="Postgres URL (default: the embedded server under ./data/pg).")
@click.option("--select", "-s", "select", multiple=True,
              help="dbt node selection (repeatable), e.g. -s marts or -s +fct_applications.")
@click.option("--docs", is_flag=True, help="Also run `dbt docs generate` (catalog into the target dir).")
@click.option("--full-refresh", is_flag=True,
              help="Rebuild the incremental facts whole (default: only the documents loaded or changed).")
@click.option("--profiles-dir", type=click.Path(file_okay=False), default=None,
              help="Where to write profiles.yml (default: data/dbt).")
@click.option("--target-path", type=click.Path(file_okay=False), default=None,
              help="dbt's target directory (default: dbt_project/target).")
def command(url: str | None, select: tuple[str, ...], docs: bool, full_refresh: bool, profiles_dir: str | None,
            target_path: str | None) -> None:
    """Run `dbt build` (seeds, staging → intermediate → marts, data and unit tests) on the warehouse.

    The schema is migrated first. profiles.yml is written from the warehouse URL; the password is
    passed through the environment, never written to disk.

    \b
    Examples:
      gongkai transform
      gongkai transform -s marts --docs
      gongkai transform --full-refresh     # rebuild the incremental facts whole
    """
    from gongkai.pipeline.warehouse import transform_step
    from gongkai.warehouse.dbt import DBT_PROJECT_DIR

    if not transform_step(url, select, docs=docs, full_refresh=full_refresh, profiles_dir=profiles_dir,
                          target_path=target_path):
        raise click.ClickException("dbt failed (see the output above)")
    click.echo(f"dbt build ok ({DBT_PROJECT_DIR})")
