"""The shopper's change links on Shopify's order status page (issue #21).

When the order sync offers a Shopify order's shopper the link to change a design
(``order_edits.offer_edits``), it also queues ``jobs.order_edits.publish_links`` (spec:
``app.sync.specs.design_links_spec``, retried with the shipment push's backoff), which runs
:func:`publish`: the order's app-owned metafield ``$app``/``design_links`` (type json) gets, for
each of its lines that go to production, the same private link the e-mail carries.

The order status page's extension (``extensions/order-preview``, target
``customer-account.order-status.cart-line-item.render-after``) reads it as one of its
``appMetafields``. That page is shown only to the customer who owns the order, signed in to
their customer account: Shopify, not Luneo, proves who is looking. The extension's line is a
``CartLine`` whose id Shopify documents as unstable and unrelated to the order's ``LineItem`` id,
so each link is keyed by the line's ``_luneo_design`` attribute (the design id the cart carried,
which the extension also sees), with the ``LineItem`` gid beside it.

The value is written once, at that sync: ``{"v": 1, "lines": {"<design id>": {"url": ...,
"until": <ISO time the shop's window closes, or null when it closes once a partner starts>,
"line": "gid://shopify/LineItem/..."}}}``. When the window closes later, the link's own page
says so. The metafield definition (Customer Account API: read; admin: merchant read) is created
once per shop, before the first value (``shop.extra["design_links"]``); Shopify's "already
taken" answer counts as done.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.db import as_utc, utcnow
from app.formatting import iso
from app.models import Order, Platform, Shop, ShopScope
from app.shopify import tokens
from app.sync.order_edits import edit_window, shopper_line
from connectors.base import DESIGN_PROPERTY, AuthError, PlatformError
from connectors.shopify import design_links as api
from connectors.shopify.client import ShopifyGraphQL

log = logging.getLogger(__name__)

EXTRA_KEY = "design_links"
ClientFactory = Callable[[Shop, Mapping[str, Any]], ShopifyGraphQL]


def links_value(
    scope: ShopScope, config: Mapping[str, Any], shop: Shop, order: Order
) -> dict[str, Any]:
    """The metafield's value for ``order``: its produced lines' links, by design id."""
    window = edit_window(shop)
    placed = as_utc(order.placed_at or order.created_at)
    until = (
        iso(placed + timedelta(hours=window.hours))
        if window.mode == "hours" and placed is not None
        else None
    )
    lines: dict[str, Any] = {}
    for item in sorted(order.items, key=lambda i: i.id):
        design = str((item.properties or {}).get(DESIGN_PROPERTY) or "").strip()
        line = shopper_line(scope, config, shop, item) if design else None
        if line is None or line.closed is not None or design in lines:
            continue
        lines[design] = {"url": line.url, "until": until, "line": item.external_id}
    return {"v": 1, "lines": lines}


def _define_once(shop: Shop, client: ShopifyGraphQL) -> None:
    """The metafield definition, once per shop; a refusal is logged and tried again next time
    (the value is still written: the page shows it once the definition exists)."""
    recorded = (shop.extra or {}).get(EXTRA_KEY) or {}
    if recorded.get("defined"):
        return
    try:
        api.define(client)
    except api.DesignLinksRefused as exc:
        log.warning(
            "shopify refused the design links definition",
            extra={"shop": shop.domain, "shop_id": shop.id, "code": exc.code, "why": str(exc)},
        )
        return
    shop.extra = {**(shop.extra or {}), EXTRA_KEY: {"defined": True, "at": iso(utcnow())}}


def publish(
    session: Session,
    order_id: int,
    config: Mapping[str, Any],
    *,
    make_client: ClientFactory = tokens.admin_client,
) -> str:
    """Write the order's ``design_links`` metafield (the job's work). Transport failures raise
    so the queue retries; Shopify's refusal (userErrors, a revoked token) is logged, not retried.
    """
    order = session.get(Order, order_id)
    shop = session.get(Shop, order.shop_id) if order is not None else None
    if order is None or shop is None or not shop.is_installed:
        return "skipped: gone"
    if shop.platform is not Platform.SHOPIFY:
        return "skipped: not a Shopify order"
    value = links_value(ShopScope(session, shop.id), config, shop, order)
    if not value["lines"]:
        return "skipped: no line can change"
    try:
        client = make_client(shop, config)
        try:
            _define_once(shop, client)
            session.commit()  # the definition is done whatever happens to the value
            api.write(client, order.external_id, json.dumps(value, separators=(",", ":")))
        finally:
            client.close()
    except (AuthError, PlatformError) as exc:
        log.warning(
            "shopify refused the design links",
            extra={"shop_id": shop.id, "order_id": order.id, "why": str(exc)},
        )
        return "refused"
    log.info("design links published", extra={"shop_id": shop.id, "order_id": order.id})
    return "published"
