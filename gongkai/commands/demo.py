"""`gongkai demo`: the whole pipeline end to end on the bundled sample corpus (what `make demo` runs)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="demo")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where everything goes (default: $GONGKAI_DATA_DIR or ./data).")
@click.option("--rebuild-corpus", is_flag=True, help="Re-render the sample corpus even if it exists.")
@click.option("--verbose", "-v", is_flag=True, help="Echo the Airflow output instead of only logging it.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--executor", type=click.Choice(["dags-test", "celery"]), default="dags-test", show_default=True,
              help="dags-test: `airflow dags test`, in-process. celery: a real cluster on loopback (api-server, "
                   "scheduler, dag-processor, triggerer, Celery workers; needs Redis: GONGKAI_CELERY_BROKER_URL, "
                   "default redis://127.0.0.1:6379/0), left up for the Airflow UI until Ctrl-C.")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Celery workers (with --executor celery).")
@click.option("--no-wait", is_flag=True, help="With --executor celery: stop the cluster when the chain is done.")
def command(data_dir: Path | None, rebuild_corpus: bool, verbose: bool, as_json: bool, executor: str,
            workers: int, no_wait: bool) -> None:
    """Run the whole pipeline on the bundled sample corpus.

    \b
    Builds the sample corpus (the seed reports in every format plus bad files), starts an embedded
    Postgres (unless WAREHOUSE_URL is set), a loopback HTTP server serving the corpus and an SMTP sink
    writing .eml files, then runs both Airflow DAGs with `airflow dags test`:
      el_annual_reports   registry → discover → fetch → plan → extract (text | OCR) → load
      t_warehouse         dbt build → balancing-rule checks → alert e-mail
    and prints what happened: documents fetched, loaded and quarantined, cells, rule results, and
    where the e-mail, the dbt docs and the GX Data Docs are.

    With --executor celery (make cluster-demo) the same chain runs on a real Airflow on loopback: the
    api-server, scheduler, dag-processor, triggerer and Celery workers, the metadata DB in Postgres,
    Redis as the broker; t_warehouse starts on the Asset by itself. The UI's URL and login are
    printed and the cluster stays up until Ctrl-C.
    """
    import json
    from dataclasses import asdict

    from gongkai.demo.run import run_demo
    from gongkai.progress import Progress

    say = (lambda m: None) if as_json else (lambda m: click.echo(m, err=True))
    if executor == "celery":
        _cluster_demo(data_dir, workers, no_wait, say)
        return
    bar = None if as_json or verbose else (lambda dag_id, total: Progress(f"  {dag_id}", total, unit="tasks"))
    summary = run_demo(data_dir=data_dir, rebuild_corpus=rebuild_corpus, progress=say, echo_airflow=verbose,
                       task_progress=bar)
    if as_json:
        click.echo(json.dumps(asdict(summary), ensure_ascii=False, indent=1, default=str))
    else:
        click.echo(summary.render())
    if not summary.ok:
        failed = [k for k, v in summary.dag_runs.items() if not v.get("ok")]
        logs = ", ".join(summary.dag_runs[k]["log"] for k in failed) if failed else "-"
        raise click.ClickException(f"the demo did not complete: {', '.join(failed) or 'no DAG ran'} (logs: {logs})")


def _cluster_demo(data_dir: Path | None, workers: int, no_wait: bool, say) -> None:
    from gongkai.demo import cluster

    def hold(c: cluster.Cluster) -> None:
        import signal
        import sys

        click.echo(f"\nThe cluster is up: Airflow UI {c.url}/  login {cluster.USER}, password in "
                   f"{cluster.passwords_file(c.home)}\nComponent logs: {c.home / 'cluster'}. Ctrl-C stops it.")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while True:
                signal.pause()
        except KeyboardInterrupt:
            pass

    try:
        summary = cluster.run_cluster_demo(data_dir=data_dir, workers=workers, progress=say,
                                           hold=None if no_wait else hold)
    except cluster.ClusterUnavailable as e:
        raise click.ClickException(str(e)) from None
    if not summary.ok:
        raise click.ClickException("the chain did not complete on the cluster: see the Airflow UI and "
                                   "the task logs")
