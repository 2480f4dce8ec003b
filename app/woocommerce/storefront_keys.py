"""A WooCommerce store's public storefront key and the one browser origin allowed to use it.

The key sits in every product page's HTML, so it is an identifier, not a secret: it tells Luneo
which store a widget call is for, and CORS (``app.storefront.woo_surface``) then only lets that
store's own origin read the answers. Rotating it (``luneo woo key DOMAIN --rotate``) makes old
pages stop working until the plugin has the new one.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Platform, Shop

KEY_PREFIX = "lpk_"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def new_storefront_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(24)


def ensure_storefront_key(shop: Shop) -> str:
    """The store's key, created on first use (a connect or reconnect keeps an existing one)."""
    if not shop.storefront_key:
        shop.storefront_key = new_storefront_key()
    return shop.storefront_key


def rotate_storefront_key(shop: Shop) -> str:
    shop.storefront_key = new_storefront_key()
    return shop.storefront_key


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` as browsers send it in ``Origin`` (default ports left out)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def store_origin(shop: Shop) -> str | None:
    """The connected store's origin, from the URL it was connected with."""
    url = (shop.extra or {}).get("store_url")
    return origin_of(url) if isinstance(url, str) else None


def store_for_key(session: Session, key: str) -> Shop | None:
    """The connected WooCommerce store with this key, if any."""
    if not key.startswith(KEY_PREFIX) or len(key) > 64:
        return None
    stmt = select(Shop).where(Shop.platform == Platform.WOOCOMMERCE, Shop.storefront_key == key)
    shop = session.scalars(stmt).one_or_none()
    return shop if shop is not None and shop.is_installed else None


def store_for_origin(session: Session, origin: str) -> Shop | None:
    """The connected WooCommerce store whose own origin is ``origin`` (for CORS preflights)."""
    normalized = origin_of(origin)
    if normalized is None or normalized != origin.strip().lower():
        return None
    domain = normalized.split("://", 1)[1]  # host[:port], as Shop.domain spells it
    stmt = select(Shop).where(Shop.platform == Platform.WOOCOMMERCE, Shop.domain == domain)
    for shop in session.scalars(stmt):
        if shop.is_installed and store_origin(shop) == normalized:
            return shop
    return None
