"""Loopback ports for the servers gongkai starts (the embedded Postgres, Superset): a fixed default a
user can remember and bookmark, a setting to choose another, and a clear fallback when it is taken."""

from __future__ import annotations

import logging
import socket
import time

LOOPBACK = "127.0.0.1"
log = logging.getLogger(__name__)


class PortTaken(RuntimeError):
    """The port asked for explicitly is in use by another program (or is not a port number)."""


def is_free(port: int, host: str = LOOPBACK) -> bool:
    """Whether a server could listen on `port` now (as servers do, with SO_REUSEADDR: connections of a
    server that just stopped, in TIME_WAIT, do not make the port taken; a listening socket does)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def any_free(host: str = LOOPBACK) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def choose(setting: str | None, default: int, env: str, what: str) -> int:
    """The port for `what`: `setting` (the value of the environment variable or option `env`) when given —
    0 means any free port, a taken one is an error — else `default`, or any free port with a warning
    when another program has it."""
    setting = (setting or "").strip()
    if setting:
        try:
            port = int(setting)
        except ValueError:
            raise PortTaken(f"{env}={setting!r} is not a port number") from None
        if port == 0:
            return any_free()
        if not is_free(port):
            raise PortTaken(f"port {port} ({env}) is in use by another program: choose another, "
                            f"or {env}=0 for any free port")
        return port
    if is_free(default):
        return default
    port = any_free()
    log.warning("port %s is in use by another program: %s listens on %s:%s instead (%s chooses the port)",
                default, what, LOOPBACK, port, env)
    return port


class NotReady(RuntimeError):
    """A server started by gongkai did not come up (its process ended, or it did not answer in time)."""


def wait_http(proc, url: str, what: str, timeout_s: float = 180.0) -> None:
    """Until `url` answers 200, or raise NotReady when `proc` (what serves it) ends or `timeout_s` passes."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise NotReady(f"{what} stopped while starting (exit {proc.returncode}): see its log")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise NotReady(f"{what} did not answer on {url} within {timeout_s:.0f} s: see its log")


def stop(proc, timeout_s: float = 20.0) -> None:
    """Stop a server process: SIGTERM, then SIGKILL if it has not ended within `timeout_s`."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except Exception:
            proc.kill()
            proc.wait()


def run_until_stopped(proc, what: str, *, ready, announce, say) -> None:
    """A server in the foreground: `ready()` (which raises if it does not come up), `announce()` where it
    is, then wait for it to end. Ctrl-C or SIGTERM (`kill`) stop it, with a word to `say`; it is stopped
    whatever happens."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill` runs the finally below, as Ctrl-C does
    try:
        ready()
        announce()
        proc.wait()
    except KeyboardInterrupt:
        say(f"stopping {what} …")
    finally:
        stop(proc)
