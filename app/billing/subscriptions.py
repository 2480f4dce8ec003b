"""A payment provider's view of a subscription, applied to Luneo's row in order, once.

Shopify and Stripe both deliver state changes as events that can arrive late, twice or out of
order. Each change is applied with the moment the provider produced it (``ProviderState.at``):
a state older than the one already applied changes nothing, a cancelled subscription stays
cancelled, and "pending" never follows anything. A failed payment starts the grace period
(``BILLING_GRACE_DAYS``); ``quota.effective_plan`` falls back to the free plan's limits after it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.billing import quota
from app.billing.plans import FREE, PLANS, Plan
from app.db import as_utc
from app.models import (
    BillingInterval,
    BillingProvider,
    ProductionJob,
    ProductionStatus,
    Shop,
    ShopScope,
    Subscription,
    SubscriptionStatus,
)
from app.queue import JobSpec, enqueue_after_commit

log = logging.getLogger(__name__)

_LIVE = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE)


@dataclass(frozen=True)
class ProviderState:
    """One observation of a subscription at the provider; None fields are left as they are."""

    status: SubscriptionStatus
    at: datetime
    plan: str | None = None
    interval: BillingInterval | None = None
    trial_ends_at: datetime | None = None
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None
    customer_id: str | None = None
    usage_line_item_id: str | None = None
    is_test: bool | None = None


def plan_key(name: str | None) -> str | None:
    """A plan key from a key or a display name ("Pro", "pro"); None when it is no plan of ours."""
    wanted = (name or "").strip().lower()
    for plan in PLANS.values():
        if wanted in (plan.key, plan.name.lower()):
            return plan.key
    return None


def find(session: Session, provider: BillingProvider, external_id: str) -> Subscription | None:
    stmt = select(Subscription).where(
        Subscription.provider == provider, Subscription.external_id == external_id
    )
    return session.scalars(stmt).one_or_none()


def adopt(
    session: Session, shop: Shop, provider: BillingProvider, external_id: str, plan: str
) -> Subscription:
    """The row for the provider's subscription, created (pending) when Luneo has none yet."""
    row = find(session, provider, external_id)
    if row is None:
        row = Subscription(
            shop_id=shop.id,
            plan=plan,
            provider=provider,
            external_id=external_id,
            status=SubscriptionStatus.PENDING,
        )
        session.add(row)
        session.flush()
    return row


def answered_now(row: Subscription, now: datetime) -> datetime:
    """The moment of a provider's answer to our own request: never older than what we applied
    (a provider's clock may run ahead of ours; its answer is still the newest state)."""
    last = as_utc(row.state_at)
    return max(now, last) if last is not None else now


def _stale(row: Subscription, state: ProviderState) -> str | None:
    """Why ``state`` must not be applied to ``row``, or None."""
    last = as_utc(row.state_at)
    if last is not None and as_utc(state.at) < last:
        return "older than the state already applied"
    if row.status is SubscriptionStatus.CANCELLED and state.status is not row.status:
        return "the subscription is already cancelled"
    if state.status is SubscriptionStatus.PENDING and row.status is not state.status:
        return "pending never follows another state"
    return None


def _copy_fields(row: Subscription, state: ProviderState) -> None:
    for name in (
        "plan",
        "interval",
        "trial_ends_at",
        "current_period_start",
        "current_period_end",
        "customer_id",
        "usage_line_item_id",
        "is_test",
    ):
        value = getattr(state, name)
        if value is not None:
            setattr(row, name, value)


def apply(
    session: Session, shop: Shop, row: Subscription, state: ProviderState, grace_days: int
) -> bool:
    """Apply ``state`` unless it is stale; whether the row changed. The shop's plan follows."""
    reason = _stale(row, state)
    if reason is not None:
        log.info("subscription state not applied", extra={"subscription_id": row.id, "why": reason})
        return False
    before = row.status
    _copy_fields(row, state)
    row.status = state.status
    row.state_at = state.at
    if state.status is SubscriptionStatus.PAST_DUE:
        row.grace_until = as_utc(row.grace_until) or state.at + timedelta(days=grace_days)
    elif state.status in _LIVE:
        row.grace_until = None
    if state.status is SubscriptionStatus.CANCELLED:
        row.cancelled_at = row.cancelled_at or state.at
    session.flush()
    sync_shop_plan(session, shop)
    log.info(
        "subscription state applied",
        extra={"subscription_id": row.id, "from": before.value, "to": row.status.value},
    )
    return True


def sync_shop_plan(session: Session, shop: Shop) -> None:
    """``Shop.plan`` names the plan of the deciding subscription (free when there is none)."""
    current = quota.current_subscription(session, shop.id)
    shop.plan = current.plan if current is not None else FREE.key


def cancel_others(session: Session, shop: Shop, keep: Subscription, at: datetime) -> None:
    """A new subscription replaces the shop's others at the same provider (a plan change)."""
    scope = ShopScope(session, shop.id)
    stmt = scope.select(Subscription).where(
        Subscription.id != keep.id,
        Subscription.provider == keep.provider,
        Subscription.status.in_(_LIVE),
    )
    for other in session.scalars(stmt):
        other.status = SubscriptionStatus.CANCELLED
        other.cancelled_at = other.cancelled_at or at
        other.state_at = max(as_utc(other.state_at) or at, at)
    session.flush()


def _had_a_paid_plan(session: Session, shop: Shop) -> bool:
    """A subscription that ran (not one the merchant left unapproved or unpaid)."""
    ran = or_(
        Subscription.status.in_(
            (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
        ),
        Subscription.current_period_end.is_not(None),
    )
    stmt = select(Subscription.id).where(Subscription.shop_id == shop.id, ran).limit(1)
    return session.scalar(stmt) is not None


def trial_days_left(session: Session, shop: Shop, plan: Plan, now: datetime) -> int:
    """A trial is offered once per shop: a later plan gets what is left of the first one, and
    a shop that already paid for a plan without a trial gets none."""
    stmt = (
        select(Subscription.trial_ends_at)
        .where(Subscription.shop_id == shop.id, Subscription.trial_ends_at.is_not(None))
        .order_by(Subscription.trial_ends_at)
        .limit(1)
    )
    first_end = as_utc(session.scalar(stmt))
    if first_end is None:
        return 0 if _had_a_paid_plan(session, shop) else plan.trial_days
    left = math.ceil((first_end - now).total_seconds() / 86400)
    return max(0, min(plan.trial_days, left))


def quota_blocked_jobs(session: Session, shop_id: int) -> list[ProductionJob]:
    scope = ShopScope(session, shop_id)
    stmt = scope.select(ProductionJob).where(
        ProductionJob.status == ProductionStatus.QUEUED,
        ProductionJob.quota_blocked_at.is_not(None),
    )
    return list(session.scalars(stmt.order_by(ProductionJob.id)))


def resume_production_spec(shop_id: int) -> JobSpec:
    """The job that re-queues the shop's quota-blocked production if its plan now allows it."""
    return JobSpec(
        "default",
        "jobs.billing.resume_production",
        (shop_id,),
        job_id=f"billing-resume-{shop_id}",
        meta={"shop_id": shop_id},
    )


def resume_production_after_commit(session: Session, redis: Redis, shop_id: int) -> None:
    """After a plan change: hand the shop's quota-blocked production back to the workers."""
    enqueue_after_commit(session, redis, resume_production_spec(shop_id))
