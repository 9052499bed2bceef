"""Loopback ports for the servers gongkai starts (the embedded Postgres, Superset): a fixed default a
user can remember and bookmark, a setting to choose another, and a clear fallback when it is taken."""

from __future__ import annotations

import logging
import socket

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
