"""Secrets at rest: Fernet encryption for tokens, one-way hashes for API keys.

Access tokens must be readable again (we call the platform with them), so they are encrypted
with keys from settings (``LUNEO_ENCRYPTION_KEYS``: newest first; older keys still decrypt,
which is how a key is rotated). Partner API keys are only ever compared, so they are hashed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


class EncryptionNotConfigured(RuntimeError):
    """An encrypted column was touched before create_app() installed the keys."""


class DecryptionFailed(RuntimeError):
    """Stored ciphertext does not open with any configured key (wrong or removed key)."""


class Keyring:
    """The process's encryption keys. create_app() installs them; columns use them."""

    def __init__(self) -> None:
        self._fernet: MultiFernet | None = None

    def configure(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    @property
    def fernet(self) -> MultiFernet:
        if self._fernet is None:
            raise EncryptionNotConfigured("encryption keys are not configured; call create_app()")
        return self._fernet

    def encrypt(self, plaintext: str) -> str:
        return self.fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self.fernet.decrypt(ciphertext.encode("ascii")).decode()
        except InvalidToken:
            raise DecryptionFailed(
                "stored secret cannot be decrypted with the configured keys"
            ) from None

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt under the newest key (used by `luneo rotate-keys`)."""
        return self.fernet.rotate(ciphertext.encode("ascii")).decode("ascii")


keyring = Keyring()


class EncryptedString(TypeDecorator[str]):
    """A text column whose value is encrypted before it reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring.decrypt(value)


API_KEY_PREFIX = "lnp"


def generate_api_key() -> tuple[str, str]:
    """A new API key and its public lookup id. The full key is shown once and never stored."""
    key_id = secrets.token_hex(6)
    return f"{API_KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}", key_id


def hash_api_key(api_key: str) -> str:
    # Keys carry 256 bits of randomness, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(api_key.encode()).hexdigest()


def api_key_id(api_key: str) -> str | None:
    """The lookup id inside a presented key, or None if it is not shaped like one of ours."""
    parts = api_key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]


def api_key_matches(api_key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_api_key(api_key), stored_hash)
