"""The tenant: one installed Shopify store or connected WooCommerce store."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.crypto import EncryptedString
from app.db import Base
from app.models.base import IdMixin, TimestampMixin, json_default


class Platform(enum.StrEnum):
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"


class Shop(IdMixin, TimestampMixin, Base):
    __tablename__ = "shops"
    __table_args__ = (UniqueConstraint("platform", "domain", name="uq_shops_platform_domain"),)

    platform: Mapped[Platform]
    # myshopify domain for Shopify, the store's base URL host for WooCommerce.
    domain: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # Shopify offline token, or WooCommerce consumer secret; encrypted at rest.
    access_token: Mapped[str | None] = mapped_column(EncryptedString)
    # WooCommerce consumer key; Shopify expiring-token refresh token.
    api_key: Mapped[str | None] = mapped_column(EncryptedString)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedString)
    token_expires_at: Mapped[datetime | None]
    webhook_secret: Mapped[str | None] = mapped_column(EncryptedString)
    scopes: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(String(32), default="free")
    installed_at: Mapped[datetime | None]
    uninstalled_at: Mapped[datetime | None]
    needs_reauth: Mapped[bool] = mapped_column(default=False)
    # WooCommerce: the public key the storefront widget sends (X-Luneo-Key). Not a secret: it is
    # on every product page; it only names the store, whose origin CORS then has to match.
    storefront_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # WooCommerce: the Luneo plugin version the store last named on a call (``X-Luneo-Plugin``);
    # what Luneo sends the store's shoppers depends on what that plugin can host.
    plugin_version: Mapped[str | None] = mapped_column(String(32))
    is_development: Mapped[bool] = mapped_column(default=False)
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", default=json_default)

    @property
    def is_installed(self) -> bool:
        return self.installed_at is not None and self.uninstalled_at is None

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.scopes.split(",") if s.strip())

    def __repr__(self) -> str:  # never includes tokens
        return f"<Shop {self.id} {self.platform.value}:{self.domain}>"
