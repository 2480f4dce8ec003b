"""Who may act for which shop, and as what (no Flask: the WooCommerce callback uses it too)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Membership, Role, Shop, User, owned_row


class TeamError(ValueError):
    """A team change that cannot be made; the message is for the person."""


def membership(session: Session, user_id: int, shop_id: int) -> Membership | None:
    stmt = select(Membership).where(Membership.user_id == user_id, Membership.shop_id == shop_id)
    return session.scalars(stmt).one_or_none()


def memberships_of(session: Session, user_id: int) -> list[Membership]:
    """The user's memberships in shops that are connected, by shop name."""
    stmt = (
        select(Membership)
        .join(Shop, Shop.id == Membership.shop_id)
        .where(
            Membership.user_id == user_id,
            Shop.installed_at.is_not(None),
            Shop.uninstalled_at.is_(None),
        )
        .order_by(Shop.name, Shop.id)
    )
    return list(session.scalars(stmt).unique())


def members_of(session: Session, shop_id: int) -> list[Membership]:
    stmt = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.shop_id == shop_id)
        .order_by(Membership.role, User.email)
    )
    return list(session.scalars(stmt).unique())


def owner_count(session: Session, shop_id: int) -> int:
    stmt = select(func.count()).where(Membership.shop_id == shop_id, Membership.role == Role.OWNER)
    return int(session.scalar(stmt.select_from(Membership)) or 0)


def add_member(session: Session, user: User, shop: Shop, role: Role) -> Membership:
    """Give ``user`` ``role`` in ``shop``; an existing member keeps the higher of the two."""
    existing = membership(session, user.id, shop.id)
    if existing is not None:
        if role is Role.OWNER:
            existing.role = Role.OWNER
        return existing
    row = Membership(user_id=user.id, shop_id=shop.id, role=role)
    session.add(row)
    session.flush()
    return row


def claim_connected_store(session: Session, user_id: int, shop: Shop) -> str:
    """After a store connection started by ``user_id``: make them its owner if they may be.

    A store nobody owns yet goes to the account that connected it; a store with owners only
    to one of them (a reconnect). Anyone else approving it needs an owner's invitation, so a
    link approved by mistake cannot hand someone's store to a stranger's account.
    Returns ``owner``, ``member`` (already one) or ``refused``.
    """
    user = session.get(User, user_id)
    if user is None:
        return "refused"
    existing = membership(session, user_id, shop.id)
    if existing is not None:
        return existing.role.value
    if owner_count(session, shop.id) > 0:
        return "refused"
    add_member(session, user, shop, Role.OWNER)
    return Role.OWNER.value


def remove_member(session: Session, shop_id: int, membership_id: int) -> Membership:
    row = owned_row(session, Membership, membership_id, shop_id=shop_id)
    if row is None:
        raise TeamError("There is no such member in this store's team.")
    if row.role is Role.OWNER and owner_count(session, shop_id) <= 1:
        raise TeamError("A store keeps at least one owner.")
    session.delete(row)
    session.flush()
    return row
