"""Recorded Shopify webhook deliveries, handled (the compliance topics are in ``app.privacy``).

Each entry point (run by its job in ``jobs.shopify_events``) takes a ``WebhookEvent`` id,
re-loads the row, does its work in one transaction and marks the event: processed, ignored
(nothing to do, e.g. a shop Luneo does not know) or failed with the error, which is then
re-raised so RQ retries with backoff (``app.webhook_events.run_event``). A processed event is
never handled again, and every handler is safe to run twice anyway.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from app.billing import subscriptions
from app.billing.shopify_billing import SHOPIFY_STATUS
from app.billing.subscriptions import ProviderState
from app.db import as_utc
from app.extensions import get_redis
from app.models import (
    BillingInterval,
    BillingProvider,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookStatus,
)
from app.queue import cancel_shop_jobs
from app.sync import ORDER_SYNC, PRODUCT_ARCHIVE, PRODUCT_SYNC, NarrowSync, enqueue_narrow_sync
from app.webhook_events import event_shop, ignored, installed_since, run_event
from connectors.values import utc_moment

log = logging.getLogger(__name__)


# Shopify's AppSubscriptionStatus values, as Luneo's subscription states.
SUBSCRIPTION_STATUS = SHOPIFY_STATUS
INTERVALS = {"every_30_days": BillingInterval.MONTH, "annual": BillingInterval.YEAR}


# ---------------------------------------------------------------------- app/uninstalled
def _uninstall(session: Session, event: WebhookEvent) -> WebhookStatus:
    shop = event_shop(session, event)
    if shop is None:
        return ignored(event, "unknown shop")
    if installed_since(shop, event):
        return ignored(event, "the shop was installed again after this uninstall")
    # Keep the data: shop/redact follows 48 hours later if the merchant does not come back.
    shop.uninstalled_at = shop.uninstalled_at or event.received_at
    shop.access_token = None  # revoked by Shopify already; never used again
    shop.refresh_token = None
    shop.token_expires_at = None
    cancelled = cancel_shop_jobs(get_redis(), shop.id)
    log.info("shop uninstalled", extra={"shop_id": shop.id, "jobs_cancelled": cancelled})
    return WebhookStatus.PROCESSED


def app_uninstalled(event_id: int) -> str:
    """Mark the shop uninstalled, drop its tokens and stop its queued jobs."""
    return run_event(event_id, _uninstall)


# ------------------------------------------------------------------ products and orders
def _resource_gid(payload: dict[str, Any], resource: str) -> str | None:
    gid = payload.get("admin_graphql_api_id")
    if isinstance(gid, str) and gid.startswith(f"gid://shopify/{resource}/"):
        return gid
    raw = payload.get("id")
    if isinstance(raw, int | str) and not isinstance(raw, bool) and str(raw).isdigit():
        return f"gid://shopify/{resource}/{raw}"
    return None


def _enqueue_sync(session: Session, event: WebhookEvent, sync: NarrowSync) -> WebhookStatus:
    """Hand a product or order to its narrow sync job; the sync re-reads it from Shopify."""
    shop = event_shop(session, event)
    if shop is None or not shop.is_installed:
        return ignored(event, "the shop is not installed")
    gid = _resource_gid(event.payload, sync.resource)
    if gid is None:
        return ignored(event, f"no {sync.resource.lower()} id in the payload")
    enqueue_narrow_sync(session, get_redis(), shop.id, sync, gid)
    return WebhookStatus.PROCESSED


def product_changed(event_id: int) -> str:
    """products/create, products/update: sync that one product."""
    return run_event(event_id, functools.partial(_enqueue_sync, sync=PRODUCT_SYNC))


def product_deleted(event_id: int) -> str:
    """products/delete: archive it (orders keep pointing at it)."""
    return run_event(event_id, functools.partial(_enqueue_sync, sync=PRODUCT_ARCHIVE))


def order_changed(event_id: int) -> str:
    """orders/create, orders/updated: sync that one order (and its production)."""
    return run_event(event_id, functools.partial(_enqueue_sync, sync=ORDER_SYNC))


# ------------------------------------------------------------- app_subscriptions/update
def _webhook_state(data: dict[str, Any], row: Subscription, at: datetime) -> ProviderState:
    status = SUBSCRIPTION_STATUS[str(data.get("status", "")).upper()]
    trial_end = as_utc(row.trial_ends_at)
    if status is SubscriptionStatus.ACTIVE and trial_end is not None and at < trial_end:
        status = SubscriptionStatus.TRIALING
    return ProviderState(
        status=status,
        at=at,
        plan=subscriptions.plan_key(data.get("name")) or _plan_name(data),
        interval=INTERVALS.get(str(data.get("interval", "")).lower()),
    )


def _plan_name(data: dict[str, Any]) -> str:
    name = data.get("name")
    return (name.strip().lower()[:32] if isinstance(name, str) else "") or "unknown"


def _subscription_update(session: Session, event: WebhookEvent) -> WebhookStatus:
    shop = event_shop(session, event)
    data = event.payload.get("app_subscription")
    if shop is None or not isinstance(data, dict):
        return ignored(event, "unknown shop" if shop is None else "no app_subscription")
    gid = data.get("admin_graphql_api_id")
    if not isinstance(gid, str) or not gid:
        return ignored(event, "no subscription id")
    if str(data.get("status", "")).upper() not in SUBSCRIPTION_STATUS:
        return ignored(event, "an unknown status")
    row = subscriptions.find(session, BillingProvider.SHOPIFY, gid)
    if row is None or row.shop_id != shop.id:
        # The body names no shop and the shop header is not signed: only a subscription Luneo
        # created for this very shop (``shopify_billing.subscribe``) may change its plan, or a
        # body signed for shop A, replayed as shop B, would give B A's plan.
        log.warning(
            "subscription webhook for a subscription not of this shop",
            extra={"shop_id": shop.id, "owner_shop_id": row.shop_id if row else None},
        )
        return ignored(event, "not a subscription Luneo created for this shop")
    try:
        at = utc_moment(str(data.get("updated_at")))
    except ValueError:  # absent or unreadable: when the webhook arrived
        at = event.received_at
    grace = int(current_app.config["BILLING_GRACE_DAYS"])
    if subscriptions.apply(session, shop, row, _webhook_state(data, row, at), grace):
        if row.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
            subscriptions.cancel_others(session, shop, row, at)
        subscriptions.resume_production_after_commit(session, get_redis(), shop.id)
    return WebhookStatus.PROCESSED


def subscription_updated(event_id: int) -> str:
    """app_subscriptions/update: the Subscription row and the shop's plan follow Shopify."""
    return run_event(event_id, _subscription_update)
