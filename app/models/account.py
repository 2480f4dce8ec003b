"""Luneo accounts (WooCommerce merchants and their staff) and who may act for which shop.

Shopify merchants never get a row here: Shopify signs them in. A ``User`` reaches a shop only
through a ``Membership``; ``TeamInvitation`` is the owner's pending invite of a new member.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin
from app.models.shop import Shop


class Role(enum.StrEnum):
    OWNER = "owner"  # everything, including team, billing and disconnecting the store
    STAFF = "staff"  # products, templates, orders and production


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("email", name="uq_users_email"),)

    email: Mapped[str] = mapped_column(String(320))  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None]
    # Bumped when the password changes or the user signs out: every older session (and, with a
    # new password, reset link) stops working (app.session_stamps).
    auth_epoch: Mapped[int] = mapped_column(Integer, default=0)
    last_sign_in_at: Mapped[datetime | None]

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:  # never includes the hash
        return f"<User {self.id}>"


class Membership(IdMixin, TimestampMixin, ShopOwnedMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "shop_id", name="uq_memberships_user_id_shop_id"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role]

    user: Mapped[User] = relationship(lazy="joined")
    shop: Mapped[Shop] = relationship(lazy="joined")


class TeamInvitation(IdMixin, TimestampMixin, ShopOwnedMixin, Base):
    __tablename__ = "team_invitations"
    __table_args__ = (UniqueConstraint("token_digest", name="uq_team_invitations_token_digest"),)

    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[Role]
    # SHA-256 of the link's token: the database never holds a usable link.
    token_digest: Mapped[str] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
