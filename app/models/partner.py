"""Fulfilment partners: print shops that serve many shops, each linked by the merchant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.crypto import EncryptedString
from app.db import Base, utcnow
from app.models.base import IdMixin, TimestampMixin, json_default


class Partner(IdMixin, TimestampMixin, Base):
    __tablename__ = "partners"

    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # API keys live in partner_api_keys (app.models.partner_ops.PartnerApiKey): several per partner.
    webhook_url: Mapped[str | None] = mapped_column(Text)
    webhook_secret: Mapped[str | None] = mapped_column(EncryptedString)
    is_active: Mapped[bool] = mapped_column(default=True)
    # network | own | in_house (app.models.partner_ops.PartnerKind); who the print shop is.
    kind: Mapped[str] = mapped_column(String(16), default="network", server_default="network")
    created_by_shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="SET NULL")
    )
    # What the print shop wants from Luneo's files (app.fulfilment.profiles); {}: the default.
    file_profile: Mapped[dict[str, Any]] = mapped_column(default=json_default)


class ShopPartner(IdMixin, Base):
    """A merchant's choice to route work to a partner (or their own in-house print shop)."""

    __tablename__ = "shop_partners"
    __table_args__ = (
        UniqueConstraint("shop_id", "partner_id", name="uq_shop_partners_shop_id_partner_id"),
    )

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
