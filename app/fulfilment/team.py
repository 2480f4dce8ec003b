"""A partner's team: the people of one print shop, their roles, and invitations to join.

Every function takes the partner's id and only ever reads or changes that partner's people: a
user id of another partner is answered like one that does not exist (``NotFound``). A partner
always keeps an admin who can sign in, so nobody can lock the print shop out of its own team
and keys. Someone invited is a ``PartnerUser`` with an unusable password until they open the
signed link (``app.accounts.links``, purpose ``INVITE_PARTNER_USER``): choosing a password
changes the hash the link is bound to, so the link works once. The caller commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import links
from app.accounts.links import LinkError
from app.accounts.service import AccountError, normalize_email
from app.fulfilment.errors import Conflict, Invalid, NotFound
from app.fulfilment.passwords import (
    active_partner,
    chosen_password_hash,
    find_user,
    has_usable_password,
    unusable_password_hash,
)
from app.models import Partner, PartnerRole, PartnerUser, owned_row
from app.signing import Purpose

INVITE = Purpose.INVITE_PARTNER_USER
MAX_NAME = 255


def parse_role(value: str) -> PartnerRole:
    try:
        return PartnerRole(value)
    except ValueError:
        raise Invalid("Choose admin or operator.", code="invalid_role") from None


def members(session: Session, partner_id: int) -> list[PartnerUser]:
    stmt = select(PartnerUser).where(PartnerUser.partner_id == partner_id)
    return list(session.scalars(stmt.order_by(PartnerUser.role, PartnerUser.email)))


def member(session: Session, partner_id: int, user_id: int) -> PartnerUser:
    """The partner's person with this id; another partner's is as unknown as a missing one."""
    user = owned_row(session, PartnerUser, user_id, partner_id=partner_id)
    if user is None:
        raise NotFound("There is no such person in your team.")
    return user


def _lock(session: Session, partner_id: int) -> None:
    """Serialise team changes of one partner, so two admins cannot demote each other at once."""
    session.get(Partner, partner_id, with_for_update=True)


def _admins_left(session: Session, partner_id: int, without: PartnerUser) -> int:
    """Active admins who can sign in, other than ``without``."""
    stmt = select(PartnerUser).where(
        PartnerUser.partner_id == partner_id,
        PartnerUser.role == PartnerRole.ADMIN,
        PartnerUser.is_active.is_(True),
        PartnerUser.id != without.id,
    )
    return sum(1 for user in session.scalars(stmt) if has_usable_password(user))


def _keep_an_admin(session: Session, user: PartnerUser) -> None:
    """Refuse to take away the last admin who can sign in (``user`` is about to stop being one)."""
    counts = user.role is PartnerRole.ADMIN and user.is_active and has_usable_password(user)
    if counts and _admins_left(session, user.partner_id, user) == 0:
        raise Conflict(
            "Your team needs at least one active admin: make someone else admin first.",
            code="last_admin",
        )


def invite(session: Session, partner_id: int, email: str, role: PartnerRole) -> PartnerUser:
    """A new person, who cannot sign in until they accept the invitation mailed to them.

    E-mail addresses are unique across all partners' people (they are the sign-in name), so an
    address of another print shop's person is refused with a message saying so.
    """
    try:
        address = normalize_email(email)
    except AccountError as exc:
        raise Invalid(str(exc), code="invalid_email") from None
    existing = find_user(session, address)
    if existing is not None and existing.partner_id == partner_id:
        raise Conflict(f"{address} is already in your team.", code="already_member")
    if existing is not None:
        raise Conflict(
            f"{address} already signs in for another print shop on Luneo. "
            "Invite another address for this person.",
            code="email_taken",
        )
    user = PartnerUser(
        partner_id=partner_id, email=address, password_hash=unusable_password_hash(), role=role
    )
    try:
        with session.begin_nested():  # a concurrent invitation of the same address
            session.add(user)
    except IntegrityError:
        raise Conflict(f"{address} was just invited by someone else.", code="email_taken") from None
    return user


def renew_invitation(session: Session, partner_id: int, user_id: int) -> PartnerUser:
    """A fresh unusable password for someone who has not accepted yet: older links stop working."""
    user = member(session, partner_id, user_id)
    if has_usable_password(user):
        raise Conflict(
            f"{user.email} has already signed up; a forgotten password is reset from the "
            "sign-in page.",
            code="already_accepted",
        )
    if not user.is_active:
        raise Conflict(f"Reactivate {user.email} first.", code="inactive")
    user.password_hash = unusable_password_hash()
    return user


def set_role(
    session: Session, partner_id: int, user_id: int, role: PartnerRole
) -> tuple[PartnerUser, PartnerRole]:
    """Give someone (the acting admin too) a role; returns the person and their former role."""
    _lock(session, partner_id)
    user = member(session, partner_id, user_id)
    before = user.role
    if role is not before:
        _keep_an_admin(session, user)
        user.role = role
    return user, before


def set_active(
    session: Session, partner_id: int, actor: PartnerUser, user_id: int, active: bool
) -> PartnerUser:
    """Deactivate (their sessions end at the next request) or reactivate someone else."""
    _lock(session, partner_id)
    user = member(session, partner_id, user_id)
    if user.id == actor.id:
        raise Conflict("You cannot deactivate or reactivate yourself.", code="yourself")
    if not active:
        _keep_an_admin(session, user)
    user.is_active = active
    return user


def invitation_token(secret_key: str, user: PartnerUser) -> str:
    return links.make_token(secret_key, user, INVITE)


def user_for_invitation(session: Session, secret_key: str, token: str) -> PartnerUser:
    """Who an invitation link is for; LinkError if it is forged, expired, used or withdrawn."""
    user = links.subject_of(session, PartnerUser, secret_key, token, INVITE)
    if active_partner(session, user) is None:
        raise LinkError("This invitation is no longer valid. Ask your team's admin for a new one.")
    return user


def accept_invitation(
    session: Session, secret_key: str, token: str, name: str, password: str, confirm: str
) -> PartnerUser:
    """Set the invited person's name and password; the link then stops working.

    LinkError for a link that cannot be used; Invalid for a missing name; WeakPassword when the
    two entries differ or the password fails the policy (nothing changes then).
    """
    user = user_for_invitation(session, secret_key, token)
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise Invalid(f"Enter your name (at most {MAX_NAME} characters).", code="invalid_name")
    user.name, user.password_hash = name, chosen_password_hash(user, password, confirm)
    return user
