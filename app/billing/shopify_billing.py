"""Shopify merchants pay through Shopify's Billing API (an App Store rule): the service side.

Choosing a paid plan creates an app subscription (a recurring line item, monthly or annual,
plus a usage line item capped at the plan's overage cap on monthly plans: Shopify combines
usage charges with 30-day intervals only) and returns the confirmation URL the merchant
approves at, top-level. Shopify sends the merchant back to ``return_url`` inside the embedded
admin, where ``sync_active`` asks Shopify which subscription is active now: the return URL's
``charge_id`` is never trusted on its own. Going back to the free plan cancels the subscription.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.billing import subscriptions
from app.billing.plans import Plan
from app.billing.subscriptions import ProviderState
from app.models import (
    BillingInterval,
    BillingProvider,
    Shop,
    ShopScope,
    Subscription,
    SubscriptionStatus,
)
from app.shopify import tokens
from connectors.shopify import billing as api
from connectors.shopify.client import ShopifyGraphQL

CURRENCY = "USD"  # plans.py prices are in USD; Shopify converts for the merchant
INTERVALS = {BillingInterval.MONTH: api.MONTHLY, BillingInterval.YEAR: api.ANNUAL}
SHOPIFY_STATUS = {
    "ACTIVE": SubscriptionStatus.ACTIVE,
    "ACCEPTED": SubscriptionStatus.PENDING,  # deprecated by Shopify: approved, not yet active
    "PENDING": SubscriptionStatus.PENDING,
    "FROZEN": SubscriptionStatus.PAST_DUE,  # the store's own Shopify bill is unpaid
    "CANCELLED": SubscriptionStatus.CANCELLED,
    "DECLINED": SubscriptionStatus.CANCELLED,
    "EXPIRED": SubscriptionStatus.CANCELLED,  # never approved in time
}


def client(shop: Shop, settings: Mapping[str, Any]) -> ShopifyGraphQL:
    """The shop's Admin client, its expiring token renewed by ``app.shopify.tokens``."""
    return tokens.admin_client(shop, settings)


def test_charges(shop: Shop, settings: Mapping[str, Any]) -> bool:
    """Development stores cannot be charged; outside production nothing is charged either."""
    return shop.is_development or str(settings["BILLING_TEST_CHARGES"]).lower() == "true"


def return_url(shop: Shop, settings: Mapping[str, Any]) -> str:
    """Back into the embedded admin's billing page (Shopify appends ``charge_id``)."""
    store = shop.domain.removesuffix(".myshopify.com")
    return (
        f"https://admin.shopify.com/store/{store}/apps/{settings['SHOPIFY_API_KEY']}/admin/billing"
    )


def usage_terms(plan: Plan) -> str:
    parts = []
    if plan.ai_generation_overage is not None:
        parts.append(
            f"${plan.ai_generation_overage} per AI generation past {plan.included_ai_generations}"
        )
    if plan.order_overage is not None:
        parts.append(f"${plan.order_overage} per produced order past {plan.included_orders}")
    return f"{'; '.join(parts)} each 30 days, at most ${plan.overage_cap} per 30 days."


def _period(sub: api.AppSubscription) -> tuple[datetime | None, datetime | None]:
    end = sub.current_period_end
    if end is None:
        return None, None
    days = 365 if sub.interval == api.ANNUAL else 30
    return end - timedelta(days=days), end


def state_of(sub: api.AppSubscription, now: datetime) -> ProviderState:
    """Luneo's view of what Shopify reports; an ACTIVE subscription in its trial is trialing."""
    status = SHOPIFY_STATUS.get(sub.status, SubscriptionStatus.PENDING)
    trial_end = sub.created_at + timedelta(days=sub.trial_days) if sub.trial_days else None
    if status is SubscriptionStatus.ACTIVE and trial_end is not None and now < trial_end:
        status = SubscriptionStatus.TRIALING
    start, end = _period(sub)
    interval = BillingInterval.YEAR if sub.interval == api.ANNUAL else BillingInterval.MONTH
    return ProviderState(
        status=status,
        at=now,
        plan=subscriptions.plan_key(sub.name),
        interval=interval,
        trial_ends_at=trial_end,
        current_period_start=start,
        current_period_end=end,
        usage_line_item_id=sub.usage_line_item_id,
        is_test=sub.test,
    )


def subscribe(
    session: Session,
    shop: Shop,
    plan: Plan,
    interval: BillingInterval,
    settings: Mapping[str, Any],
    now: datetime,
) -> str:
    """Create the subscription for ``plan`` (pending approval); the confirmation URL."""
    trial_days = subscriptions.trial_days_left(session, shop, plan, now)
    request = api.SubscriptionRequest(
        name=plan.name,
        price=plan.monthly_price if interval is BillingInterval.MONTH else plan.yearly_price,
        interval=INTERVALS[interval],
        currency=CURRENCY,
        return_url=return_url(shop, settings),
        trial_days=trial_days,
        test=test_charges(shop, settings),
        usage_cap=plan.overage_cap if plan.overage_cap > 0 else None,
        usage_terms=usage_terms(plan),
    )
    created, confirmation_url = api.create_subscription(client(shop, settings), request)
    row = subscriptions.adopt(session, shop, BillingProvider.SHOPIFY, created.id, plan.key)
    row.interval = interval
    row.usage_line_item_id = created.usage_line_item_id
    row.is_test = created.test
    row.trial_ends_at = now + timedelta(days=trial_days) if trial_days else None
    session.flush()
    return confirmation_url


def cancel(session: Session, shop: Shop, settings: Mapping[str, Any], now: datetime) -> int:
    """Back to the free plan: cancel every live Shopify subscription; how many were."""
    scope = ShopScope(session, shop.id)
    stmt = scope.select(Subscription).where(
        Subscription.provider == BillingProvider.SHOPIFY,
        Subscription.status.in_(
            [SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE]
        ),
    )
    rows = [row for row in session.scalars(stmt) if row.external_id]
    grace = int(settings["BILLING_GRACE_DAYS"] or 0)
    for row in rows:
        cancelled = api.cancel_subscription(client(shop, settings), str(row.external_id))
        at = subscriptions.answered_now(row, now)
        subscriptions.apply(session, shop, row, state_of(cancelled, at), grace)
    subscriptions.sync_shop_plan(session, shop)
    return len(rows)


def sync_active(
    session: Session, shop: Shop, settings: Mapping[str, Any], now: datetime
) -> Subscription | None:
    """Bring Luneo's rows in line with Shopify's active subscription; the active row, if any."""
    grace = int(settings["BILLING_GRACE_DAYS"] or 0)
    active_row = None
    for sub in api.active_subscriptions(client(shop, settings)):
        state = state_of(sub, now)
        row = subscriptions.adopt(
            session, shop, BillingProvider.SHOPIFY, sub.id, state.plan or sub.name.lower()[:32]
        )
        fresh = replace(state, at=subscriptions.answered_now(row, now))  # Shopify's answer now
        subscriptions.apply(session, shop, row, fresh, grace)
        if row.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
            active_row = row
    if active_row is not None:  # approved: it replaced the previous plan's subscription
        subscriptions.cancel_others(session, shop, active_row, now)
    subscriptions.sync_shop_plan(session, shop)
    return active_row
