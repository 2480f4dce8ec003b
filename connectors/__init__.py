"""Platform adapters (Shopify, WooCommerce) behind one Protocol: HTTP in, plain records out.

No Flask and no database here: a connector is given a shop's credentials and returns
dataclasses; jobs/ persist them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from connectors.base import AuthError, CommerceConnector, ConnectorError

if TYPE_CHECKING:
    from connectors.shopify.client import TokenSource


class UnsupportedPlatform(ConnectorError):
    """No adapter exists (yet) for the shop's platform."""


class ShopCredentials(Protocol):
    """What ``for_shop`` reads from a shop (app.models.Shop fits; no import of the model)."""

    @property
    def platform(self) -> Any: ...

    @property
    def domain(self) -> str: ...

    @property
    def access_token(self) -> str | None: ...


def for_shop(
    shop: ShopCredentials, config: Mapping[str, Any], *, tokens: TokenSource | None = None
) -> CommerceConnector:
    """The adapter for ``shop``'s platform, configured from the app's settings ``config``.

    Shopify offline tokens expire hourly: the app passes ``tokens`` (``app.shopify.tokens``),
    which renews them; without it the stored token is used as it is (unit tests only).
    """
    platform = str(getattr(shop.platform, "value", shop.platform))
    if platform == "shopify":
        from connectors.shopify import connector_for

        if not shop.access_token:
            raise AuthError(f"{shop.domain} has no access token: it must be installed again")
        return connector_for(shop.domain, tokens or shop.access_token, config)
    if platform == "woocommerce":
        return _woocommerce(shop, config)
    raise UnsupportedPlatform(f"no connector for platform {platform!r}")


def _woocommerce(shop: ShopCredentials, config: Mapping[str, Any]) -> CommerceConnector:
    """Consumer key in ``api_key``, secret in ``access_token``, base URL in ``extra``."""
    from connectors.woocommerce import connector_for

    key = getattr(shop, "api_key", None)
    if not key or not shop.access_token:
        raise AuthError(f"{shop.domain} has no WooCommerce keys: it must be connected again")
    extra = getattr(shop, "extra", None) or {}
    store_url = str(extra.get("store_url") or f"https://{shop.domain}")
    return connector_for(
        store_url,
        key,
        shop.access_token,
        config,
        webhook_secret=getattr(shop, "webhook_secret", None),
        currency=str(getattr(shop, "currency", None) or "USD"),
    )


__all__ = ["UnsupportedPlatform", "for_shop"]
