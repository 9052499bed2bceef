"""`gongkai warehouse url|stop`: where the warehouse is, and stopping the embedded Postgres."""

from __future__ import annotations

from urllib.parse import urlparse

import click


@click.group(name="warehouse")
def command() -> None:
    """The warehouse connection: print its URL, or stop the embedded Postgres.

    \b
    Examples:
      gongkai sql -c 'select * from marts.rpt_report_overview'   # the bundled psql on it
      gongkai warehouse url --jdbc   # for DBeaver, DataGrip, any JDBC tool
      gongkai warehouse stop         # the embedded server keeps running between commands until stopped
    """


def jdbc_url(url: str) -> str:
    """The JDBC form of a postgresql:// URL (user and password as parameters, as the driver wants)."""
    u = urlparse(url)
    params = [p for p in (f"user={u.username}" if u.username else "",
                          f"password={u.password}" if u.password else "") if p]
    return f"jdbc:postgresql://{u.hostname}:{u.port or 5432}{u.path}" + ("?" + "&".join(params) if params else "")


@command.command()
@click.option("--jdbc", is_flag=True, help="Print the JDBC form (jdbc:postgresql://…).")
@click.option("--socket", "unix_socket", is_flag=True,
              help="Print the embedded server's Unix-socket URL (what gongkai itself uses).")
def url(jdbc: bool, unix_socket: bool) -> None:
    """Print the warehouse URL: WAREHOUSE_URL, or the embedded server's loopback TCP address (started if
    needed), which psql, SQLAlchemy, DBeaver and JDBC drivers all accept."""
    from gongkai.warehouse import db

    if not db.is_embedded():
        out = db.warehouse_url()
    else:
        try:
            out = db.embedded_url(tcp=not unix_socket)
        except db.PortTaken as e:
            raise click.ClickException(str(e)) from None
        if out is None:  # started by an older gongkai, socket only
            click.echo("the embedded Postgres was started without TCP: `gongkai warehouse stop`, then run "
                       "this again (printing its socket URL meanwhile)", err=True)
            out = db.embedded_url()
    if jdbc:
        if urlparse(out).hostname is None:
            raise click.ClickException("JDBC cannot use a Unix socket: run without --socket")
        out = jdbc_url(out)
    click.echo(out)


@command.command()
def stop() -> None:
    """Stop the embedded Postgres (data stays in $GONGKAI_DATA_DIR/pg). No-op with WAREHOUSE_URL."""
    from gongkai.warehouse import db

    if not db.is_embedded():
        click.echo("WAREHOUSE_URL is set: that server is not managed by gongkai", err=True)
        return
    click.echo("stopped" if db.stop_embedded() else "not running")
