"""Shopify through the GraphQL Admin API only (required of new public apps for products).

``for_shop`` in ``connectors`` builds a ``ShopifyConnector`` for an installed shop: the
origin comes from the operator's ``SHOPIFY_SHOP_ORIGIN`` ("https://{shop}" in production, a
local simulation in tests and staging), the API version from ``API_VERSION``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.shopify.client import ShopifyGraphQL, TokenSource
from connectors.shopify.connector import ShopifyConnector

# Keep in step with app.config.SHOPIFY_API_VERSION and shopify.app.toml (a test checks).
API_VERSION = "2026-07"


def origin_for(template: str, shop_domain: str) -> str:
    """The shop's Admin API origin: ``template`` with ``{shop}`` replaced by its domain."""
    return template.replace("{shop}", shop_domain).rstrip("/")


def gid(resource: str, legacy_id: int | str) -> str:
    """A GraphQL global id from the numeric id webhook payloads carry (``products/delete``)."""
    return f"gid://shopify/{resource}/{legacy_id}"


def client_for(
    shop_domain: str, access_token: str | TokenSource, settings: Mapping[str, Any]
) -> ShopifyGraphQL:
    """The shop's GraphQL Admin client; the app passes a ``TokenSource`` that renews its token."""
    template = str(settings["SHOPIFY_SHOP_ORIGIN"] or "https://{shop}")
    version = str(settings["SHOPIFY_API_VERSION"] or API_VERSION)
    attempts = int(settings["SHOPIFY_MAX_ATTEMPTS"] or 6)
    return ShopifyGraphQL(
        origin_for(template, shop_domain), access_token, version, max_attempts=attempts
    )


def connector_for(
    shop_domain: str, access_token: str | TokenSource, settings: Mapping[str, Any]
) -> ShopifyConnector:
    return ShopifyConnector(client_for(shop_domain, access_token, settings))


__all__ = [
    "API_VERSION",
    "ShopifyConnector",
    "ShopifyGraphQL",
    "TokenSource",
    "client_for",
    "connector_for",
    "gid",
    "origin_for",
]
