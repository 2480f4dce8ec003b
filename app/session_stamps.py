"""When a cookie session ends on the server: one mechanism for merchant accounts and partner users.

A signed cookie cannot be taken back, so a signed-in cookie holds a short stamp of the person's
password hash and ``auth_epoch`` and every request compares it with the stored row. Changing the
password changes the hash; signing out bumps the epoch (``end_sessions``). Either way every
cookie stamped before, including one copied from the browser, stops working, on every device
(signing out signs that person out everywhere). The session that changed the password is
stamped again and stays signed in.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol


class Stamped(Protocol):
    password_hash: str
    auth_epoch: int


def stamp(person: Stamped) -> str:
    """A digest that changes whenever the password or the epoch does (never the hash itself)."""
    material = f"{person.password_hash}:{person.auth_epoch}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def matches(value: object, person: Stamped) -> bool:
    """Whether a session's stored stamp is this person's current one (constant time)."""
    return isinstance(value, str) and hmac.compare_digest(value, stamp(person))


def end_sessions(person: Stamped) -> None:
    """Every session of this person ends at its next request (the caller commits)."""
    person.auth_epoch += 1
