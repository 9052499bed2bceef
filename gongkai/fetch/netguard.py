"""What the fetcher may connect to, and for how long: checked on the socket, on every hop.

* **SSRF**: every connection the HTTP client opens — the registry URL, each redirect, each index-page
  link — resolves its host name here and refuses it when *any* of its addresses is not a public one
  (private, loopback, link-local, the cloud metadata address 169.254.169.254, shared, reserved,
  multicast, unspecified, IPv6 unique-local and loopback, IPv4-mapped forms of these). The connection
  is then made to the address that was checked (no second DNS lookup an attacker could answer
  differently). Intranet deployments list their ranges in ``GONGKAI_FETCH_ALLOW_NETWORKS`` (CIDRs,
  comma-separated; the demo's loopback server uses ``127.0.0.1/32``).
* **Wall-clock deadline**: every read, write, TLS handshake and connect on a connection is given at most
  the time left of the current attempt's deadline (set by :func:`deadline`), so a server trickling one
  byte a second cannot hold a fetch past it (a read timeout alone restarts with every byte).
* **Secrets in URLs**: :func:`redact` masks the password of ``user:password@host`` URLs in anything
  logged or stored.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

ALLOW_ENV = "GONGKAI_FETCH_ALLOW_NETWORKS"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(Exception):
    """A host that resolves to an address the fetcher must not reach."""


def allowed_networks(spec: str | Iterable[str] | None = None) -> tuple[IPNetwork, ...]:
    """The allow-list: ``spec`` (CIDRs as a comma-separated string or a list), else the environment's."""
    if spec is None:
        spec = os.environ.get(ALLOW_ENV, "")
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in items if s and s.strip())


def why_blocked(ip: str | IPAddress, allow: Iterable[IPNetwork] = ()) -> str | None:
    """Why an address may not be fetched from (None: it may)."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if any(addr in net for net in allow if net.version == addr.version):
        return None
    if addr.is_loopback:
        return "a loopback address"
    if addr.is_link_local:
        return "a link-local address (cloud metadata lives at 169.254.169.254)"
    if addr.is_private:
        return "a private address"
    if addr.is_multicast:
        return "a multicast address"
    if addr.is_unspecified or addr.is_reserved:
        return "a reserved address"
    if not addr.is_global:
        return "not a public address"
    return None


def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (DNS, or the literal itself), in resolver order, without duplicates."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise httpcore.ConnectError(f"cannot resolve {host}: {e}") from e
    out: list[str] = []
    for *_rest, sockaddr in infos:
        ip = str(sockaddr[0]).split("%", 1)[0]
        if ip not in out:
            out.append(ip)
    return out


# ---------------------------------------------------------------- the attempt's deadline

_local = threading.local()


@contextlib.contextmanager
def deadline(at: float) -> Iterator[None]:
    """Every network operation of this thread inside the block ends by ``at`` (``time.monotonic()``)."""
    old = getattr(_local, "deadline", None)
    _local.deadline = at
    try:
        yield
    finally:
        _local.deadline = old


def _left(timeout: float | None, kind: type[Exception]) -> float | None:
    at = getattr(_local, "deadline", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise kind("the attempt's deadline passed")
    return left if timeout is None else min(timeout, left)


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname,
                                                    _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend with the address policy and the attempt deadline applied."""

    def __init__(self, allow: Iterable[IPNetwork] = ()):
        self.allow = tuple(allow)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        addrs = resolve(host, port)
        for ip in addrs:
            why = why_blocked(ip, self.allow)
            if why:
                shown = host if host == ip else f"{host} ({ip})"
                raise BlockedAddress(f"refused to connect to {shown}: {why}; allow an intranet range with "
                                     f"{ALLOW_ENV}")
        last: Exception | None = None
        for ip in addrs:  # connect to the address that was checked
            try:
                stream = super().connect_tcp(ip, port, _left(timeout, httpcore.ConnectTimeout), local_address,
                                             socket_options)
                return _GuardedStream(stream)
            except httpcore.ConnectError as e:
                last = e
        raise last or httpcore.ConnectError(f"no address for {host}")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport on the :class:`GuardedBackend` (no proxies from the environment)."""

    def __init__(self, *, allow: Iterable[IPNetwork] = (), limits: httpx.Limits = httpx.Limits()):
        super().__init__(limits=limits, trust_env=False)
        ssl_context = self._pool._ssl_context
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            http1=True, http2=False, network_backend=GuardedBackend(allow))


# ---------------------------------------------------------------- secrets in URLs

_USERINFO = re.compile(r"(?P<pre>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@?#]*:)[^@\s/?#]*@")


def redact(text: str | None) -> str | None:
    """``text`` with the password of every ``scheme://user:password@host`` URL in it masked."""
    if not text or "@" not in text:
        return text
    return _USERINFO.sub(r"\g<pre>***@", text)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` header as seconds to wait: delta-seconds, or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    try:
        secs = float(value)
        return max(0.0, secs) if math.isfinite(secs) else None
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        from datetime import UTC

        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
