"""The one quota guard: AI generations, produced orders and plan features all ask it.

Usage is counted from UsageRecord rows in the current billing period. :func:`reserve` locks the
shop's row while it counts and records, so a burst of concurrent requests cannot all slip under
the limit. Past the included amount a paid plan records overage (billed by the provider); the free
plan, or a paid plan whose overage cap is reached, refuses with :class:`QuotaExceeded`, whose
message a merchant or shopper can read and whose ``upgrade_path`` leads to the pricing page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.billing.plans import FREE, Feature, Plan, UnknownPlan, get_plan
from app.db import as_utc
from app.models import (
    BillingProvider,
    Shop,
    Subscription,
    SubscriptionStatus,
    UsageKind,
    UsageRecord,
)

UPGRADE_PATH = "/admin/billing"

_LABELS = {UsageKind.AI_GENERATION: "AI generations", UsageKind.PRODUCED_ORDER: "produced orders"}


class QuotaExceeded(Exception):
    """Refused: the shop's plan does not allow this (more) usage."""

    def __init__(self, kind: UsageKind | None, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.upgrade_path = UPGRADE_PATH


class FeatureNotInPlan(QuotaExceeded):
    def __init__(self, feature: Feature, plan: Plan) -> None:
        super().__init__(None, f"{feature.value} is not included in the {plan.name} plan.")
        self.feature = feature


@dataclass(frozen=True)
class Allowance:
    """Where a shop stands on one metric this period."""

    kind: UsageKind
    plan: Plan
    used: int
    included: int
    period_start: datetime
    # False while nothing can bill overage (a trial, a Shopify annual plan): a hard limit.
    overage_enabled: bool = True

    @property
    def remaining_included(self) -> int:
        return max(0, self.included - self.used)

    @property
    def overage_units(self) -> int:
        return max(0, self.used - self.included)

    @property
    def unit_overage_price(self) -> Decimal | None:
        if not self.overage_enabled:
            return None
        if self.kind is UsageKind.AI_GENERATION:
            return self.plan.ai_generation_overage
        return self.plan.order_overage


_DECIDING = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)


