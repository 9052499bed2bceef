"""`gongkai sql`: psql on the warehouse — the psql that ships with the embedded Postgres."""

from __future__ import annotations

import click


@click.command(name="sql", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--url", envvar="WAREHOUSE_URL", default=None, show_envvar=True,
              help="Postgres URL (default: the embedded server under ./data/pg, started if needed).")
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
def command(url: str | None, psql_args: tuple[str, ...]) -> None:
    """Open psql on the warehouse. It is the psql bundled with the embedded Postgres (pgserver's
    Postgres 16 binaries): nothing to install. Arguments after the options go to psql as they are.

    The password (if the URL has one) reaches psql through PGPASSWORD, never its command line.
    GONGKAI_PSQL names another psql to run instead (the bundled one has no line editing and no TLS:
    use your system's psql for a server that requires sslmode=require).

    \b
    Examples:
      gongkai sql                                              # interactive
      gongkai sql -c 'select * from marts.rpt_report_overview'
      gongkai sql -f my_query.sql --csv > out.csv
    """
    import os

    from gongkai.warehouse import db

    url = url or db.warehouse_url()
    with db.connect(url, connect_timeout=10):  # a server that cannot be reached: one line, exit 69
        pass
    argv, env = db.psql_command(url, psql_args)
    try:
        os.execve(argv[0], argv, env)
    except OSError as e:
        raise click.ClickException(f"cannot run {argv[0]}: {e.strerror}") from None
