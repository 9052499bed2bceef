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
    from gongkai.warehouse import db, migrate

    with db.connect(url) as conn:
        if list_only:
            conn.execute("""create table if not exists public.schema_migrations (
                version text primary key, name text not null, checksum text not null,
                applied_at timestamptz not null default now())""")
            done = {r[0]: r[1] for r in conn.execute("select version, applied_at from public.schema_migrations")}
            for path in migrate.available():
                version = path.stem.split("_", 1)[0]
                click.echo(f"{'applied ' + str(done[version])[:19] if version in done else 'pending':<28} "
                           f"{path.name}")
            return
        applied = migrate.migrate(conn)
        conn.commit()
    if applied:
        for name in applied:
            click.echo(f"applied {name}")
    else:
        click.echo("schema up to date")
