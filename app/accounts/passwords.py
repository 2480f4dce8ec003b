"""Password hashing with Argon2id (argon2-cffi's RFC 9106 low-memory profile) and the policy.

Hashes carry their parameters, so raising the cost later only needs ``needs_rehash`` on the
next sign-in. Verification of an unknown account still spends one hash, so timing does not tell
whether an e-mail address has an account.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256  # hashing megabytes of "password" is a denial of service, not security

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Made on first use, not at import: a hash costs ~50 ms every command line would pay."""
    return _hasher.hash("luneo-timing-equaliser")


class WeakPassword(ValueError):
    """The password does not meet the policy; the message says why, for the person."""


def check_policy(password: str, email: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Use at most {MAX_LENGTH} characters.")
    if email and password.strip().lower() == email.strip().lower():
        raise WeakPassword("Your password cannot be your e-mail address.")
    if len(set(password)) < 4:
        raise WeakPassword("Use a less repetitive password.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; with no stored hash, still spend the time."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)
