"""What each recorded Stripe event does to a shop's subscription.

Every handler reads the event's own object (Stripe sends the object as it was when the event
happened) and applies it with the event's ``created`` time, so a late or replayed event never
takes a subscription back to an older state (``subscriptions.apply``). The shop is the one the
Checkout Session was created for (``client_reference_id`` / ``metadata.shop_id``), or the
owner of the subscription row the event names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.billing import subscriptions
from app.billing.plans import PLANS
from app.billing.stripe_billing import status_of
from app.billing.subscriptions import ProviderState
from app.db import as_utc
from app.models import (
    BillingEvent,
    BillingInterval,
    BillingProvider,
    Shop,
    Subscription,
    SubscriptionStatus,
)

JOB = "jobs.billing.stripe_event"  # applies one recorded event (app.webhook_events hands it over)
HANDLED = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)
_PRICE_KEY = re.compile(r"^luneo_(?P<plan>[a-z]+)_(?P<interval>month|year)$")


@dataclass(frozen=True)
class Outcome:
    """What a handler did; the job records it on the event row."""

    changed: bool
    why_not: str | None = None
    shop_id: int | None = None


def _no(reason: str) -> Outcome:
    return Outcome(False, reason)


def _from_unix(raw: Any) -> datetime | None:
    """Stripe's timestamps are Unix seconds."""
    return datetime.fromtimestamp(int(raw), UTC) if isinstance(raw, int | float) else None


def _shop(session: Session, raw: Any) -> Shop | None:
    shop_id = str(raw or "")
    return session.get(Shop, int(shop_id)) if shop_id.isdigit() else None


def _id(value: Any) -> str | None:
    """An id field Stripe sends as a string, or expanded as an object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _plan_from_items(sub: dict[str, Any]) -> tuple[str | None, BillingInterval | None]:
    """The plan from the recurring price's lookup key (plan changes in the portal change it)."""
    for item in (sub.get("items") or {}).get("data") or []:
        match = _PRICE_KEY.match(str((item.get("price") or {}).get("lookup_key") or ""))
        if match and match["plan"] in PLANS:
            return match["plan"], BillingInterval(match["interval"])
    metadata = sub.get("metadata") or {}
    plan = metadata.get("plan") if metadata.get("plan") in PLANS else None
    interval = metadata.get("interval")
    return plan, BillingInterval(interval) if interval in ("month", "year") else None


