"""Signed, expiring, single-use links for e-mail verification, password reset and invitations.

One module for everyone who signs in with a password: merchant accounts (``User``) and the
partner portal's people (``PartnerUser``); anything with ``id``, ``email`` and ``password_hash``
(and, if it has one, ``auth_epoch``) is a ``LinkSubject``. Each purpose has its own salt, so a
merchant's reset link never opens a partner user's reset page, even for the same id.

Each link is a token from ``app.signing`` (its purpose, its life) over the user id and a
*fingerprint* of what the link may change: the e-mail address for verification, the password
hash (and ``auth_epoch``) for a reset or an invitation. Using a reset or invitation link changes
the password hash, so that link, and every older one, stops working; a link for an old address
cannot verify a new one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from app import signing
from app.signing import Purpose

VERIFY_TTL = 3 * 24 * 3600
RESET_TTL = 3600
INVITE_TTL = 7 * 24 * 3600  # an invitation waits for someone back from a week off
MAX_TOKEN_LENGTH = 512


TTL = {
    Purpose.VERIFY_EMAIL: VERIFY_TTL,
    Purpose.RESET_PASSWORD: RESET_TTL,
    Purpose.RESET_PARTNER_PASSWORD: RESET_TTL,
    Purpose.INVITE_PARTNER_USER: INVITE_TTL,
}


class LinkSubject(Protocol):
    """Whoever a link is for: a merchant ``User`` or a ``PartnerUser``."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def password_hash(self) -> str: ...


S = TypeVar("S", bound=LinkSubject)


class LinkError(ValueError):
    """The link cannot be used; ``expired`` tells the person to ask for a new one."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class LinkClaim:
    user_id: int
    fingerprint: str


def fingerprint(user: LinkSubject, purpose: Purpose) -> str:
    if purpose is Purpose.VERIFY_EMAIL:
        material = f"verify:{user.email}"
    else:
        # A merchant reset link dies with the account's epoch too; partner links only with the
        # hash (their epoch, added for sign-out, never took part: links already sent stay good).
        epoch = getattr(user, "auth_epoch", None) if purpose is Purpose.RESET_PASSWORD else None
        material = f"reset:{user.password_hash}:{'' if epoch is None else epoch}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def make_token(secret_key: str, user: LinkSubject, purpose: Purpose) -> str:
    payload = {"u": user.id, "f": fingerprint(user, purpose)}
    return signing.issue(secret_key, purpose, payload, ttl=TTL[purpose]).token


def read_token(secret_key: str, token: str, purpose: Purpose) -> LinkClaim:
    """The claim in a link that is authentic and not expired; LinkError otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkError("This link is not valid.")
    if purpose not in TTL:  # only the account purposes have pages here
        raise LinkError("This link is not valid.")
    try:
        payload = signing.verify(secret_key, purpose, token).claims
    except signing.TokenExpired:
        raise LinkError("This link has expired.", expired=True) from None
    except signing.TokenRefused:
        raise LinkError("This link is not valid.") from None
    if not isinstance(payload, dict):
        raise LinkError("This link is not valid.")
    user_id, print_ = payload.get("u"), payload.get("f")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not isinstance(print_, str):
        raise LinkError("This link is not valid.")
    return LinkClaim(user_id=user_id, fingerprint=print_)


def matches(claim: LinkClaim, user: LinkSubject | None, purpose: Purpose) -> bool:
    """Whether the link still speaks for ``user`` as it is now (so it was not used already)."""
    if user is None or user.id != claim.user_id:
        return False
    return hmac.compare_digest(claim.fingerprint, fingerprint(user, purpose))


def subject_of(
    session: Session, model: type[S], secret_key: str, token: str, purpose: Purpose
) -> S:
    """The ``model`` row a link speaks for, as it is now; LinkError if it is gone or used."""
    claim = read_token(secret_key, token, purpose)
    user = session.get(model, claim.user_id)
    if user is None or not matches(claim, user, purpose):
        raise LinkError("This link has already been used or is no longer valid.")
    return user
