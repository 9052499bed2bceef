"""`gongkai airflow ui`: Airflow's web UI on the demo's local Airflow."""

from __future__ import annotations

import click


@click.group(name="airflow")
def command() -> None:
    """The local Airflow of the demo (AIRFLOW_HOME under $GONGKAI_DATA_DIR/airflow, SQLite metadata DB).

    \b
    Examples:
      make demo && gongkai airflow ui     # then http://127.0.0.1:8080, the demo's runs and task logs
    """


@command.command()
@click.option("--port", default=None,
              help="Loopback port (default 8080, or GONGKAI_AIRFLOW_PORT; 0 = any free port).")
def ui(port: str | None) -> None:
    """Start Airflow's web UI (its api-server) on 127.0.0.1 with the project's Airflow environment — the
    demo's metadata DB, so the runs of `gongkai demo` are there with their task logs — and print where
    it is and the login. Runs until Ctrl-C.

    It shows runs and logs; it runs nothing itself (no scheduler): `gongkai demo` runs the DAGs.
    """
    from gongkai import ports
    from gongkai.demo import airflow_ui

    try:
        chosen = airflow_ui.choose_port(port)
    except ports.PortTaken as e:
        raise click.ClickException(str(e)) from None
    click.echo("starting the Airflow api-server …", err=True)
    proc, log = airflow_ui.start(chosen)
    home = log.parent
    summary = [
        "gongkai airflow ui — Airflow's web UI on the demo's Airflow",
        f"  open:      http://{ports.LOOPBACK}:{chosen}/",
        f"  login:     {airflow_ui.USER}, password in {airflow_ui.passwords_file(home)}",
        f"  runs:      those of `gongkai demo` (metadata DB {home / 'airflow.db'})",
        f"  log:       {log}",
        "Ctrl-C stops it.",
    ]
    try:
        ports.run_until_stopped(proc, "the Airflow api-server", ready=lambda: airflow_ui.wait_ready(proc, chosen),
                                announce=lambda: click.echo("\n".join(summary)),
                                say=lambda m: click.echo(m, err=True))
    except ports.NotReady as e:
        raise click.ClickException(str(e)) from None
