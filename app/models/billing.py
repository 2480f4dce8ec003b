"""Plans as subscribed, and metered usage counted against them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin


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
    idempotency_key: Mapped[str] = mapped_column(String(255))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    reported_at: Mapped[datetime | None]  # when the overage reached Shopify/Stripe
    external_id: Mapped[str | None] = mapped_column(String(255))
