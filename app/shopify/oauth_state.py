"""The OAuth ``state`` of the authorization-code grant: signed, bound to one shop, single use.

``state`` is ``<nonce>.<signature>``. The random nonce is kept in Redis for ``STATE_TTL`` seconds
with the shop it was issued for, and the callback takes it out with GETDEL, so a state works
once, for that shop, within ten minutes. The signature (HMAC of nonce and shop with the app's
``SECRET_KEY``) turns away forged or cross-shop states before Redis is touched. The stored
value also counts re-authorization attempts, so a grant that keeps lacking scopes cannot loop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from redis import Redis

STATE_TTL = 600
MAX_STATE_LENGTH = 200
_KEY_PREFIX = "luneo:shopify:oauth-state:"


@dataclass(frozen=True)
class OAuthState:
    shop: str
    attempt: int  # 0 for the first authorization, 1 after a grant that lacked scopes, …


def _sign(secret_key: str, nonce: str, shop: str) -> str:
    digest = hmac.new(secret_key.encode(), f"{nonce}|{shop}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue(redis: Redis, secret_key: str, shop: str, attempt: int = 0) -> str:
    """A fresh state for one authorization of ``shop``."""
    nonce = secrets.token_urlsafe(32)
    redis.set(_KEY_PREFIX + nonce, f"{attempt}:{shop}", ex=STATE_TTL)
    return f"{nonce}.{_sign(secret_key, nonce, shop)}"


def consume(redis: Redis, secret_key: str, state: str | None, shop: str) -> OAuthState | None:
    """The state's record if it was issued for ``shop`` and not used yet; it is used up now."""
    if not state or len(state) > MAX_STATE_LENGTH:
        return None
    nonce, _, signature = state.partition(".")
    if not nonce or not hmac.compare_digest(
        signature.encode(), _sign(secret_key, nonce, shop).encode()
    ):
        return None
    raw = redis.getdel(_KEY_PREFIX + nonce)
    if raw is None:
        return None
    attempt, _, stored_shop = (raw.decode() if isinstance(raw, bytes) else str(raw)).partition(":")
    if stored_shop != shop or not attempt.isdigit():
        return None
    return OAuthState(shop=stored_shop, attempt=int(attempt))
