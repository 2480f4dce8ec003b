"""A merchant chooses a plan: each platform's way of paying, behind one call.

Shopify stores pay through Shopify's Billing API, WooCommerce stores through Stripe Checkout.
A paid plan answers the URL the merchant must visit (top-level) to approve or pay; the plan
only changes once the provider confirms (return-URL verification on Shopify, webhooks on
Stripe). The free plan cancels the paid subscription at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.billing import shopify_billing, stripe_billing
from app.billing.plans import get_plan
from app.models import BillingInterval, Platform, Shop


class InvalidChoice(ValueError):
    """The request names no plan or interval Luneo sells."""


@dataclass(frozen=True)
class Choice:
    plan: str
    redirect_url: str | None  # where the merchant approves or pays; None when already done


@dataclass(frozen=True)
class StripeUrls:
    success: str  # back from a completed Checkout
    cancel: str  # back from a cancelled Checkout
    back: str  # back from the customer portal


def parse(plan_key: Any, interval: Any) -> tuple[str, BillingInterval]:
    if not isinstance(plan_key, str) or not plan_key:
        raise InvalidChoice("Choose a plan.")
    try:
        plan = get_plan(plan_key)
    except ValueError as exc:
        raise InvalidChoice(str(exc)) from None
    try:
        chosen = BillingInterval(interval or "month")
    except ValueError:
        raise InvalidChoice("interval must be 'month' or 'year'") from None
    return plan.key, chosen


def choose(
    session: Session,
    shop: Shop,
    plan_key: str,
    interval: BillingInterval,
    settings: Mapping[str, Any],
    urls: StripeUrls,
    now: datetime,
) -> Choice:
    plan = get_plan(plan_key)
    shopify = shop.platform is Platform.SHOPIFY
    if plan.is_free:
        if shopify:
            shopify_billing.cancel(session, shop, settings, now)
        else:
            stripe_billing.cancel(session, shop, settings, now)
        return Choice(plan.key, None)
    live = None if shopify else stripe_billing.live_subscription(session, shop)
    if shopify:
        url = shopify_billing.subscribe(session, shop, plan, interval, settings, now)
    elif live is not None:  # change the paying subscription, never start a second one
        url = stripe_billing.portal_url(session, shop, settings, urls.back, change=live)
    else:
        url = stripe_billing.checkout_url(
            session,
            shop,
            plan,
            interval,
            settings,
            success_url=urls.success,
            cancel_url=urls.cancel,
            now=now,
        )
    return Choice(plan.key, url)
