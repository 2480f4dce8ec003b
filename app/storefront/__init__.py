"""The storefront widget's API: one set of views served on every storefront surface.

A *surface* is how a shopper's browser reaches Luneo from a store: Shopify's app proxy
(``/proxy``, signed by Shopify), for WooCommerce, cross-origin calls from the connected store, a
custom (headless) storefront's cross-origin calls with its headless key (``headless_surface``), and
the page a shopper opens from the e-mail asking for a missing design (``/recover/<token>``,
``recovery``) and the page to change an ordered design (``/order-design/<token>``,
``order_edits``).
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

from flask import Blueprint, g

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


def blueprints() -> list[Blueprint]:
    """Every storefront surface, each carrying every view module, plus the public file links."""
    from app.storefront import ai, analytics, catalog, cutouts, designs, previews, public, uploads
    from app.storefront.headless_surface import build as headless_surface
    from app.storefront.headless_surface import docs as headless_docs
    from app.storefront.order_edits import build as order_edits
    from app.storefront.order_edits import register_on_proxy as order_edits_on_proxy
    from app.storefront.order_edits import register_on_store as order_edits_on_store
    from app.storefront.proof_page import build as proof_page
    from app.storefront.recovery import build as recovery
    from app.storefront.recovery import register_on_proxy
    from app.storefront.shopify_proxy import build as shopify_proxy
    from app.storefront.woo_surface import build as woo_surface

    modules = [catalog, uploads, designs, previews, ai, cutouts, analytics]
    proxy = shopify_proxy(modules)
    register_on_proxy(proxy)  # the recovery page on the store's origin, where drafts are kept
    order_edits_on_proxy(proxy)  # and the page to change an ordered design
    woo = woo_surface(modules)
    order_edits_on_store(woo)  # the links the plugin shows on the store's own order pages
    headless = headless_surface(modules)  # a custom storefront's, with the store's headless key
    return [
        proxy,
        woo,
        headless,
        headless_docs,
        recovery(modules),
        order_edits(modules),
        proof_page(),
        public.bp,
    ]
