"""Signed links: bound to a purpose, to the user's current state, and to their age."""

from __future__ import annotations

import pytest

from app.accounts.links import LinkError, Purpose, make_token, matches, read_token
from app.models import User

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
