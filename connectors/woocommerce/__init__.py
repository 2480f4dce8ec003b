"""WooCommerce through its REST API v3, for a store connected with consumer keys.

``for_shop`` in ``connectors`` builds a ``WooCommerceConnector`` from a connected shop: the
store's base URL (kept in ``shop.extra["store_url"]``, else ``https://{domain}``), the consumer
key and secret, and the per-store webhook secret. Store URLs are merchant-supplied, so the HTTP
client refuses private and loopback addresses, except for a loopback store while the app runs
in development or testing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from connectors.http import DEFAULT_TIMEOUT, HttpClient
from connectors.woocommerce.client import CONCURRENCY, WooREST
from connectors.woocommerce.connector import WooCommerceConnector

# The subscriptions Luneo needs (WooCommerce topic names).
WEBHOOK_TOPICS = (
    "product.created",
    "product.updated",
    "product.deleted",
    "order.created",
    "order.updated",
)
LOCAL_ENVIRONMENTS = ("development", "testing")


def is_loopback_host(host: str | None) -> bool:
    """``localhost`` or a loopback IP literal (no DNS: a name is not trusted to stay loopback)."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def http_client_for(
    store_url: str,
    settings: Mapping[str, Any],
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    pool_size: int = 10,
) -> HttpClient:
    """Public addresses only, unless a development/testing app talks to a loopback store."""
    local = settings["ENV"] in LOCAL_ENVIRONMENTS
    allow_private = local and is_loopback_host(urlsplit(store_url).hostname)
    return HttpClient(allow_private=allow_private, timeout=timeout, pool_size=pool_size)


def connector_for(
    store_url: str,
    consumer_key: str,
    consumer_secret: str,
    settings: Mapping[str, Any],
    *,
    webhook_secret: str | None = None,
    currency: str = "USD",
) -> WooCommerceConnector:
    attempts = int(settings["WOOCOMMERCE_MAX_ATTEMPTS"] or 5)
    concurrency = max(1, int(settings["WOO_CONCURRENCY"] or CONCURRENCY))
    client = WooREST(
        store_url,
        consumer_key,
        consumer_secret,
        http=http_client_for(store_url, settings, pool_size=concurrency),
        max_attempts=attempts,
        concurrency=concurrency,
    )
    return WooCommerceConnector(client, webhook_secret=webhook_secret, currency=currency)


__all__ = [
    "WEBHOOK_TOPICS",
    "WooCommerceConnector",
    "WooREST",
    "connector_for",
    "http_client_for",
    "is_loopback_host",
]
