"""A shopper's design: the versioned JSON document the widget edits and the renderer reads."""

from __future__ import annotations

import enum
import secrets
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin, json_default


class DesignStatus(enum.StrEnum):
    DRAFT = "draft"  # being edited in the widget
    SAVED = "saved"  # validated and attached to a cart line
    ORDERED = "ordered"  # referenced by an order: frozen from here on
    ARCHIVED = "archived"


def new_public_id() -> str:
    """The id shoppers and carts see: unguessable, URL-safe, unrelated to row ids."""
    return "d_" + secrets.token_urlsafe(16)


class Design(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "designs"
    # The retention sweep looks for a shop's designs untouched since a cutoff.
    __table_args__ = (Index("ix_designs_shop_id_updated_at", "shop_id", "updated_at"),)

    public_id: Mapped[str] = mapped_column(String(40), unique=True, default=new_public_id)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("templates.id", ondelete="SET NULL"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    schema_version: Mapped[int] = mapped_column(default=1)
    document: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    status: Mapped[DesignStatus] = mapped_column(default=DesignStatus.DRAFT)
    preview_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"), index=True
    )
    # Platform customer id when the shopper was signed in; used for privacy requests.
    customer_ref: Mapped[str | None] = mapped_column(String(128), index=True)

    @property
    def is_editable(self) -> bool:
        return self.status in (DesignStatus.DRAFT, DesignStatus.SAVED)
