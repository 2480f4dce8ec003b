"""Every webhook delivery we accepted, recorded once so a redelivery changes nothing."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from app.models.base import IdMixin, json_default
from app.models.shop import Platform


class WebhookStatus(enum.StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


class WebhookEvent(IdMixin, Base):
    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("platform", "delivery_id", name="uq_webhook_events_platform_delivery_id"),
    )

    platform: Mapped[Platform]
    # Nullable: a delivery for a shop we no longer know (e.g. shop/redact after deletion).
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    shop_domain: Mapped[str] = mapped_column(String(255), default="")
    topic: Mapped[str] = mapped_column(String(128))
    delivery_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[WebhookStatus] = mapped_column(default=WebhookStatus.RECEIVED, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When its job was last handed to the queue; None while it never reached Redis (the sweeper's
    # cue, app.webhook_events).
    enqueued_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
