"""`gongkai migrate`: create or upgrade the warehouse schema."""

from __future__ import annotations

import click


@click.command(name="migrate")
@click.option("--url", envvar="WAREHOUSE_URL", default=None, show_envvar=True,
              help="Postgres URL (default: the embedded server under ./data/pg).")
@click.option("--list", "list_only", is_flag=True, help="List the migrations and whether each is applied.")
def command(url: str | None, list_only: bool) -> None:
    """Apply the pending versioned migrations (gongkai/warehouse/migrations/NNNN_*.sql), in order.

    \b
    Examples:
      gongkai migrate
      WAREHOUSE_URL=postgresql://me@db/gongkai gongkai migrate --list
    """
    from gongkai.pipeline.warehouse import migrate_step, migration_status

    if list_only:
        for name, applied_at in migration_status(url):
            click.echo(f"{'applied ' + str(applied_at)[:19] if applied_at else 'pending':<28} {name}")
        return
    applied = migrate_step(url)
    if applied:
        for name in applied:
            click.echo(f"applied {name}")
    else:
        click.echo("schema up to date")