def _period(sub: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """Current period: on the subscription (older API versions) or on its items (2025-03+)."""
    start, end = sub.get("current_period_start"), sub.get("current_period_end")
    items = (sub.get("items") or {}).get("data") or []
    if start is None and items:
        start, end = items[0].get("current_period_start"), items[0].get("current_period_end")
    return _from_unix(start), _from_unix(end)


def _subscription_state(sub: dict[str, Any], at: datetime, deleted: bool) -> ProviderState:
    plan, interval = _plan_from_items(sub)
    start, end = _period(sub)
    status = SubscriptionStatus.CANCELLED if deleted else status_of(sub.get("status"))
    return ProviderState(
        status=status,
        at=at,
        plan=plan,
        interval=interval,
        trial_ends_at=_from_unix(sub.get("trial_end")),
        current_period_start=start,
        current_period_end=end,
        customer_id=_id(sub.get("customer")),
        is_test=not bool(sub.get("livemode", False)),
    )


def _row_for(session: Session, sub_id: str, shop: Shop | None, plan: str | None) -> Any:
    row = subscriptions.find(session, BillingProvider.STRIPE, sub_id)
    if row is None and shop is not None and plan is not None:
        row = subscriptions.adopt(session, shop, BillingProvider.STRIPE, sub_id, plan)
    return row


def _apply(session: Session, row: Subscription, state: ProviderState, grace: int) -> Outcome:
    shop = session.get(Shop, row.shop_id)
    if shop is None:
        return _no("the shop no longer exists")
    changed = subscriptions.apply(session, shop, row, state, grace)
    if changed and state.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        subscriptions.cancel_others(session, shop, row, state.at)
    why_not = None if changed else "older than the subscription's current state"
    return Outcome(changed, why_not, shop.id)


def _checkout_completed(session: Session, obj: dict[str, Any], at: datetime, grace: int) -> Outcome:
    sub_id = _id(obj.get("subscription"))
    metadata = obj.get("metadata") or {}
    shop = _shop(session, obj.get("client_reference_id") or metadata.get("shop_id"))
    plan = metadata.get("plan") if metadata.get("plan") in PLANS else None
    if obj.get("mode") != "subscription" or sub_id is None or shop is None or plan is None:
        return _no("not a Luneo subscription checkout")
    row = _row_for(session, sub_id, shop, plan)
    trial = row.trial_ends_at is not None or obj.get("payment_status") == "no_payment_required"
    status = SubscriptionStatus.TRIALING if trial else SubscriptionStatus.ACTIVE
    interval = metadata.get("interval")
    state = ProviderState(
        status=status,
        at=at,
        plan=plan,
        interval=BillingInterval(interval) if interval in ("month", "year") else None,
        customer_id=_id(obj.get("customer")),
    )
    if row.status is not SubscriptionStatus.PENDING:  # a subscription event got here first
        row.customer_id = row.customer_id or state.customer_id
        return Outcome(False, "the subscription's own events already set its state", shop.id)
    return _apply(session, row, state, grace)


def _subscription_event(
    session: Session, obj: dict[str, Any], at: datetime, grace: int, deleted: bool
) -> Outcome:
    sub_id = _id(obj.get("id"))
    if sub_id is None:
        return _no("no subscription id")
    state = _subscription_state(obj, at, deleted)
    shop = _shop(session, (obj.get("metadata") or {}).get("shop_id"))
    row = _row_for(session, sub_id, shop, state.plan)
    if row is None:
        return _no("not a Luneo subscription")
    return _apply(session, row, state, grace)


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    """The invoice's subscription: top-level (older API versions) or under ``parent``."""
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    return _id(invoice.get("subscription")) or _id(parent.get("subscription"))


def _invoice_event(
    session: Session, obj: dict[str, Any], at: datetime, grace: int, paid: bool
) -> Outcome:
    sub_id = _invoice_subscription(obj)
    row = subscriptions.find(session, BillingProvider.STRIPE, sub_id) if sub_id else None
    if row is None:
        return _no("not a Luneo subscription's invoice")
    if paid:
        free_trial_invoice = row.status is SubscriptionStatus.TRIALING and not obj.get(
            "amount_paid"
        )
        status = row.status if free_trial_invoice else SubscriptionStatus.ACTIVE
    else:
        status = SubscriptionStatus.PAST_DUE
    return _apply(session, row, ProviderState(status=status, at=at), grace)


def handle(session: Session, event: BillingEvent, grace_days: int) -> Outcome:
    """Apply one recorded event: whether a subscription changed, why not, and whose it is."""
    obj = ((event.payload.get("data") or {}).get("object")) or {}
    at = as_utc(event.created) or datetime.now(UTC)
    handlers: dict[str, Callable[[], Outcome]] = {
        "checkout.session.completed": lambda: _checkout_completed(session, obj, at, grace_days),
        "customer.subscription.created": lambda: _subscription_event(
            session, obj, at, grace_days, deleted=False
        ),
        "customer.subscription.updated": lambda: _subscription_event(
            session, obj, at, grace_days, deleted=False
        ),
        "customer.subscription.deleted": lambda: _subscription_event(
            session, obj, at, grace_days, deleted=True
        ),
        "invoice.paid": lambda: _invoice_event(session, obj, at, grace_days, paid=True),
        "invoice.payment_failed": lambda: _invoice_event(session, obj, at, grace_days, paid=False),
    }
    handler = handlers.get(event.type)
    if handler is None:
        return _no(f"{event.type} is not handled")
    return handler()
