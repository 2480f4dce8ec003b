"""Jobs for recorded Shopify webhook deliveries (the compliance topics are in ``jobs.privacy``).

Each job takes a ``WebhookEvent`` id, re-loads the row, does its work in one transaction and
marks the event: processed, ignored (nothing to do, e.g. a shop Luneo does not know) or failed
with the error, which is then re-raised so RQ retries with backoff. A processed event is never
handled again, and every handler is safe to run twice anyway.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session

from app.billing import subscriptions
from app.billing.shopify_billing import SHOPIFY_STATUS
from app.billing.subscriptions import ProviderState
from app.db import utcnow
from app.extensions import get_db, get_redis
from app.models import (
    BillingInterval,
    BillingProvider,
    Shop,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookStatus,
)
from app.webhook_events import claim, record_failure
from app.queue import JobSpec, enqueue_after_commit, get_queue

log = logging.getLogger(__name__)

# A handler changes rows through the session and says how the event ended.
Handler = Callable[[Session, WebhookEvent], WebhookStatus]

SHOP_QUEUES = ("sync", "render", "ai")  # never "default": compliance jobs must still run
_WAITING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED})
_MAX_ERROR = 2000

# Shopify's AppSubscriptionStatus values, as Luneo's subscription states.
SUBSCRIPTION_STATUS = SHOPIFY_STATUS
INTERVALS = {"every_30_days": BillingInterval.MONTH, "annual": BillingInterval.YEAR}


# ---------------------------------------------------------------------------- running
def run_event(event_id: int, handler: Handler) -> str:
    """Run ``handler`` on the event in one transaction and record how it ended.

    The run first claims the event (``app.webhook_events.claim``): a second run of the same
    event, concurrent or later (a job handed over twice after a Redis outage), does nothing.
    """
    try:
        with get_db().session() as session:
            if not claim(session, WebhookEvent, event_id):
                return "skipped"
            event = session.get(WebhookEvent, event_id)
            if event is None:
                return "skipped"
            status = handler(session, event)
            event.status = status
            event.processed_at = utcnow()
            if status is WebhookStatus.PROCESSED:
                event.error = None
            return status.value
    except Exception as exc:
        _record_failure(event_id, exc)
        raise


def _record_failure(event_id: int, exc: Exception) -> None:
    with get_db().session() as session:
        error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
        record_failure(session, WebhookEvent, event_id, error)
    log.warning("webhook job failed", extra={"event_id": event_id})


def ignored(event: WebhookEvent, reason: str) -> WebhookStatus:
    """Nothing to do for this event; the reason stays on the row for whoever looks."""
    event.error = reason
    log.info("shopify webhook ignored", extra={"event_id": event.id, "reason": reason})
    return WebhookStatus.IGNORED


def event_shop(session: Session, event: WebhookEvent) -> Shop | None:
    return session.get(Shop, event.shop_id) if event.shop_id is not None else None


def installed_since(shop: Shop, event: WebhookEvent) -> bool:
    """The merchant installed Luneo (again) after Shopify sent this event: it is out of date."""
    return shop.installed_at is not None and shop.installed_at > event.received_at


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


def _job_key(gid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", gid.rsplit("/", 1)[-1])


def _job_status(redis: Redis, job_id: str) -> JobStatus | None:
    try:
        return Job.fetch(job_id, connection=redis).get_status(refresh=True)
    except NoSuchJobError:
        return None


def collapsed(redis: Redis, spec: JobSpec) -> JobSpec | None:
    """The spec to enqueue, or None when a run that has not started will see this change anyway.

    A burst of updates shares one waiting run. A run already started may have read the resource
    before this change, so one follow-up run (``-next``) is queued behind it instead.
    """
    if spec.job_id is None:
        return spec
    for job_id in (spec.job_id, f"{spec.job_id}-next"):
        status = _job_status(redis, job_id)
        if status in _WAITING:
            return None
        if status is not JobStatus.STARTED:
            return replace(spec, job_id=job_id)
    return replace(spec, job_id=None)


@dataclass(frozen=True)
class NarrowSync:
    """The sync job one resource topic hands its resource to."""

    resource: str  # the GraphQL type in the gid: Product, Order
    job_prefix: str  # RQ job id prefix; the shop and the resource's id follow
    func: str


PRODUCT_SYNC = NarrowSync("Product", "sync-product", "jobs.sync.sync_product")
PRODUCT_ARCHIVE = NarrowSync("Product", "archive-product", "jobs.sync.archive_product")
ORDER_SYNC = NarrowSync("Order", "sync-order", "jobs.sync.sync_order")


def _enqueue_sync(session: Session, event: WebhookEvent, sync: NarrowSync) -> WebhookStatus:
    """Hand a product or order to its narrow sync job; the sync re-reads it from Shopify."""
    shop = event_shop(session, event)
    if shop is None or not shop.is_installed:
        return ignored(event, "the shop is not installed")
    gid = _resource_gid(event.payload, sync.resource)
    if gid is None:
        return ignored(event, f"no {sync.resource.lower()} id in the payload")
    job_id = f"{sync.job_prefix}-{shop.id}-{_job_key(gid)}"
    spec = collapsed(get_redis(), JobSpec("sync", sync.func, (shop.id, gid), job_id=job_id))
    if spec is not None:
        enqueue_after_commit(session, get_redis(), spec)
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
def _moment(raw: Any, fallback: datetime) -> datetime:
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return fallback


def _webhook_state(data: dict[str, Any], row: Subscription, at: datetime) -> ProviderState:
    status = SUBSCRIPTION_STATUS[str(data.get("status", "")).upper()]
    trial_end = subscriptions.aware(row.trial_ends_at)
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
    at = _moment(data.get("updated_at"), event.received_at)
    grace = int(current_app.config["BILLING_GRACE_DAYS"])
    if subscriptions.apply(session, shop, row, _webhook_state(data, row, at), grace):
        if row.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
            subscriptions.cancel_others(session, shop, row, at)
        subscriptions.resume_production_after_commit(session, get_redis(), shop.id)
    return WebhookStatus.PROCESSED


def subscription_updated(event_id: int) -> str:
    """app_subscriptions/update: the Subscription row and the shop's plan follow Shopify."""
    return run_event(event_id, _subscription_update)
