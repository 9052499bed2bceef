"""The progress display: a live line on a terminal, plain periodic lines elsewhere — decided by a clock the
tests drive, never by wall time — and the commands that use it, under a real pseudo-terminal and not."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai.progress import Progress, duration


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_plain_lines_come_every_period_not_every_item():
    clock, lines = Clock(), []
    with Progress("load", total=10, unit="documents", tty=False, say=lines.append, every=5, clock=clock) as p:
        for i in range(10):
            clock.t += 1.0
            p.update(advance=1, note=f"doc{i}.pdf")
    assert lines == [
        "load: 5/10 documents (50%) · 1.0/s · ETA 5s · doc4.pdf",
        "load: 10/10 documents (100%) · 1.0/s · ETA 0s · doc9.pdf",
        "load: 10/10 documents (100%) · in 10s · 1.0/s",
    ]


def test_a_log_line_is_its_own_line_and_the_total_may_come_late():
    clock, lines = Clock(), []
    p = Progress("fetch", unit="reports", tty=False, say=lines.append, every=60, clock=clock)
    clock.t += 30
    p.update(3, note="fetched a.pdf")
    p.log("failed  http://x/b.pdf (http_client_error: 404)")
    p.update(total=4, advance=1)
    p.close()
    p.close()  # once
    assert lines == ["failed  http://x/b.pdf (http_client_error: 404)", "fetch: 4/4 reports (100%) · in 30s · 8.0/min"]


def test_on_a_terminal_one_line_is_redrawn_with_bar_rate_and_eta():
    clock, screen = Clock(), io.StringIO()
    with Progress("load", total=4, unit="documents", tty=True, stream=screen, clock=clock) as p:
        for _ in range(2):
            clock.t += 2
            p.update(advance=1, note="通贵乡")
        p.log("a failure")
    out = screen.getvalue()
    assert "\n" not in out.split("a failure")[0]  # redrawn in place until the log line
    assert "\rload [##########----------] 2/4 documents (50%) · 30.0/min · ETA 4s · 通贵乡" in out
    assert "a failure\n" in out
    assert out.endswith("\n") and "· in 4s ·" in out.split("\r")[-1]
    assert out.count("\n") == 2  # the log line, and the bar's last state


def test_a_failure_before_any_progress_leaves_only_its_error():
    lines = []
    with pytest.raises(RuntimeError), Progress("load", 5, tty=False, say=lines.append, every=0):
        raise RuntimeError("no warehouse")
    assert lines == []


def test_steps_without_rate_or_total():
    clock, lines = Clock(), []
    with Progress("check", unit="steps done", rate=False, tty=False, say=lines.append, every=0, clock=clock) as p:
        clock.t += 75
        p.update(1, note="completeness")
    assert lines == ["check: 1 steps done · 1m15s · completeness", "check: 1 steps done · in 1m15s"]


def test_durations():
    assert [duration(s) for s in (0, 59.4, 61, 3599, 3725)] == ["0s", "59s", "1m01s", "59m59s", "1h02m"]


GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def _in_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run a command with a real pseudo-terminal as its stdout and stderr."""
    main, child = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    return proc.wait(timeout=300), out.decode("utf-8", "replace")


@pytest.fixture
def load_env(fresh_db_url):
    return {**os.environ, "WAREHOUSE_URL": fresh_db_url, "GONGKAI_PROGRESS_EVERY": "0"}


def test_load_draws_a_bar_on_a_terminal(load_env, seeds_dir):
    rc, out = _in_a_terminal([GONGKAI, "load", str(seeds_dir)], load_env)
    assert rc == 0, out
    assert "\rload [" in out and "] 5/5 documents (100%)" in out and "ETA" in out
    assert "loaded: 5 documents: 5 loaded" in out


def test_load_prints_plain_lines_in_a_log(load_env, seeds_dir):
    done = subprocess.run([GONGKAI, "load", str(seeds_dir)], env=load_env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("load: ")]
    assert lines[-1].startswith("load: 5/5 documents (100%) · in ")
    assert len(lines) >= 5  # every period (0 here): each document
