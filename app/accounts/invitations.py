"""Team invitations: an owner invites an address; the link in the e-mail makes them a member.

The link carries 256 random bits; only their SHA-256 is stored. It works once, for
``INVITE_TTL``, and only for an account with the invited address (the link reaching that
mailbox also proves the address, so accepting verifies it).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.memberships import TeamError, add_member
from app.accounts.service import normalize_email
from app.db import utcnow
from app.models import Membership, Role, Shop, ShopScope, TeamInvitation, User

INVITE_TTL = timedelta(days=7)
MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True)
class NewInvitation:
    invitation: TeamInvitation
    token: str  # goes into the e-mail, never stored


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(scope: ShopScope, inviter: User, email: str, role: Role) -> NewInvitation:
    address = normalize_email(email)
    members = select(Membership).join(User, User.id == Membership.user_id)
    stmt = members.where(Membership.shop_id == scope.shop_id, User.email == address)
    if scope.session.scalars(stmt).first() is not None:
        raise TeamError(f"{address} is already in this store's team.")
    for old in pending(scope):  # a new invitation replaces an older one to the same address
        if old.email == address:
            scope.session.delete(old)
    token = secrets.token_urlsafe(32)
    row = TeamInvitation(
        email=address,
        role=role,
        token_digest=_digest(token),
        invited_by_id=inviter.id,
        expires_at=utcnow() + INVITE_TTL,
    )
    scope.add(row)
    scope.session.flush()
    return NewInvitation(row, token)


def pending(scope: ShopScope) -> list[TeamInvitation]:
    stmt = scope.select(TeamInvitation).where(
        TeamInvitation.accepted_at.is_(None), TeamInvitation.expires_at > utcnow()
    )
    return list(scope.session.scalars(stmt.order_by(TeamInvitation.created_at)))


def revoke(scope: ShopScope, invitation_id: int) -> None:
    row = scope.get(TeamInvitation, invitation_id)
    if row is None or row.accepted_at is not None:
        raise TeamError("There is no such pending invitation.")
    scope.session.delete(row)


def find(session: Session, token: str) -> TeamInvitation | None:
    """The usable invitation for a link's token (unknown, used or expired: None)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    stmt = select(TeamInvitation).where(TeamInvitation.token_digest == _digest(token))
    row = session.scalars(stmt).one_or_none()
    if row is None or row.accepted_at is not None or row.expires_at <= utcnow():
        return None
    return row


def accept(session: Session, token: str, user: User) -> Membership:
    row = find(session, token)
    if row is None:
        raise TeamError("This invitation has expired, was already used or was withdrawn.")
    if row.email != user.email:
        raise TeamError(
            f"This invitation is for {row.email}. Sign in with that address to accept it."
        )
    shop = session.get(Shop, row.shop_id)
    if shop is None or not shop.is_installed:
        raise TeamError("This store is no longer connected to Luneo.")
    row.accepted_at = utcnow()
    user.email_verified_at = user.email_verified_at or utcnow()
    return add_member(session, user, shop, row.role)
