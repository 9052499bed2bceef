"""`gongkai fetch`: registry → discovery → fetch into the landing store."""

from __future__ import annotations

import json
import sys

import click


@click.command(name="fetch")
@click.option("--registry", "registry_path", type=click.Path(dir_okay=False), default=None,
              help="Registry file (default: registry/publishers.yaml).")
@click.option("--base-url", default=None, envvar="GONGKAI_SAMPLES_URL", show_envvar=True,
              help="Replaces {base_url} in the registry's URLs (the demo registry).")
@click.option("--year", "years", type=int, multiple=True,
              help="Report year (repeatable; default: last year).")
@click.option("--publisher", "publishers", multiple=True,
              help="Only this publisher (full name or without 人民政府; repeatable; default: all).")
@click.option("--landing", default=None, envvar="GONGKAI_LANDING_URL", show_envvar=True,
              help="Landing store: a folder or any fsspec URL such as s3://bucket/landing (default: data/landing).")
@click.option("--db/--no-db", "use_db", default=False,
              help="Also record every fetch in the warehouse's ops.fetch_log (migrates first).")
@click.option("--workers", type=int, default=8, show_default=True, help="Concurrent fetches in all.")
@click.option("--per-host", "per_host_limit", type=int, default=2, show_default=True,
              help="Concurrent requests per host.")
@click.option("--delay", "per_host_delay", type=float, default=0.5, show_default=True,
              help="Seconds between two requests to the same host.")
@click.option("--timeout", "read_timeout", type=float, default=30.0, show_default=True, help="Read timeout (s).")
@click.option("--retries", type=int, default=3, show_default=True, help="Retries on 5xx/429/timeouts.")
@click.option("--max-mb", type=float, default=100.0, show_default=True, help="Maximum body size (MB).")
@click.option("--dry-run", is_flag=True, help="Only discover: print the targets, fetch no report.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per fetch (JSON Lines).")
@click.option("--fail-on-error", is_flag=True, help="Exit with status 1 when any fetch failed.")
def command(registry_path, base_url, years, publishers, landing, use_db, workers, per_host_limit,
            per_host_delay, read_timeout, retries, max_mb, dry_run, as_json, fail_on_error) -> None:
    """Fetch the registered publishers' reports for the given years into the landing store.

    Politely (per-host limit and delay), with retries on 5xx/timeouts (never on 404), conditional GET
    (a re-run fetches nothing new) and a size limit. Every fetch, failed ones included, is logged in
    the landing store (_fetch_log/…jsonl) and, with --db, in ops.fetch_log.

    Exits 1 when nothing could be fetched (every download failed), or with --fail-on-error when any
    did; 69 when the warehouse (--db) cannot be reached.

    \b
    Examples:
      gongkai fetch --year 2023
      gongkai fetch --year 2020 --publisher 灵武市东塔镇 --landing /srv/landing
      gongkai fetch --registry registry/demo.yaml --base-url http://127.0.0.1:8765 --year 2020 --dry-run
    """
    from gongkai.fetch import RegistryError
    from gongkai.fetch.netguard import redact
    from gongkai.pipeline.ingest import UnknownPublishers, fetch_reports
    from gongkai.progress import Progress

    bar = Progress("fetch", unit="reports")

    def progress(done: int, total: int, r) -> None:
        if r.error_code:  # a failure is a line of its own; the rest is the bar
            bar.log(f"failed  {r.url} ({r.error_code}: {r.error})")
        bar.update(done, total=total, note=f"{r.status} {r.url.rsplit('/', 1)[-1]}")

    try:
        run = fetch_reports(years, publishers=publishers, registry_path=registry_path, base_url=base_url,
                            landing_url=landing, record_in_db=use_db, dry_run=dry_run,
                            say=lambda m: click.echo(m, err=True), progress=progress,
                            workers=workers, per_host_limit=per_host_limit, per_host_delay=per_host_delay,
                            read_timeout=read_timeout, max_attempts=retries + 1,
                            max_bytes=int(max_mb * 1024 * 1024))
    except (RegistryError, FileNotFoundError, UnknownPublishers) as e:
        raise click.ClickException(str(e)) from None
    if run.results:
        bar.close()
    if dry_run:
        for t in run.targets:
            click.echo(f"{t.year}\t{t.publisher}\t{redact(t.url)}")
        return
    if as_json:
        for r in run.results:
            click.echo(json.dumps(r.to_log(), ensure_ascii=False, default=str))
    s = run.counts()
    click.echo(f"fetched {s['fetched']}, unchanged {s['unchanged']}, failed {s['failed']} "
               f"(landing store: {run.landing_url}; run {run.run_id})", err=as_json)
    if run.results and not s["fetched"] and not s["unchanged"]:
        click.echo(f"Error: nothing could be fetched: all {s['failed']} downloads failed", err=True)
        sys.exit(1)
    if fail_on_error and s["failed"]:
        sys.exit(1)
