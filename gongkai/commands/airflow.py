"""`gongkai airflow ui`: Airflow's web UI on the demo's local Airflow; `gongkai airflow pools`: the
extraction pools sized for the cluster."""

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


@command.command()
@click.option("--workers", type=int, default=None, help="Worker machines (default GONGKAI_WORKERS, else 1).")
@click.option("--cores", type=int, default=None,
              help="Cores per worker (default GONGKAI_WORKER_CORES, else this machine's).")
@click.option("--dry-run", is_flag=True, help="Print the pools without creating them.")
def pools(workers: int | None, cores: int | None, dry_run: bool) -> None:
    """Create or resize the extraction pools in the Airflow of this environment (AIRFLOW_HOME,
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN …): gongkai_extract (text documents, workers x cores slots) and
    gongkai_ocr (scans, half of that). GONGKAI_EXTRACT_POOL_SLOTS / GONGKAI_OCR_POOL_SLOTS set them
    outright. Run it when the cluster is set up and again when workers are added.

    \b
    Examples:
      gongkai airflow pools --workers 4 --cores 8     # gongkai_extract 32, gongkai_ocr 16
    """
    from gongkai.demo.airflow_env import airflow_bin
    from gongkai.pipeline import pools as p

    try:
        specs = p.pool_specs(workers, cores)
        if not dry_run:
            p.create_pools(specs, airflow=airflow_bin())
    except (ValueError, RuntimeError) as e:
        raise click.ClickException(str(e)) from None
    for s in specs:
        click.echo(f"{s.name:<16} {s.slots:>4} slots  {s.description}")
