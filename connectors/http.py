"""The one outbound HTTP client: every call Luneo makes to another server goes through here.

Every request has a timeout, never follows redirects (a redirect to an internal address is a
classic SSRF path), carries Luneo's User-Agent and is logged with structured fields (method, host,
path, status, time; never query strings, bodies or headers, which may hold secrets). Addresses
supplied by merchants or partners (WooCommerce store URLs, partner webhook URLs) are checked
*after* DNS resolution, on the socket actually connected, so a public name that resolves to a
private or loopback address is refused; ``check_public_url`` also refuses them when they are saved.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests  # noqa: TID251 - this module is the sanctioned wrapper
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

log = logging.getLogger(__name__)

USER_AGENT = "Luneo/0.1 (+https://luneo.app)"
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds


class BlockedDestination(requests.ConnectionError):
    """The destination resolved to an address Luneo must not call (private, loopback…)."""


# IPv6 forms that carry an IPv4 address a gateway (or the host itself) will reach: an address
# in one of them is only as public as the IPv4 address it embeds.
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the low 32 bits
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: operator networks only
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # SIIT ::ffff:0:a.b.c.d


def _low_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for (mapped, compatible, NAT64, 6to4, Teredo)."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # (server, client): either one would be reached
    if any(ip in net for net in (_NAT64_WELL_KNOWN, _IPV4_TRANSLATED, _IPV4_COMPATIBLE)):
        return [_low_ipv4(ip)]
    return []


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def is_public_address(address: str) -> bool:
    """Whether Luneo may call ``address``: global unicast, by the IPv4 address it embeds if any.

    The one check for every merchant- or partner-supplied destination (the client's socket
    check, store URLs, partner webhook URLs).
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _is_public(ip)
    if ip in _NAT64_LOCAL_USE or ip.is_unspecified or ip.is_loopback:
        return False
    embedded = embedded_ipv4(ip)
    if embedded:
        return all(_is_public(v4) for v4 in embedded)
    return _is_public(ip)


# host, port -> the IP addresses it resolves to (tests pass their own)
Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to now (none when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


class UnsafeDestination(ValueError):
    """A URL someone gave Luneo to call later cannot be used; the message says why."""


def check_public_url(url: str, resolve: Resolver = resolve_host) -> None:
    """Refuse, when it is saved, a URL Luneo would call later: http(s), a host, public addresses.

    The socket check on every connection still runs (DNS can change in between); this one
    answers the person typing the URL at once, before Luneo ever connects.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeDestination("it must be an http(s) URL with a host name")
    if parts.username or parts.password:
        raise UnsafeDestination("it must not hold a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeDestination("it has an invalid port") from None
    host = parts.hostname
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = resolve(host, port)
    if not addresses:
        raise UnsafeDestination(f"{host} could not be found")
    if not all(is_public_address(a) for a in addresses):
        raise UnsafeDestination(f"{host} is not a public address Luneo can connect to")


def _check_peer(sock: socket.socket, host: str) -> None:
    peer = sock.getpeername()[0]
    if not is_public_address(peer):
        sock.close()
        raise BlockedDestination(f"{host} resolves to a non-public address; refusing to connect")


class _PublicHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _PublicHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _PublicHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PublicHTTPConnectionPool,
            "https": _PublicHTTPSConnectionPool,
        }


def _blocked_cause(exc: BaseException) -> BlockedDestination | None:
    """urllib3 wraps our refusal in connection errors; find it again."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, BlockedDestination):
            return seen
        nested = [a for a in getattr(seen, "args", ()) if isinstance(a, BaseException)]
        seen = seen.__cause__ or seen.__context__ or (nested[0] if nested else None)
    return None


class HttpClient:
    """A requests session with Luneo's rules; ``allow_private`` only for operator-set origins."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        user_agent: str = USER_AGENT,
        pool_size: int = 10,
    ) -> None:
        """``pool_size``: connections kept per host (a client used from N threads wants N)."""
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.trust_env = False  # no proxy or netrc surprises from the environment
        size = max(1, pool_size)
        adapter = (
            HTTPAdapter(pool_maxsize=size)
            if allow_private
            else _PublicOnlyAdapter(pool_maxsize=size)
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        kwargs["allow_redirects"] = False
        parts = urlsplit(url)
        started = time.perf_counter()
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            blocked = _blocked_cause(exc)
            if blocked is not None:
                log.warning("outbound request blocked", extra={"host": parts.hostname})
                raise blocked from None
            log.warning(
                "outbound request failed",
                extra={
                    "method": method,
                    "host": parts.hostname,
                    "path": parts.path,
                    "error": type(exc).__name__,
                },
            )
            raise
        log.info(
            "outbound request",
            extra={
                "method": method,
                "host": parts.hostname,
                "path": parts.path,
                "status": response.status_code,
                "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self.session.close()
