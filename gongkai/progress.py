"""Progress of long work, for a person at a terminal and for a log.

    with Progress("load", total=len(files), unit="documents") as p:
        for f in files:
            ...
            p.update(advance=1, note=f.name)
        p.log("a line that must not be lost (a failure)")

* On a terminal: one live line, redrawn in place — a bar, ``done/total``, the rate and the ETA (when the
  total is known; a count and the rate otherwise). :meth:`Progress.log` prints a line above it.
* Anywhere else (CI, a pipe, an Airflow task log): a plain line every `every` seconds
  (``GONGKAI_PROGRESS_EVERY``, default 10) and one at the end — never one line per item.

Plain text only (no dependency beyond click): the total may be discovered late (``update(total=…)``).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable

import click

from gongkai.termtable import clip, width

EVERY_ENV = "GONGKAI_PROGRESS_EVERY"
DEFAULT_EVERY = 10.0


def duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``1h02m``: short, for a progress line."""
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def _every() -> float:
    try:
        return max(0.0, float(os.environ.get(EVERY_ENV, DEFAULT_EVERY)))
    except ValueError:
        return DEFAULT_EVERY


def _stderr(line: str) -> None:
    click.echo(line, err=True)


class Progress:
    """A progress display for `label` (see the module doc). `tty` (default: whether stderr is a terminal)
    chooses the live line; `say` receives the plain lines (default: stderr); `stream` is what the live
    line is drawn on (default stderr); `rate` False leaves the rate out (steps of unequal length);
    `clock` is for tests."""

    def __init__(self, label: str, total: int | None = None, *, unit: str = "", tty: bool | None = None,
                 say: Callable[[str], None] | None = None, every: float | None = None, stream=None,
                 rate: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.show_rate = rate
        self.done = 0
        self.note = ""
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.say = say or _stderr
        self.every = _every() if every is None else every
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self._last_plain = self.started
        self._drawn = 0  # width of the live line on screen
        self._closed = False

    # ------------------------------------------------------------ feeding it

    def update(self, done: int | None = None, *, advance: int = 0, total: int | None = None,
               note: str | None = None) -> None:
        """Set the position (`done`) or move it by `advance`; `total` when it becomes known; `note` says
        what is being worked on."""
        if total is not None:
            self.total = total
        if done is not None:
            self.done = done
        self.done += advance
        if note is not None:
            self.note = note
        if self.tty:
            self._draw()
        elif self.clock() - self._last_plain >= self.every:
            self._plain()

    def log(self, message: str, out: Callable[[str], None] | None = None) -> None:
        """A line (or block) of its own: above the live line on a terminal, as is in a log. `out` prints it
        somewhere else than the progress (``click.echo``: stdout), the live line moved out of its way."""
        if self.tty:
            self._clear()
            out(message) if out else self._write(message + "\n")
            self._draw()
        else:
            (out or self.say)(message)

    def close(self) -> None:
        """The final line (once)."""
        if self._closed:
            return
        self._closed = True
        if self.tty:
            self._draw(final=True)
            self._write("\n")
        else:
            self._plain(final=True)

    def __enter__(self) -> Progress:
        if self.tty:
            self._draw()
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is None or self.done:
            self.close()  # an interrupted run still says how far it got
        elif self.tty:
            self._clear()  # it failed before doing anything: only its error is printed

    # ------------------------------------------------------------ figures

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    @property
    def rate(self) -> float | None:
        """Items per second so far (None before the first item)."""
        return self.done / self.elapsed if self.done and self.elapsed > 0 else None

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far (None without a total or a rate)."""
        if self.total is None or not self.rate:
            return None
        return max(0, self.total - self.done) / self.rate

    def _count(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.done}/{self.total}{unit}" if self.total is not None else f"{self.done}{unit}"

    def _rate(self) -> str:
        r = self.rate
        if r is None or not self.show_rate:
            return ""
        return f"{r:.1f}/s" if r >= 1 else f"{60 * r:.1f}/min"

    def summary(self, final: bool = False) -> str:
        """``load: 12/47 documents (26%) · 3.1/s · ETA 11s · seed_003.pdf``."""
        bits = [self._count() + (f" ({100 * self.done // self.total}%)" if self.total else "")]
        if final:
            bits.append(f"in {duration(self.elapsed)}")
        if self._rate():
            bits.append(self._rate())
        if not final and self.eta is not None:
            bits.append(f"ETA {duration(self.eta)}")
        elif not final:
            bits.append(duration(self.elapsed))
        if self.note and not final:
            bits.append(self.note)
        return f"{self.label}: " + " · ".join(bits)

    # ------------------------------------------------------------ output

    def _plain(self, final: bool = False) -> None:
        self._last_plain = self.clock()
        self.say(self.summary(final))

    def _write(self, text: str) -> None:
        click.echo(text, nl=False, err=self.stream is None, file=self.stream)
        (self.stream or sys.stderr).flush()

    def _clear(self) -> None:
        if self._drawn:
            self._write("\r" + " " * self._drawn + "\r")
            self._drawn = 0

    def _draw(self, final: bool = False) -> None:
        cols = shutil.get_terminal_size((100, 20)).columns - 1
        text = self.summary(final)
        if self.total:
            bar = 20
            full = min(bar, bar * self.done // self.total)
            text = f"{self.label} [{'#' * full}{'-' * (bar - full)}] " + text[len(self.label) + 2:]
        text = clip(text, cols)
        pad = max(0, self._drawn - width(text))
        self._write("\r" + text + " " * pad)
        self._drawn = width(text)
