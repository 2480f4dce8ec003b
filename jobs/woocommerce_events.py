"""Jobs for a WooCommerce store: its set-up once connected, and its recorded webhooks.

Each takes an id and runs ``app.woocommerce.events``; ``app.woocommerce.connect`` and
``app.woocommerce.webhook_topics`` name these functions by dotted path, so the names stay.
"""

from __future__ import annotations

from app.woocommerce import events


def store_connected(shop_id: int) -> str:
    """Create (or repair) the store's webhooks, then enqueue the initial sync."""
    return events.store_connected(shop_id)


def product_changed(event_id: int) -> str:
    """product.created, product.updated: sync that one product (its parent for a variation)."""
    return events.product_changed(event_id)


def product_deleted(event_id: int) -> str:
    """product.deleted (moved to the trash): archive it, orders keep pointing at it."""
    return events.product_deleted(event_id)


def order_changed(event_id: int) -> str:
    """order.created, order.updated: sync that one order (and queue its production)."""
    return events.order_changed(event_id)