def current_subscription(session: Session, shop_id: int) -> Subscription | None:
    """The subscription that decides the plan: the newest one not cancelled or still pending."""
    stmt = (
        select(Subscription)
        .where(
            Subscription.shop_id == shop_id,
            Subscription.status.in_(
                [
                    SubscriptionStatus.TRIALING,
                    SubscriptionStatus.ACTIVE,
                    SubscriptionStatus.PAST_DUE,
                ]
            ),
        )
        .order_by(Subscription.created_at.desc(), Subscription.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def effective_plan(session: Session, shop: Shop, now: datetime | None = None) -> Plan:
    """The plan whose limits apply now: a failed payment keeps it until the grace period ends."""
    now = now or datetime.now(UTC)
    subscription = current_subscription(session, shop.id)
    if subscription is None:
        key = shop.plan
    elif subscription.status is SubscriptionStatus.PAST_DUE:
        grace = as_utc(subscription.grace_until)
        key = subscription.plan if grace is not None and now < grace else FREE.key
    else:
        key = subscription.plan
    try:
        return get_plan(key)
    except UnknownPlan:
        return FREE


def period_start(session: Session, shop: Shop, now: datetime | None = None) -> datetime:
    """Start of the billing period: the subscription's, else the calendar month (UTC)."""
    now = now or datetime.now(UTC)
    subscription = current_subscription(session, shop.id)
    start = as_utc(subscription.current_period_start) if subscription else None
    if start is not None and start <= now:
        return start
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def in_trial(subscription: Subscription, now: datetime) -> bool:
    """Trialing until the trial's end, even when no provider event marks that moment."""
    if subscription.status is not SubscriptionStatus.TRIALING:
        return False
    end = as_utc(subscription.trial_ends_at)
    return end is None or now < end


def overage_billable(subscription: Subscription | None, now: datetime) -> bool:
    """Whether overage can be charged: not in a trial, and Shopify only on a usage line item."""
    if subscription is None or in_trial(subscription, now):
        return False
    if subscription.provider is BillingProvider.SHOPIFY:
        return subscription.usage_line_item_id is not None
    return subscription.provider is BillingProvider.STRIPE


def allowance(
    session: Session, shop: Shop, kind: UsageKind, now: datetime | None = None
) -> Allowance:
    plan = effective_plan(session, shop, now)
    start = period_start(session, shop, now)
    subscription = current_subscription(session, shop.id)
    # A plan set on the shop without a provider subscription (operator, tests) bills as sold.
    billable = subscription is None or overage_billable(subscription, now or datetime.now(UTC))
    used = session.scalar(
        select(func.coalesce(func.sum(UsageRecord.quantity), 0)).where(
            UsageRecord.shop_id == shop.id,
            UsageRecord.kind == kind,
            UsageRecord.occurred_at >= start,
        )
    )
    included = (
        plan.included_ai_generations if kind is UsageKind.AI_GENERATION else plan.included_orders
    )
    return Allowance(kind, plan, int(used or 0), included, start, billable)


def require_feature(session: Session, shop: Shop, feature: Feature) -> None:
    plan = effective_plan(session, shop)
    if feature not in plan.features:
        raise FeatureNotInPlan(feature, plan)


def has_feature(session: Session, shop: Shop, feature: Feature) -> bool:
    return feature in effective_plan(session, shop).features


def _refusal(state: Allowance, quantity: int) -> str | None:
    """Why ``quantity`` more units are refused, or None when they are allowed."""
    label = _LABELS[state.kind]
    if state.used + quantity <= state.included:
        return None
    price = state.unit_overage_price
    if price is None:
        return (
            f"This store has used its {state.included} {label} for this month on the "
            f"{state.plan.name} plan. Upgrade to continue."
        )
    overage_after = Decimal(max(0, state.used + quantity - state.included)) * price
    if overage_after > state.plan.overage_cap:
        return (
            f"This store reached its {state.plan.name} plan's overage cap for {label} "
            f"this period. Upgrade or raise the cap to continue."
        )
    return None


def check(session: Session, shop: Shop, kind: UsageKind, quantity: int = 1) -> Allowance:
    """Raise QuotaExceeded if ``quantity`` more units would be refused; record nothing."""
    state = allowance(session, shop, kind)
    reason = _refusal(state, quantity)
    if reason:
        raise QuotaExceeded(kind, reason)
    return state


def reserve(
    session: Session, shop: Shop, kind: UsageKind, idempotency_key: str, quantity: int = 1
) -> UsageRecord:
    """Count ``quantity`` units against the shop's quota, once per idempotency key.

    The shop row is locked (``FOR UPDATE`` on PostgreSQL; SQLite serializes writers) so that the
    count and the insert are one step for concurrent requests. The caller commits — or rolls back
    to give the units back. A second call with the same key returns the first record.
    """
    session.execute(select(Shop.id).where(Shop.id == shop.id).with_for_update())
    existing = session.scalars(
        select(UsageRecord).where(
            UsageRecord.shop_id == shop.id, UsageRecord.idempotency_key == idempotency_key
        )
    ).one_or_none()
    if existing is not None:
        return existing
    state = check(session, shop, kind, quantity)
    subscription = current_subscription(session, shop.id)
    record = UsageRecord(
        shop_id=shop.id,
        subscription_id=subscription.id if subscription else None,
        kind=kind,
        quantity=quantity,
        overage_quantity=min(quantity, max(0, state.used + quantity - state.included)),
        idempotency_key=idempotency_key,
    )
    session.add(record)
    session.flush()
    return record


def release(session: Session, record: UsageRecord) -> None:
    """Give units back: e.g. a generation that moderation refused is not charged."""
    session.delete(record)
    session.flush()
