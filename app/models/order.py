"""Orders as synced from the platform, and the lines that carry a design."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin, json_default


class Order(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "external_id", name="uq_orders_shop_id_external_id"),
    )

    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(64), default="")  # "#1001" as the merchant sees it
    customer_ref: Mapped[str | None] = mapped_column(String(128), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    total_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    financial_status: Mapped[str] = mapped_column(String(32), default="")
    fulfillment_status: Mapped[str] = mapped_column(String(32), default="")
    # Only what printing and shipping need: name, address lines, city, zip, country, phone.
    shipping_address: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    placed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    platform_updated_at: Mapped[datetime | None]
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", default=json_default)

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )


class Personalization(enum.StrEnum):
    """Where an order line stands with its design (production runs only for DESIGNED/RECOVERED)."""

    NONE = "none"  # the product is not customizable
    DESIGNED = "designed"  # a design of this product is attached and its surcharge was charged
    MISSING = "missing"  # customizable product, no design: the shopper is asked to add one
    UNPAID = "unpaid"  # a design is attached but its surcharge was not charged (or wrong product)
    RECOVERED = "recovered"  # the design was added after the order, through the recovery link


class OrderItem(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "order_items"
    __table_args__ = (
        UniqueConstraint("order_id", "external_id", name="uq_order_items_order_id_external_id"),
        Index("ix_order_items_shop_id_personalization", "shop_id", "personalization"),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(128))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    design_id: Mapped[int | None] = mapped_column(
        ForeignKey("designs.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(512), default="")
    sku: Mapped[str] = mapped_column(String(255), default="")
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    properties: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    # Per unit, in the order's currency: what the line was charged for its personalization (None:
    # nothing recorded) and what Luneo computes from the design.
    surcharge: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    expected_surcharge: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    personalization: Mapped[Personalization] = mapped_column(default=Personalization.NONE)
    recovery_sent_at: Mapped[datetime | None]
    # When the e-mail with the link to change the ordered design was queued (once per line).
    edit_link_sent_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="items")
