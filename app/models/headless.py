"""A store's headless key (issue #23): the public key a custom storefront (Hydrogen or any
front-end that cannot use the app proxy or the WordPress plugin) sends in ``X-Luneo-Key``, and
the browser origins allowed to call with it.

One key per shop at most (``shop_id`` unique); rotating replaces its value, revoking deletes the
row. Each allowed origin is its own row so a CORS preflight, which carries no key, finds the
shop by its ``Origin`` with an index.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models.base import IdMixin, TimestampMixin


class HeadlessKey(IdMixin, TimestampMixin, Base):
    __tablename__ = "headless_keys"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), unique=True, index=True
    )
    key: Mapped[str] = mapped_column(String(64), unique=True)
    origins: Mapped[list[HeadlessOrigin]] = relationship(
        back_populates="headless_key",
        cascade="all, delete-orphan",
        order_by="HeadlessOrigin.id",
        lazy="selectin",
    )


class HeadlessOrigin(IdMixin, Base):
    __tablename__ = "headless_origins"
    __table_args__ = (UniqueConstraint("key_id", "origin"),)

    key_id: Mapped[int] = mapped_column(ForeignKey("headless_keys.id", ondelete="CASCADE"))
    # ``scheme://host[:port]``, lower case, as browsers send it in ``Origin``
    origin: Mapped[str] = mapped_column(String(255), index=True)
    headless_key: Mapped[HeadlessKey] = relationship(back_populates="origins")
