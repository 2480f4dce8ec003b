"""Jobs for recorded Shopify webhook deliveries: each takes a ``WebhookEvent`` id and runs its
handler in ``app.shopify.events`` (the compliance topics are in ``jobs.privacy``).

``app.shopify.webhook_topics`` names these functions by dotted path; RQ stores the path with
every queued job, so the names stay.
"""

from __future__ import annotations

from app.shopify import events


def app_uninstalled(event_id: int) -> str:
    """Mark the shop uninstalled, drop its tokens and stop its queued jobs."""
    return events.app_uninstalled(event_id)


def product_changed(event_id: int) -> str:
    """products/create, products/update: sync that one product."""
    return events.product_changed(event_id)


def product_deleted(event_id: int) -> str:
    """products/delete: archive it (orders keep pointing at it)."""
    return events.product_deleted(event_id)


def order_changed(event_id: int) -> str:
    """orders/create, orders/updated: sync that one order (and its production)."""
    return events.order_changed(event_id)


def subscription_updated(event_id: int) -> str:
    """app_subscriptions/update: the Subscription row and the shop's plan follow Shopify."""
    return events.subscription_updated(event_id)
