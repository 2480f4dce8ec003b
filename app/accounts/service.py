"""Accounts without Flask: sign-up, sign-in, e-mail verification and password reset.

Views parse forms and call one function here; the caller commits. Addresses are stored
lower-cased and trimmed, so ``Ann@Shop.test`` and ``ann@shop.test`` are one account.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import links, passwords
from app.db import utcnow
from app.models import User
from app.signing import Purpose

MAX_EMAIL_LENGTH = 320
_EMAIL = re.compile(
    r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


class AccountError(ValueError):
    """A form value cannot be accepted; ``field`` names it, the message is for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def normalize_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise AccountError("email", "Enter a valid e-mail address, like you@example.com.")
    return email


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email)).one_or_none()


def sign_up(session: Session, email: str, password: str) -> User:
    """A new, unverified account; AccountError if the address is taken or the password weak."""
    address = normalize_email(email)
    try:
        passwords.check_policy(password, address)
    except passwords.WeakPassword as exc:
        raise AccountError("password", str(exc)) from None
    if find_user(session, address) is not None:
        raise AccountError("email", "An account with this e-mail address already exists.")
    user = User(email=address, password_hash=passwords.hash_password(password))
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:  # the same address signed up at the same moment
        raise AccountError("email", "An account with this e-mail address already exists.") from None
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The account for these credentials, or None (same work either way: no enumeration)."""
    try:
        address = normalize_email(email)
    except AccountError:
        address = ""
    user = find_user(session, address) if address else None
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    assert user is not None  # verify_password is False without a stored hash
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_sign_in_at = utcnow()
    return user


def link_token(secret_key: str, user: User, purpose: Purpose) -> str:
    return links.make_token(secret_key, user, purpose)


def _user_for_link(session: Session, secret_key: str, token: str, purpose: Purpose) -> User:
    return links.subject_of(session, User, secret_key, token, purpose)


def verify_email(session: Session, secret_key: str, token: str) -> User:
    """Mark the address verified; a second click on the same link changes nothing."""
    user = _user_for_link(session, secret_key, token, Purpose.VERIFY_EMAIL)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def check_reset_link(session: Session, secret_key: str, token: str) -> User:
    return _user_for_link(session, secret_key, token, Purpose.RESET_PASSWORD)


def reset_password(session: Session, secret_key: str, token: str, password: str) -> User:
    """Set a new password through a reset link; the link (and every session) stops working."""
    user = check_reset_link(session, secret_key, token)
    try:
        passwords.check_policy(password, user.email)
    except passwords.WeakPassword as exc:
        raise AccountError("password", str(exc)) from None
    set_password(user, password)
    # The reset link reached this mailbox: that proves the address as well.
    user.email_verified_at = user.email_verified_at or utcnow()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    user.auth_epoch += 1
