"""Signed links: bound to a purpose, to the user's current state, and to their age."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from app.accounts.links import (
    TTL,
    LinkError,
    fingerprint,
    make_token,
    matches,
    read_token,
)
from app.models import PartnerUser, User
from app.signing import Purpose

SECRET = "s" * 48


def user(**changes: object) -> User:
    values: dict[str, object] = {
        "id": 7,
        "email": "ann@shop.test",
        "password_hash": "h1",
        "auth_epoch": 0,
    }
    values.update(changes)
    return User(**values)


def test_a_reset_link_stops_matching_once_the_password_changes() -> None:
    token = make_token(SECRET, user(), Purpose.RESET_PASSWORD)
    claim = read_token(SECRET, token, Purpose.RESET_PASSWORD)

    assert matches(claim, user(), Purpose.RESET_PASSWORD)
    assert not matches(claim, user(password_hash="h2", auth_epoch=1), Purpose.RESET_PASSWORD)
    assert not matches(claim, user(id=8), Purpose.RESET_PASSWORD)


def test_a_verification_link_is_for_the_address_it_was_sent_to() -> None:
    claim = read_token(
        SECRET, make_token(SECRET, user(), Purpose.VERIFY_EMAIL), Purpose.VERIFY_EMAIL
    )

    assert not matches(claim, user(email="new@shop.test"), Purpose.VERIFY_EMAIL)


@pytest.mark.parametrize(
    ("_case", "token_secret", "purpose"),
    [
        ("other secret", "t" * 48, Purpose.RESET_PASSWORD),
        ("other purpose", SECRET, Purpose.VERIFY_EMAIL),
    ],
)
def test_links_signed_otherwise_are_refused(
    _case: str, token_secret: str, purpose: Purpose
) -> None:
    token = make_token(token_secret, user(), purpose)

    with pytest.raises(LinkError, match="not valid"):
        read_token(SECRET, token, Purpose.RESET_PASSWORD)


@dataclass
class Person:
    """Anything with an id, an address and a password hash can be sent a link (no epoch)."""

    id: int
    email: str
    password_hash: str


def test_a_merchant_reset_fingerprint_keeps_its_format() -> None:
    """Links mailed before partner links existed still work."""
    expected = hashlib.sha256(b"reset:h1:0").hexdigest()[:32]

    assert fingerprint(user(), Purpose.RESET_PASSWORD) == expected


def test_a_subject_without_an_epoch_gets_a_link_that_ends_with_its_password() -> None:
    token = make_token(SECRET, Person(7, "ann@print.test", "h1"), Purpose.RESET_PARTNER_PASSWORD)
    claim = read_token(SECRET, token, Purpose.RESET_PARTNER_PASSWORD)

    assert matches(claim, Person(7, "ann@print.test", "h1"), Purpose.RESET_PARTNER_PASSWORD)
    assert not matches(claim, Person(7, "ann@print.test", "h2"), Purpose.RESET_PARTNER_PASSWORD)
    partner_user = PartnerUser(id=7, email="ann@print.test", password_hash="h1")
    assert matches(claim, partner_user, Purpose.RESET_PARTNER_PASSWORD)


@pytest.mark.parametrize(
    ("_case", "made_for", "read_as"),
    [
        ("merchant link, partner page", Purpose.RESET_PASSWORD, Purpose.RESET_PARTNER_PASSWORD),
        ("partner link, merchant page", Purpose.RESET_PARTNER_PASSWORD, Purpose.RESET_PASSWORD),
        ("invitation, reset page", Purpose.INVITE_PARTNER_USER, Purpose.RESET_PARTNER_PASSWORD),
        (
            "reset link, invitation page",
            Purpose.RESET_PARTNER_PASSWORD,
            Purpose.INVITE_PARTNER_USER,
        ),
    ],
)
def test_merchant_and_partner_reset_links_never_stand_in_for_each_other(
    _case: str, made_for: Purpose, read_as: Purpose
) -> None:
    token = make_token(SECRET, user(), made_for)  # the same id, address and password hash

    with pytest.raises(LinkError, match="not valid"):
        read_token(SECRET, token, read_as)


def test_an_invitation_lasts_a_week_and_ends_with_the_password_it_was_made_for() -> None:
    invited = Person(7, "ann@print.test", "!unusable-1")
    token = make_token(SECRET, invited, Purpose.INVITE_PARTNER_USER)
    claim = read_token(SECRET, token, Purpose.INVITE_PARTNER_USER)

    assert TTL[Purpose.INVITE_PARTNER_USER] == 7 * 24 * 3600
    assert matches(claim, invited, Purpose.INVITE_PARTNER_USER)
    assert not matches(
        claim, Person(7, "ann@print.test", "$argon2id$..."), Purpose.INVITE_PARTNER_USER
    )
