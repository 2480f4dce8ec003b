"""Partner users sign in with the same Argon2id hashing and policy as merchant accounts
(``app.accounts.passwords``), and reset a forgotten password through the same signed links
(``app.accounts.links``, with a purpose of their own). What is theirs alone: the temporary
password a merchant hands over, the unusable password of someone invited who has not chosen
one yet, and that a person may only use the portal while both they and their partner are
active. The caller commits.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import links
from app.accounts.links import LinkError
from app.accounts.passwords import WeakPassword, check_policy, hash_password
from app.models import Partner, PartnerUser
from app.signing import Purpose

RESET = Purpose.RESET_PARTNER_PASSWORD
# Argon2 hashes start with "$argon2": a hash starting with "!" matches no password at all.
UNUSABLE_PREFIX = "!"


def temporary_password() -> str:
    """A password a merchant hands to their print shop, who should change it."""
    return secrets.token_urlsafe(12)


def unusable_password_hash() -> str:
    """The hash of someone invited: no password signs in with it. It is random so that a new
    one (a re-sent invitation) changes the invitation link's fingerprint and ends older links.
    """
    return UNUSABLE_PREFIX + secrets.token_urlsafe(32)


def chosen_password_hash(user: PartnerUser, password: str, confirm: str) -> str:
    """The hash of a password the person typed twice (reset, invitation); WeakPassword when the
    entries differ or the policy refuses it."""
    if password != confirm:
        raise WeakPassword("The two passwords differ.")
    check_policy(password, user.email)
    return hash_password(password)


def has_usable_password(user: PartnerUser) -> bool:
    """Whether the person has chosen (or been handed) a password: not a pending invitation."""
    return not user.password_hash.startswith(UNUSABLE_PREFIX)


def find_user(session: Session, email: str) -> PartnerUser | None:
    """The portal user with this address (in any case), active or not."""
    address = email.strip().lower()
    return session.scalars(
        select(PartnerUser).where(func.lower(PartnerUser.email) == address)
    ).first()


def active_partner(session: Session, user: PartnerUser) -> Partner | None:
    """The user's partner when both are active (so the user may use the portal), else None."""
    if not user.is_active:
        return None
    partner = session.get(Partner, user.partner_id)
    return partner if partner is not None and partner.is_active else None


def reset_token(secret_key: str, user: PartnerUser) -> str:
    return links.make_token(secret_key, user, RESET)


def user_for_reset(session: Session, secret_key: str, token: str) -> PartnerUser:
    """Whose password a reset link may change; LinkError if it is forged, old, used or moot."""
    user = links.subject_of(session, PartnerUser, secret_key, token, RESET)
    if active_partner(session, user) is None:
        raise LinkError("This link is no longer valid.")
    return user


def reset_password(
    session: Session, secret_key: str, token: str, password: str, confirm: str
) -> PartnerUser:
    """Set a new password through a reset link, which (with every older one) then stops working.

    LinkError for a link that cannot be used; WeakPassword when the two entries differ or the
    password fails the policy (nothing changes then).
    """
    user = user_for_reset(session, secret_key, token)
    user.password_hash = chosen_password_hash(user, password, confirm)
    return user
