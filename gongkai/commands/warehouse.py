"""`gongkai warehouse url|stop`: where the warehouse is, and stopping the embedded Postgres."""

from __future__ import annotations

import click


@click.group(name="warehouse")
def command() -> None:
    """The warehouse connection: print its URL, or stop the embedded Postgres.

    \b
    Examples:
      psql "$(gongkai warehouse url)" -c 'select * from marts.rpt_report_overview'
      gongkai warehouse stop      # the embedded server keeps running between commands until stopped
    """


@command.command()
def url() -> None:
    """Print the warehouse URL (WAREHOUSE_URL, or the embedded server's, started if needed)."""
    from gongkai.warehouse import db

    click.echo(db.warehouse_url())


@command.command()
def stop() -> None:
    """Stop the embedded Postgres (data stays in $GONGKAI_DATA_DIR/pg). No-op with WAREHOUSE_URL."""
    from gongkai.warehouse import db

    if not db.is_embedded():
        click.echo("WAREHOUSE_URL is set: that server is not managed by gongkai", err=True)
        return
    click.echo("stopped" if db.stop_embedded() else "not running")
