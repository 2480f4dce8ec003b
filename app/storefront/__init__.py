"""The storefront widget's API: one set of views served on every storefront surface.

A *surface* is how a shopper's browser reaches Luneo from a store: Shopify's app proxy
(``/proxy``, signed by Shopify) and, for WooCommerce, cross-origin calls from the connected store.
Each surface is its own blueprint whose guard runs first (``before_request``) and sets the shop the
request speaks for; the views below only ever read :func:`current_shop`, so they cannot tell — and
need not care — which surface they were called through.

A view module exposes ``register(bp)``; :func:`blueprints` builds every surface with every module.
Every surface is rate limited per shop and per client (``ratelimit``) right after its guard.
``public`` is not a surface: it serves the few links a page shows without any header (a design's
preview in the cart and e-mails, a 3D model), each unguessable or signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, g, request

from app.extensions import get_session
from app.models import Shop, ShopScope


@dataclass(frozen=True)
class Shopper:
    """Who is calling, as far as the surface can vouch for it."""

    shop: Shop
    customer_ref: str | None  # the platform's customer id when the store says they are signed in
    client_key: str  # stable per browser/IP for rate limits; never a secret


def current_shopper() -> Shopper:
    shopper: Shopper = g.storefront_shopper
    return shopper


def current_shop() -> Shop:
    return current_shopper().shop


def current_scope() -> ShopScope:
    return ShopScope(get_session(), current_shop().id)


def client_address(extra_hops: int = 0) -> str:
    """The caller's address, as far as trusted proxies vouch for it (rate limits key on it).

    Luneo's own reverse proxies (``TRUSTED_PROXY_HOPS``) are already accounted for in
    ``remote_addr`` (``ProxyFix`` in ``create_app``). A surface that is reached through
    ``extra_hops`` more trusted proxies — Shopify's app proxy puts the shopper's address in
    ``X-Forwarded-For`` — reads the entry the farthest of them appended, counted from the right:
    entries further left were written by the client and are never trusted.
    """
    if extra_hops <= 0:
        return request.remote_addr or ""
    hops = int(current_app.config.get("TRUSTED_PROXY_HOPS") or 0) + extra_hops
    header = request.headers.get("X-Forwarded-For", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(entries) >= hops:
        return entries[-hops]
    return request.remote_addr or ""


def blueprints() -> list[Blueprint]:
    """Every storefront surface, each carrying every view module, plus the public file links."""
    from app.storefront import ai, catalog, designs, previews, public, uploads
    from app.storefront.shopify_proxy import build as shopify_proxy
    from app.storefront.woo_surface import build as woo_surface

    modules = [catalog, uploads, designs, previews, ai]
    return [shopify_proxy(modules), woo_surface(modules), public.bp]
