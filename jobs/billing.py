"""Billing jobs: Stripe events, overage reporting, and production that waited for a plan.

``stripe_event`` applies one recorded event (``app.billing.stripe_events``) and marks it
processed, ignored or failed (re-raised, so RQ retries with backoff). ``report_usage`` sends a
shop's unreported overage to Shopify or Stripe; ``sweep`` runs every 15 minutes from the
scheduler and hands both that and ``resume_production`` their shops.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from app.billing import quota, stripe_events, subscriptions, usage_report
from app.db import utcnow
from app.extensions import get_db, get_redis
from app.models import BillingEvent, ProductionJob, ProductionStatus, Shop, UsageKind
from app.production.enqueue import enqueue_production
from app.queue import enqueue
from app.webhook_events import claim, record_failure

log = logging.getLogger(__name__)

_MAX_ERROR = 2000


def stripe_event(event_id: int) -> str:
    """Apply a recorded Stripe event once (claimed first, as webhook events are); how it ended."""
    try:
        with get_db().session() as session:
            if not claim(session, BillingEvent, event_id):
                return "skipped"
            event = session.get(BillingEvent, event_id)
            if event is None:
                return "skipped"
            grace = int(current_app.config["BILLING_GRACE_DAYS"])
            outcome = stripe_events.handle(session, event, grace)
            event.status = "processed" if outcome.changed else "ignored"
            event.error = outcome.why_not
            event.processed_at = utcnow()
            event.shop_id = event.shop_id or outcome.shop_id
            if outcome.changed and outcome.shop_id is not None:
                subscriptions.resume_production_after_commit(session, get_redis(), outcome.shop_id)
            return event.status
    except Exception as exc:
        with get_db().session() as session:
            error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
            record_failure(session, BillingEvent, event_id, error)
        raise


def report_usage(shop_id: int) -> dict[str, int]:
    """Send the shop's unreported overage to its provider (idempotent per usage record)."""
    with get_db().session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None:
            return {"reported": 0, "skipped": 0}
        report = usage_report.report_shop(session, shop, current_app.config)
        return {"reported": report.reported, "skipped": report.skipped}


def resume_production(shop_id: int) -> int:
    """Re-queue the shop's quota-blocked production when its plan allows another order."""
    with get_db().session() as session:
        shop = session.get(Shop, shop_id)
        blocked = subscriptions.quota_blocked_jobs(session, shop_id) if shop else []
        if shop is None or not blocked:
            return 0
        try:
            quota.check(session, shop, UsageKind.PRODUCED_ORDER)
        except quota.QuotaExceeded:
            return 0
        enqueue_production(session, [(job.id, shop_id) for job in blocked])
        session.commit()
        log.info("production resumed", extra={"shop_id": shop_id, "jobs": len(blocked)})
        return len(blocked)


def sweep() -> dict[str, int]:
    """Periodic: report overage everywhere, retry blocked production (a new period starts)."""
    redis = get_redis()
    with get_db().session() as session:
        usage_shops = usage_report.shops_with_unreported(session)
        blocked = select(ProductionJob.shop_id).where(
            ProductionJob.status == ProductionStatus.QUEUED,
            ProductionJob.quota_blocked_at.is_not(None),
        )
        blocked_shops = sorted(set(session.scalars(blocked)))
    for shop_id in usage_shops:
        enqueue(redis, usage_report.report_usage_spec(shop_id))
    for shop_id in blocked_shops:
        enqueue(redis, subscriptions.resume_production_spec(shop_id))
    return {"usage_shops": len(usage_shops), "blocked_shops": len(blocked_shops)}
