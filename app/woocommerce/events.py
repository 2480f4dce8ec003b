"""A WooCommerce store's events: setting it up once connected, and its recorded webhooks.

``store_connected`` (its job: ``jobs.woocommerce_events``) runs after the key POST committed: it
makes the store's webhooks point at Luneo (creating or repairing them through the REST API),
then starts the first sync. Webhook handlers follow the Shopify ones (``app.shopify.events``):
re-load the ``WebhookEvent``, hand the product or order id to its narrow sync job (which re-reads
it from the store), mark the event.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from app.db import utcnow
from app.extensions import get_db, get_redis
from app.models import Platform, Shop, WebhookEvent, WebhookStatus
from app.queue import enqueue_after_commit
from app.sync import (
    ORDER_SYNC,
    PRODUCT_ARCHIVE,
    PRODUCT_SYNC,
    NarrowSync,
    enqueue_narrow_sync,
    initial_sync_spec,
)
from app.webhook_events import event_shop, ignored, installed_since, run_event
from app.woocommerce.urls import webhook_url
from connectors import for_shop
from connectors.base import AuthError, PlatformError
from connectors.woocommerce import WEBHOOK_TOPICS

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------- connecting
def _webhook_state(shop: Shop, **state: Any) -> None:
    shop.extra = {**shop.extra, "webhooks": {**state, "checked_at": utcnow().isoformat()}}


def _ensure_webhooks(shop: Shop) -> None:
    """Point the store's webhooks at Luneo; AuthError when the store refuses our keys."""
    connector = for_shop(shop, current_app.config)
    url = webhook_url(current_app.config, str(shop.extra["webhook_path"]))
    try:
        created = connector.ensure_webhooks(url, WEBHOOK_TOPICS)
    except PlatformError as exc:  # the store refused the request itself: sync all the same
        log.warning("woocommerce webhooks not created", extra={"shop_id": shop.id})
        _webhook_state(shop, topics=[], error=str(exc))
        return
    finally:
        connector.close()
    _webhook_state(shop, topics=list(WEBHOOK_TOPICS), created=created, error=None)


def store_connected(shop_id: int) -> str:
    """Create (or repair) the store's webhooks, then enqueue the initial sync."""
    with get_db().session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.platform is not Platform.WOOCOMMERCE or not shop.is_installed:
            return "skipped"
        try:
            _ensure_webhooks(shop)
        except AuthError as exc:
            shop.needs_reauth = True
            _webhook_state(shop, topics=[], error=str(exc))
            log.warning("woocommerce store refused our keys", extra={"shop_id": shop_id})
            return "needs_reauth"
        enqueue_after_commit(session, get_redis(), initial_sync_spec(shop_id))
        return "connected"


# --------------------------------------------------------------------------- webhooks
def resource_id(payload: dict[str, Any]) -> str | None:
    """The id to sync: a variation's delivery names its parent product."""
    parent = payload.get("parent_id")
    if payload.get("type") == "variation" and _is_id(parent):
        return str(parent)
    raw = payload.get("id")
    return str(raw) if _is_id(raw) else None


def _is_id(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool) and str(value).isdigit()


def _enqueue_sync(session: Session, event: WebhookEvent, sync: NarrowSync) -> WebhookStatus:
    """Hand a product or order to its narrow sync job; the sync re-reads it from the store."""
    shop = event_shop(session, event)
    if shop is None or not shop.is_installed:
        return ignored(event, "the store is not connected")
    if installed_since(shop, event):
        return ignored(event, "the store was connected again after this delivery")
    external_id = resource_id(event.payload)
    if external_id is None or external_id == "0":
        return ignored(event, "no resource id in the payload")
    enqueue_narrow_sync(session, get_redis(), shop.id, sync, external_id)
    return WebhookStatus.PROCESSED


def product_changed(event_id: int) -> str:
    """product.created, product.updated: sync that one product (its parent for a variation)."""
    return run_event(event_id, functools.partial(_enqueue_sync, sync=PRODUCT_SYNC))


def product_deleted(event_id: int) -> str:
    """product.deleted (moved to the trash): archive it, orders keep pointing at it."""
    return run_event(event_id, functools.partial(_enqueue_sync, sync=PRODUCT_ARCHIVE))


def order_changed(event_id: int) -> str:
    """order.created, order.updated: sync that one order (and queue its production)."""
    return run_event(event_id, functools.partial(_enqueue_sync, sync=ORDER_SYNC))
