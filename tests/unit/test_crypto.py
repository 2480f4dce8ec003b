"""Secrets at rest: tokens are encrypted in the database, API keys only hashed."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.crypto import (
    DecryptionFailed,
    Keyring,
    api_key_id,
    api_key_matches,
    generate_api_key,
    hash_api_key,
)
from tests.factories import make_shop


def test_access_token_is_stored_encrypted_and_read_back_in_clear(session: Session) -> None:
    shop = make_shop(session, access_token="shpat_0123456789abcdef0123456789abcdef")
    session.commit()

    raw = session.execute(
        text("SELECT access_token FROM shops WHERE id = :id"), {"id": shop.id}
    ).scalar_one()
    session.expire_all()

    assert "0123456789abcdef" not in raw
    assert raw.startswith("gAAAAA")  # a Fernet token
    assert session.get(type(shop), shop.id).access_token == "shpat_0123456789abcdef0123456789abcdef"


def test_rotation_keeps_old_ciphertext_readable() -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = Keyring()
    before.configure([old_key])
    stored = before.encrypt("shpat_secret")

    after = Keyring()
    after.configure([new_key, old_key])
    rotated = after.rotate(stored)

    assert after.decrypt(stored) == "shpat_secret"
    only_new = Keyring()
    only_new.configure([new_key])
    assert only_new.decrypt(rotated) == "shpat_secret"


def test_unknown_key_is_a_clear_error() -> None:
    writer, reader = Keyring(), Keyring()
    writer.configure([Fernet.generate_key().decode()])
    reader.configure([Fernet.generate_key().decode()])

    with pytest.raises(DecryptionFailed):
        reader.decrypt(writer.encrypt("token"))


def test_api_key_is_hashed_and_matched_in_constant_time() -> None:
    key, key_id = generate_api_key()

    stored = hash_api_key(key)

    assert key.startswith(f"lnp_{key_id}_")
    assert api_key_id(key) == key_id
    assert key not in stored
    assert len(stored) == 64
    assert api_key_matches(key, stored)
    assert not api_key_matches(key + "x", stored)


@pytest.mark.parametrize("presented", ["", "lnp_short_x", "sk_live_abc", "lnp__"])
def test_malformed_api_keys_have_no_id(presented: str) -> None:
    assert api_key_id(presented) is None
