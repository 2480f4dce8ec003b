"""Plans as subscribed, and metered usage counted against them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin, json_default


class BillingProvider(enum.StrEnum):
    NONE = "none"  # the free plan
    SHOPIFY = "shopify"
    STRIPE = "stripe"


class SubscriptionStatus(enum.StrEnum):
    PENDING = "pending"  # created, waiting for the merchant to approve / pay
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"  # payment failed: grace period
    CANCELLED = "cancelled"


class BillingInterval(enum.StrEnum):
    MONTH = "month"
    YEAR = "year"


class UsageKind(enum.StrEnum):
    AI_GENERATION = "ai_generation"
    PRODUCED_ORDER = "produced_order"


class Subscription(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("provider", "external_id", name="uq_subscriptions_provider_external_id"),
    )

    plan: Mapped[str] = mapped_column(String(32))
    provider: Mapped[BillingProvider] = mapped_column(default=BillingProvider.NONE)
    external_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[SubscriptionStatus] = mapped_column(default=SubscriptionStatus.PENDING)
    interval: Mapped[BillingInterval] = mapped_column(default=BillingInterval.MONTH)
    trial_ends_at: Mapped[datetime | None]
    current_period_start: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    grace_until: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Shopify: the usage line item overage is charged to (monthly plans only).
    usage_line_item_id: Mapped[str | None] = mapped_column(String(255))
    # Stripe: the customer whose meter events and portal sessions belong to this subscription.
    customer_id: Mapped[str | None] = mapped_column(String(255))
    # When the provider produced the state last applied: an older event never overwrites it.
    state_at: Mapped[datetime | None]
    is_test: Mapped[bool] = mapped_column(default=False)


class UsageRecord(IdMixin, ShopOwnedMixin, Base):
    __tablename__ = "usage_records"
    __table_args__ = (
        UniqueConstraint(
            "shop_id", "idempotency_key", name="uq_usage_records_shop_id_idempotency_key"
        ),
    )

    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[UsageKind]
    quantity: Mapped[int] = mapped_column(default=1)
    # Units of ``quantity`` past the plan's included amount when counted: what is billed.
    overage_quantity: Mapped[int] = mapped_column(default=0)
    idempotency_key: Mapped[str] = mapped_column(String(255))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    reported_at: Mapped[datetime | None]  # when the overage reached Shopify/Stripe
    external_id: Mapped[str | None] = mapped_column(String(255))


class BillingEvent(IdMixin, Base):
    """A payment provider's webhook event (Stripe), recorded once per event id."""

    __tablename__ = "billing_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_id", name="uq_billing_events_provider_event_id"),
    )

    provider: Mapped[BillingProvider]
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(128))
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    created: Mapped[datetime]  # the provider's creation time of the event: orders the events
    payload: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    status: Mapped[str] = mapped_column(String(32), default="received")
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None]  # as on WebhookEvent: None until its job reached Redis
    processed_at: Mapped[datetime | None]
