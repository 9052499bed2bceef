"""`gongkai check`: run the data-quality suites against the warehouse marts."""

from __future__ import annotations

import sys

import click


@click.command(name="check")
@click.option("--year", "-y", "years", type=int, multiple=True,
              help="Check only these report years (repeatable). Default: every year.")
@click.option("--email", is_flag=True,
              help="Also send the digest to GONGKAI_ALERT_TO (comma-separated) via the Airflow "
                   "connection smtp_default (AIRFLOW_CONN_SMTP_DEFAULT).")
@click.option("--include-success", is_flag=True, help="With --email: send a digest even when nothing fails.")
@click.option("--show-pass", is_flag=True, help="List passing rules too (default: FAIL and UNCERTAIN only).")
@click.option("--docs-dir", type=click.Path(file_okay=False), default=None,
              help="Where to build the GX Data Docs (default: $GONGKAI_DATA_DIR/gx_docs).")
@click.option("--no-docs", is_flag=True, help="Do not build the GX Data Docs.")
def command(years: tuple[int, ...], email: bool, include_success: bool, show_pass: bool,
            docs_dir: str | None, no_docs: bool) -> None:
    """Run the balancing rules (R1–R7) and the completeness, validity and uniqueness checks on the
    warehouse marts; record the results in dq.rule_results; print them per report.

    A rule FAILs only when every cell it needs is present; blank or missing cells make it UNCERTAIN.
    Exits 1 when a critical rule fails, 3 when the alert e-mail cannot be sent (2: usage error).

    \b
    Examples:
      gongkai check                      # every year
      gongkai check --year 2020 --email  # and mail the digest to $GONGKAI_ALERT_TO
    """
    import psycopg

    from gongkai.pipeline.warehouse import check
    from gongkai.progress import Progress
    from gongkai.quality.recipients import alert_recipients
    from gongkai.quality.render import results_table

    to = alert_recipients(default=None) if email else []
    if email and not to:
        raise click.UsageError("--email needs GONGKAI_ALERT_TO (comma-separated addresses)")

    bar = Progress("check", unit="steps done", rate=False)
    steps: list[str] = []

    def progress(msg: str) -> None:  # the runner names each step as it starts it
        steps.append(msg)
        bar.update(len(steps) - 1, note=msg)

    try:
        with bar:
            out = check(years, docs_dir=docs_dir, build_docs=not no_docs, progress=progress, email_to=to,
                        include_success=include_success, detail="all" if show_pass else "problems")
            bar.update(len(steps), note="")
    except psycopg.errors.UndefinedTable as e:
        raise click.ClickException(f"the marts are missing ({e.diag.message_primary}): "
                                   "run `gongkai transform` first") from e
    run = out.run
    click.echo(results_table(run, show_pass=show_pass))
    if run.docs_path:
        click.echo(f"GX Data Docs: {run.docs_path}", err=True)
    if email:
        if out.digest is None:
            click.echo("no critical failure: no e-mail sent", err=True)
        elif out.delivery_error:
            click.echo(f"Error: {out.delivery_error}", err=True)
            sys.exit(3)
        else:
            click.echo(f"digest sent to {', '.join(out.sent_to)}: {out.digest.subject}", err=True)
    if run.critical_failures:
        sys.exit(1)
