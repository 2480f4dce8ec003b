"""WooCommerce merchants pay through Stripe: Checkout, the customer portal, metered overage.

Prices live in Stripe and are found by lookup key, so plans.py and the Stripe dashboard meet
on names, never on ids pasted into settings: ``luneo_<plan>_<month|year>`` is the plan's
recurring price; ``luneo_<plan>_<month|year>_ai_overage`` and ``..._order_overage`` are metered
prices attached to the Billing Meters ``METER_EVENTS`` names (usage reported as meter events).
The SDK's own ``StripeClient`` is used, pointed at ``STRIPE_API_BASE`` when set (tests, staging).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.billing import subscriptions
from app.billing.plans import Plan
from app.models import (
    BillingInterval,
    BillingProvider,
    Shop,
    Subscription,
    SubscriptionStatus,
    UsageKind,
)

METER_EVENTS = {
    UsageKind.AI_GENERATION: "luneo_ai_generations",
    UsageKind.PRODUCED_ORDER: "luneo_produced_orders",
}
OVERAGE_SUFFIX = {UsageKind.AI_GENERATION: "ai_overage", UsageKind.PRODUCED_ORDER: "order_overage"}


class NoStripeCustomer(LookupError):
    """The shop never subscribed through Stripe: there is no customer to open a portal for."""


class StripeNotConfigured(RuntimeError):
    """STRIPE_SECRET_KEY is not set: Stripe billing cannot be offered."""


def client(settings: Mapping[str, Any]) -> stripe.StripeClient:
    key = settings["STRIPE_SECRET_KEY"]
    if not key:
        raise StripeNotConfigured("Stripe billing is not configured (STRIPE_SECRET_KEY).")
    base = settings["STRIPE_API_BASE"]
    addresses: Any = {"api": str(base).rstrip("/")} if base else None
    return stripe.StripeClient(str(key), base_addresses=addresses, max_network_retries=2)


def lookup_key(plan: Plan, interval: BillingInterval, suffix: str = "") -> str:
    return f"luneo_{plan.key}_{interval.value}" + (f"_{suffix}" if suffix else "")


def price_ids(api: stripe.StripeClient, keys: list[str]) -> dict[str, str]:
    """Active price ids by lookup key; a missing recurring price is a configuration error."""
    listed = api.v1.prices.list(params={"lookup_keys": keys, "active": True, "limit": 100})
    return {price.lookup_key: price.id for price in listed.data if price.lookup_key}


def _line_items(api: stripe.StripeClient, plan: Plan, interval: BillingInterval) -> list[Any]:
    base = lookup_key(plan, interval)
    metered = [
        lookup_key(plan, interval, OVERAGE_SUFFIX[kind])
        for kind, price in (
            (UsageKind.AI_GENERATION, plan.ai_generation_overage),
            (UsageKind.PRODUCED_ORDER, plan.order_overage),
        )
        if price is not None
    ]
    found = price_ids(api, [base, *metered])
    if base not in found:
        raise StripeNotConfigured(f"no active Stripe price with lookup key {base!r}")
    # Metered prices take no quantity: usage arrives through meter events.
    return [
        {"price": found[base], "quantity": 1},
        *({"price": found[k]} for k in metered if k in found),
    ]


def customer_id(session: Session, shop: Shop) -> str | None:
    """The shop's Stripe customer, from its most recent Stripe subscription."""
    stmt = (
        select(Subscription.customer_id)
        .where(
            Subscription.shop_id == shop.id,
            Subscription.provider == BillingProvider.STRIPE,
            Subscription.customer_id.is_not(None),
        )
        .order_by(Subscription.created_at.desc(), Subscription.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def checkout_url(
    session: Session,
    shop: Shop,
    plan: Plan,
    interval: BillingInterval,
    settings: Mapping[str, Any],
    *,
    success_url: str,
    cancel_url: str,
    now: datetime,
) -> str:
    """A Checkout Session in subscription mode for ``plan``; the URL to send the merchant to."""
    api = client(settings)
    metadata = {"shop_id": str(shop.id), "plan": plan.key, "interval": interval.value}
    trial_days = subscriptions.trial_days_left(session, shop, plan, now)
    subscription_data: dict[str, Any] = {"metadata": metadata}
    if trial_days:
        subscription_data["trial_period_days"] = trial_days
    params: Any = {
        "mode": "subscription",
        "line_items": _line_items(api, plan, interval),
        "client_reference_id": str(shop.id),
        "metadata": metadata,
        "subscription_data": subscription_data,
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    existing = customer_id(session, shop)
    if existing:
        params["customer"] = existing
    elif shop.email:
        params["customer_email"] = shop.email
    created = api.v1.checkout.sessions.create(params=params)
    if not created.url:
        raise stripe.StripeError("Stripe answered a Checkout Session without a URL")
    return str(created.url)


def portal_url(
    session: Session,
    shop: Shop,
    settings: Mapping[str, Any],
    return_url: str,
    change: Subscription | None = None,
) -> str:
    """The Stripe customer portal (card, invoices, plan changes) for the shop's customer;
    with ``change``, opened on the plan change of that subscription."""
    customer = customer_id(session, shop)
    if customer is None:
        raise NoStripeCustomer("This store has no Stripe subscription yet: choose a plan first.")
    params: Any = {"customer": customer, "return_url": return_url}
    if change is not None and change.external_id:
        params["flow_data"] = {
            "type": "subscription_update",
            "subscription_update": {"subscription": change.external_id},
            "after_completion": {"type": "redirect", "redirect": {"return_url": return_url}},
        }
    return str(client(settings).v1.billing_portal.sessions.create(params=params).url)


def live_subscription(session: Session, shop: Shop) -> Subscription | None:
    """The shop's Stripe subscription that is still billing, if any."""
    stmt = select(Subscription).where(
        Subscription.shop_id == shop.id,
        Subscription.provider == BillingProvider.STRIPE,
        Subscription.status.in_(
            [SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE]
        ),
    )
    return session.scalars(stmt.order_by(Subscription.id.desc())).first()


def cancel(session: Session, shop: Shop, settings: Mapping[str, Any], now: datetime) -> int:
    """Back to the free plan: cancel the shop's live Stripe subscriptions now."""
    stmt = select(Subscription).where(
        Subscription.shop_id == shop.id,
        Subscription.provider == BillingProvider.STRIPE,
        Subscription.status.in_(
            [SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE]
        ),
    )
    rows = [row for row in session.scalars(stmt) if row.external_id]
    grace = int(settings["BILLING_GRACE_DAYS"] or 0)
    for row in rows:
        cancelled = client(settings).v1.subscriptions.cancel(str(row.external_id))
        at = subscriptions.answered_now(row, now)
        state = subscriptions.ProviderState(status=status_of(cancelled.status), at=at)
        subscriptions.apply(session, shop, row, state, grace)
    subscriptions.sync_shop_plan(session, shop)
    return len(rows)


STRIPE_STATUS = {
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.PAST_DUE,  # retries exhausted: the grace period runs out
    "paused": SubscriptionStatus.PAST_DUE,  # trial ended without a payment method
    "incomplete": SubscriptionStatus.PENDING,
    "incomplete_expired": SubscriptionStatus.CANCELLED,
    "canceled": SubscriptionStatus.CANCELLED,
}


def status_of(raw: str | None) -> SubscriptionStatus:
    return STRIPE_STATUS.get(str(raw or ""), SubscriptionStatus.PENDING)


def report_meter_event(
    api: stripe.StripeClient,
    kind: UsageKind,
    customer: str,
    value: int,
    identifier: str,
    at: datetime,
) -> str:
    """Send overage units as a Billing Meter event; Stripe drops a repeated ``identifier``."""
    event = api.v1.billing.meter_events.create(
        params={
            "event_name": METER_EVENTS[kind],
            "payload": {"stripe_customer_id": customer, "value": str(value)},
            "identifier": identifier,
            "timestamp": int(at.timestamp()),
        },
        options={"idempotency_key": identifier},  # a retried request is answered, not redone
    )
    return str(event.identifier)
