"""The cluster helpers (gongkai.demo.cluster) that need no cluster: URLs, the broker check, killing a
process tree. Real processes and sockets."""

from __future__ import annotations

import subprocess
import sys

import psutil

from gongkai import ports
from gongkai.demo import cluster as cl


def test_sqlalchemy_urls_from_libpq_urls():
    assert cl.sqlalchemy_url("postgresql://me:p%40ss@127.0.0.1:5433/af") == \
        "postgresql+psycopg2://me:p%40ss@127.0.0.1:5433/af"
    # the embedded server's Unix socket
    assert cl.sqlalchemy_url("postgresql://postgres:@/af?host=/tmp/pg sock&port=5999", "postgresql") == \
        "postgresql://postgres@/af?host=/tmp/pg sock&port=5999"


def test_an_unreachable_broker_is_one_line_naming_it():
    url = f"redis://127.0.0.1:{ports.any_free()}/0"  # nothing listens there
    problem = cl.redis_problem(url)
    assert problem and url in problem and "\n" not in problem


def test_kill_tree_kills_a_worker_and_everything_under_it():
    code = ("import subprocess, sys, time; "
            "kids = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']) for _ in range(2)]; "
            "print(' '.join(str(k.pid) for k in kids), flush=True); time.sleep(600)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True)
    kids = [int(p) for p in proc.stdout.readline().split()]
    killed = cl.kill_tree(proc.pid)
    proc.wait(timeout=30)  # kill_tree reaped it already (its exit status went there)
    assert set(killed) == {proc.pid, *kids}
    assert not [k for k in [proc.pid, *kids] if psutil.pid_exists(k) and psutil.Process(k).status() != psutil.STATUS_ZOMBIE]
