"""`gongkai bi`: Apache Superset on the warehouse, with the project's dashboards."""

from __future__ import annotations

import click


@click.command(name="bi")
@click.option("--port", default=None,
              help="Loopback port for Superset (default 8088, or GONGKAI_BI_PORT; 0 = any free port).")
@click.option("--setup-only", is_flag=True,
              help="Install Superset, prepare it and import the dashboards, then exit without serving.")
@click.option("--install-only", is_flag=True, help="Only install the BI environment (.venv-bi), then exit.")
def command(port: str | None, setup_only: bool, install_only: bool) -> None:
    """Start Apache Superset on the warehouse, logged in through the read-only role gongkai_bi, with the
    dashboards of gongkai/bi/dashboards/ imported.

    The first run installs Superset into its own environment (.venv-bi, a few minutes) and generates an
    admin password and secret key in $GONGKAI_DATA_DIR/bi/secrets.json. Runs until Ctrl-C.

    \b
    Examples:
      make demo && gongkai bi          # sample data, then http://127.0.0.1:8088
      gongkai bi --port 0              # any free port
    """
    from gongkai import ports
    from gongkai.bi import environment
    from gongkai.bi import server as bi

    where = bi.home()
    try:
        if install_only:
            bin_dir = environment.ensure(echo=lambda m: click.echo(m, err=True))
            click.echo(f"BI environment ready: {bin_dir.parent}")
            return
        # the warehouse first: no point installing Superset when there is nothing to show yet
        keys = bi.load_secrets(where)
        click.echo("connecting the warehouse as the read-only login …", err=True)
        wh = bi.warehouse(keys["warehouse_password"])
        zipped, dashboards = bi.build_bundle(wh)
        bin_dir = environment.ensure(echo=lambda m: click.echo(m, err=True))
        click.echo("preparing Superset and importing the dashboards …", err=True)
        bi.prepare(bin_dir, where, keys["admin_password"])
        bi.import_dashboards(bin_dir, where, zipped)
        chosen = None if setup_only else bi.choose_port(port)
    except (bi.BIError, environment.InstallError, ports.PortTaken) as e:
        raise click.ClickException(str(e)) from None
    summary = [
        "gongkai bi — Apache Superset on the warehouse",
        f"  warehouse:   {wh.display} (member of {bi.BI_ROLE}: reads the marts only)",
        f"  dashboards:  {', '.join(d.slug for d in dashboards)}",
        f"  login:       {bi.ADMIN}, password in {where / 'secrets.json'} (admin_password)",
        f"  log:         {where / 'superset.log'}",
    ]
    if setup_only:
        click.echo("\n".join(summary))
        return
    proc = bi.serve(bin_dir, where, chosen)
    try:
        ports.run_until_stopped(
            proc, "Superset", ready=lambda: bi.wait_healthy(proc, chosen), say=lambda m: click.echo(m, err=True),
            announce=lambda: click.echo("\n".join([
                *summary, f"  open:        http://{ports.LOOPBACK}:{chosen}/dashboard/list/", "Ctrl-C stops it."])))
    except bi.BIError as e:
        raise click.ClickException(str(e)) from None
