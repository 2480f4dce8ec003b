"""A merchant-typed WooCommerce store URL, checked before Luneo sends anyone there.

The URL is normalized (scheme and host lower-cased, default port and trailing slash dropped,
no credentials, query or fragment) and its host resolved: every address must be public, so a
name pointing at the operator's network is refused before the merchant is even redirected.
HTTPS is required (WooCommerce only accepts key authentication over it), except for a loopback
store while the app runs in development or testing. The HTTP client checks the address again on
each connection, since DNS can change between now and then.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from connectors.http import Resolver, is_public_address, resolve_host
from connectors.woocommerce import LOCAL_ENVIRONMENTS, is_loopback_host

__all__ = [  # Resolver and resolve_host live in connectors.http (one DNS helper), named here too
    "InvalidStoreUrl",
    "Resolver",
    "StoreAddress",
    "check_allowed",
    "normalize",
    "resolve_host",
    "validate",
]
MAX_URL_LENGTH = 2000


class InvalidStoreUrl(ValueError):
    """The URL cannot be a store Luneo connects to; the message says why, for the merchant."""


@dataclass(frozen=True)
class StoreAddress:
    url: str  # normalized base URL, e.g. https://shop.example.com/store
    domain: str  # host, with :port when not the default: Shop.domain

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def _ascii_host(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidStoreUrl("the store address has an invalid host name") from None


def normalize(raw: str) -> StoreAddress:
    """The store's canonical base URL and domain; InvalidStoreUrl if it is not a web address."""
    text = (raw or "").strip()
    if not text or len(text) > MAX_URL_LENGTH or any(c.isspace() for c in text):
        raise InvalidStoreUrl("enter your store's address, e.g. https://shop.example.com")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidStoreUrl("the store address must start with https://")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidStoreUrl("enter only the store's address, without credentials or a query")
    try:
        port = parts.port
    except ValueError:
        raise InvalidStoreUrl("the store address has an invalid port") from None
    if not parts.hostname:
        raise InvalidStoreUrl("the store address has no host name")
    scheme = parts.scheme.lower()
    host = _ascii_host(parts.hostname)
    shown = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}[scheme]
    netloc = shown if port in (None, default) else f"{shown}:{port}"
    path = parts.path.rstrip("/")
    return StoreAddress(url=f"{scheme}://{netloc}{path}", domain=netloc)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_allowed(address: StoreAddress, env: str, resolve: Resolver = resolve_host) -> None:
    """Raise InvalidStoreUrl unless Luneo may connect to ``address`` in environment ``env``."""
    host = address.host
    local = env in LOCAL_ENVIRONMENTS and is_loopback_host(host)
    if local:
        return  # a developer's own store, on this machine
    if not address.url.startswith("https://"):
        raise InvalidStoreUrl("the store must be served over https://")
    port = urlsplit(address.url).port or 443
    addresses = [host] if _is_ip(host) else resolve(host, port)
    if not addresses:
        raise InvalidStoreUrl(f"{host} could not be found: check the address")
    if not all(is_public_address(a) for a in addresses):
        raise InvalidStoreUrl(f"{host} is not a public address Luneo can connect to")


def validate(raw: str, env: str, resolve: Resolver = resolve_host) -> StoreAddress:
    address = normalize(raw)
    check_allowed(address, env, resolve)
    return address
