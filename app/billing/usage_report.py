"""Overage reaches the provider: Shopify usage records, Stripe Billing Meter events.

``quota.reserve`` notes on each UsageRecord how many of its units were past the plan's included
amount (``overage_quantity``). Those records are reported here, each with an idempotency key
derived from the record, so a retried job never charges twice; ``reported_at`` and
``external_id`` say when and as what the provider accepted it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.billing import shopify_billing, stripe_billing
from app.billing.plans import UnknownPlan, get_plan
from app.db import utcnow
from app.models import BillingProvider, Shop, Subscription, UsageKind, UsageRecord
from app.queue import JobSpec
from connectors.shopify import billing as shopify_api

log = logging.getLogger(__name__)

_BILLED_BY = (BillingProvider.SHOPIFY, BillingProvider.STRIPE)
_NOUNS = {UsageKind.AI_GENERATION: "AI generation", UsageKind.PRODUCED_ORDER: "produced order"}


@dataclass(frozen=True)
class Report:
    reported: int = 0
    skipped: int = 0


def idempotency_key(record: UsageRecord) -> str:
    return f"luneo-usage-{record.id}"


def unreported(session: Session, shop_id: int) -> list[UsageRecord]:
    stmt = (
        select(UsageRecord)
        .join(Subscription, Subscription.id == UsageRecord.subscription_id)
        .where(
            UsageRecord.shop_id == shop_id,
            UsageRecord.overage_quantity > 0,
            UsageRecord.reported_at.is_(None),
            Subscription.provider.in_(_BILLED_BY),
        )
        .order_by(UsageRecord.id)
    )
    return list(session.scalars(stmt))


def shops_with_unreported(session: Session) -> list[int]:
    stmt = (
        select(UsageRecord.shop_id)
        .join(Subscription, Subscription.id == UsageRecord.subscription_id)
        .where(UsageRecord.overage_quantity > 0, UsageRecord.reported_at.is_(None))
        .where(Subscription.provider.in_(_BILLED_BY))
        .distinct()
    )
    return sorted(session.scalars(stmt))


def _unit_price(subscription: Subscription, kind: UsageKind) -> Decimal | None:
    try:
        plan = get_plan(subscription.plan)
    except UnknownPlan:
        return None
    return plan.ai_generation_overage if kind is UsageKind.AI_GENERATION else plan.order_overage


def describe(record: UsageRecord, plan_name: str) -> str:
    noun = _NOUNS[record.kind] + ("s" if record.overage_quantity != 1 else "")
    return f"{record.overage_quantity} {noun} past the {plan_name} plan's included amount"


Sender = Callable[[UsageRecord, Subscription, Decimal], str]


def _shopify_sender(shop: Shop, settings: Mapping[str, Any]) -> Sender:
    graphql = shopify_billing.client(shop, settings)

    def send(record: UsageRecord, subscription: Subscription, unit: Decimal) -> str:
        if subscription.usage_line_item_id is None:
            raise LookupError("the subscription has no usage line item")
        charge = shopify_api.create_usage_record(
            graphql,
            subscription.usage_line_item_id,
            unit * record.overage_quantity,
            shopify_billing.CURRENCY,
            describe(record, get_plan(subscription.plan).name),
            idempotency_key(record),
        )
        return charge.id

    return send


def _stripe_sender(settings: Mapping[str, Any]) -> Sender:
    api = stripe_billing.client(settings)

    def send(record: UsageRecord, subscription: Subscription, unit: Decimal) -> str:
        if subscription.customer_id is None:
            raise LookupError("the subscription has no Stripe customer")
        return stripe_billing.report_meter_event(
            api,
            record.kind,
            subscription.customer_id,
            record.overage_quantity,
            idempotency_key(record),
            record.occurred_at,
        )

    return send


def report_shop(session: Session, shop: Shop, settings: Mapping[str, Any]) -> Report:
    """Report every unreported overage record of ``shop``, committing after each one."""
    senders: dict[BillingProvider, Sender] = {}
    reported = skipped = 0
    for record in unreported(session, shop.id):
        subscription = session.get(Subscription, record.subscription_id or 0)
        unit = _unit_price(subscription, record.kind) if subscription else None
        if subscription is None or unit is None:
            skipped += 1
            continue
        if subscription.provider not in senders:
            senders[subscription.provider] = (
                _shopify_sender(shop, settings)
                if subscription.provider is BillingProvider.SHOPIFY
                else _stripe_sender(settings)
            )
        record.external_id = senders[subscription.provider](record, subscription, unit)[:255]
        record.reported_at = utcnow()
        session.commit()
        reported += 1
    log.info("overage reported", extra={"shop_id": shop.id, "reported": reported})
    return Report(reported, skipped)


def report_usage_spec(shop_id: int) -> JobSpec:
    """The job that sends the shop's unreported overage (``jobs.billing.report_usage``)."""
    return JobSpec(
        "default", "jobs.billing.report_usage", (shop_id,), job_id=f"billing-usage-{shop_id}"
    )
