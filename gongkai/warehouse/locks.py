"""Loads and transforms never interleave.

A transform (dbt) that reads the raw layer while a load commits builds the dimensions before the load
and the facts after it: facts then point at units the dimensions do not have. So:

* every loader batch takes the advisory lock ``WAREHOUSE_LOCK_KEY`` **shared**, inside its transaction
  (loaders do not block each other through it), and checks that no transform lease is held;
* a transform in one process (``gongkai transform``) holds the same lock **exclusive** for the whole
  ``dbt build`` (:func:`transform_lock`): it waits for the batches in flight, and new batches wait for it;
* a transform spread over several processes (the ``t_warehouse`` DAG: one task per dbt model) cannot
  hold a session lock across tasks, so it takes a **lease** (:func:`acquire_lease`, a row in
  ``ops.warehouse_lease``, granted under the exclusive lock so no batch is in flight) and releases it
  when the dbt task group is done (:func:`release_lease`). Loaders wait while a lease is held; a lease
  left behind by a crashed transform expires (``ttl_s``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

import psycopg

log = logging.getLogger(__name__)

WAREHOUSE_LOCK_KEY = 72010003
LEASE_NAME = "transform"
DEFAULT_LEASE_TTL_S = 4 * 3600


class TransformRunning(Exception):
    """A transform holds the lease: the loader's batch must wait (its transaction is rolled back)."""

    def __init__(self, holder: str, expires_at):
        super().__init__(f"a transform ({holder}) reads the raw layer until it is done (at the latest {expires_at})")
        self.holder, self.expires_at = holder, expires_at


def hold_for_load(cur: psycopg.Cursor) -> None:
    """Inside a loader batch's transaction: take the lock shared; raise :class:`TransformRunning` when
    a transform lease is held (the caller rolls back, waits and tries again)."""
    cur.execute("select pg_advisory_xact_lock_shared(%s)", (WAREHOUSE_LOCK_KEY,))
    row = cur.execute("select holder, expires_at from ops.warehouse_lease where name = %s and expires_at > now()",
                      (LEASE_NAME,)).fetchone()
    if row is not None:
        raise TransformRunning(*row)


def wait_for_transform(e: TransformRunning, waited_s: float, poll_s: float = 2.0) -> None:
    """Sleep before a loader tries its batch again (logged every minute)."""
    if int(waited_s) % 60 < poll_s:
        log.warning("load waiting: %s (waited %.0f s)", e, waited_s)
    time.sleep(poll_s)


@contextlib.contextmanager
def transform_lock(url: str | None = None) -> Iterator[None]:
    """Hold the lock exclusive for the duration of a transform run in this process (session-level:
    released when the block ends or the connection drops)."""
    from gongkai.warehouse import db

    with db.connect(url) as conn:
        conn.autocommit = True
        t0 = time.monotonic()
        if not conn.execute("select pg_try_advisory_lock(%s)", (WAREHOUSE_LOCK_KEY,)).fetchone()[0]:
            log.warning("transform waiting for the loads in flight to commit …")
            conn.execute("select pg_advisory_lock(%s)", (WAREHOUSE_LOCK_KEY,))
            log.warning("transform got the warehouse lock after %.0f s", time.monotonic() - t0)
        try:
            yield
        finally:
            with contextlib.suppress(psycopg.Error):
                conn.execute("select pg_advisory_unlock(%s)", (WAREHOUSE_LOCK_KEY,))


def acquire_lease(holder: str, *, ttl_s: float = DEFAULT_LEASE_TTL_S, url: str | None = None) -> dict:
    """Take the transform lease for ``holder`` (e.g. a DAG run id): waits for the loader batches in
    flight (exclusive lock), then records the lease, which makes new batches wait."""
    from gongkai.warehouse import db

    with db.connect(url) as conn, conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (WAREHOUSE_LOCK_KEY,))
        row = conn.execute("""
            insert into ops.warehouse_lease (name, holder, expires_at)
            values (%s, %s, now() + make_interval(secs => %s))
            on conflict (name) do update set holder = excluded.holder, acquired_at = now(),
                                             expires_at = excluded.expires_at
            returning holder, acquired_at, expires_at""", (LEASE_NAME, holder, float(ttl_s))).fetchone()
    return {"holder": row[0], "acquired_at": row[1].isoformat(), "expires_at": row[2].isoformat()}


def release_lease(holder: str, *, url: str | None = None) -> bool:
    """Release the lease if ``holder`` still holds it; True when it did."""
    from gongkai.warehouse import db

    with db.connect(url) as conn, conn.transaction():
        n = conn.execute("delete from ops.warehouse_lease where name = %s and holder = %s",
                         (LEASE_NAME, holder)).rowcount
    return bool(n)
