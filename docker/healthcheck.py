"""Cheap container healthchecks for docker-compose.yml (a fraction of a second, no Airflow import).

    python docker/healthcheck.py job DagProcessorJob [--threshold 60]
    python docker/healthcheck.py celery [--timeout 10]

`job`: this container's Airflow job of that type is running and heartbeated within `threshold` seconds:
the test of `airflow jobs check --job-type … --hostname …` (Airflow's ``Job.is_alive``) as one query on
the metadata DB ($AIRFLOW__DATABASE__SQL_ALCHEMY_CONN), where the CLI spends ~8 s of CPU importing
Airflow first. `celery`: the Celery worker of this container (``celery@<hostname>``) answers a ping on
the broker ($AIRFLOW__CELERY__BROKER_URL), as `celery inspect ping` does, without Airflow's Celery app.

Exit 0 healthy, 1 not, with one plain line on stdout either way.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys

JOB_ALIVE = """
select count(*) from job
where job_type = %s and hostname = %s and state = 'running'
  and latest_heartbeat > now() - make_interval(secs => %s)
"""


def libpq_url(sqlalchemy_url: str) -> str:
    """``postgresql+psycopg2://…`` (SQLAlchemy) → ``postgresql://…`` (libpq)."""
    return re.sub(r"^postgres(?:ql)?\+[a-z0-9_]+://", "postgresql://", sqlalchemy_url)


def job_alive(job_type: str, hostname: str, threshold_s: float, url: str) -> bool:
    import psycopg

    with psycopg.connect(libpq_url(url), connect_timeout=5) as conn:
        # `latest_heartbeat` is a timestamptz on Postgres (Airflow's UtcDateTime)
        (n,) = conn.execute(JOB_ALIVE, (job_type, hostname, threshold_s)).fetchone()
    return n > 0


def celery_alive(broker_url: str, hostname: str, timeout_s: float) -> bool:
    from celery import Celery

    app = Celery(broker=broker_url)
    replies = app.control.ping(destination=[f"celery@{hostname}"], timeout=timeout_s)
    return any(f"celery@{hostname}" in r for r in replies or [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    j = sub.add_parser("job", help="an Airflow job of this container is alive")
    j.add_argument("job_type", help="SchedulerJob, TriggererJob, DagProcessorJob")
    j.add_argument("--threshold", type=float, default=60.0, help="seconds since its last heartbeat (default 60)")
    c = sub.add_parser("celery", help="this container's Celery worker answers a ping")
    c.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--hostname", default=None, help="default: this host's FQDN, as Airflow records it")
    args = ap.parse_args(argv)
    host = args.hostname or socket.getfqdn()
    try:
        if args.what == "job":
            ok = job_alive(args.job_type, host, args.threshold, os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
            what, why = f"{args.job_type} on {host}", f"no running job heartbeated in {args.threshold:g} s"
        else:
            ok = celery_alive(os.environ["AIRFLOW__CELERY__BROKER_URL"], host, args.timeout)
            what, why = f"celery@{host}", f"no reply to a ping in {args.timeout:g} s"
    except KeyError as e:
        print(f"unhealthy: {e.args[0]} is not set")
        return 1
    except Exception as e:  # a healthcheck says why in one line, never a traceback
        print(f"unhealthy: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
        return 1
    print(f"healthy: {what}" if ok else f"unhealthy: {what}: {why}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
