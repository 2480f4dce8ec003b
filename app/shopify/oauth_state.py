"""The OAuth ``state`` of the authorization-code grant: signed, bound to one shop, single use.

``state`` is an ``app.signing`` token naming a random nonce and the shop, living ``STATE_TTL``
seconds. The nonce is kept in Redis for as long with the shop it was issued for, and the
callback takes it out with GETDEL, so a state works once, for that shop, within ten minutes.
The token's signature turns away forged, expired or cross-shop states before Redis is touched.
The stored value also counts re-authorization attempts, so a grant that keeps lacking scopes
cannot loop.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from redis import Redis

from app import signing

STATE_TTL = 600
MAX_STATE_LENGTH = 512
_KEY_PREFIX = "luneo:shopify:oauth-state:"


@dataclass(frozen=True)
class OAuthState:
    shop: str
    attempt: int  # 0 for the first authorization, 1 after a grant that lacked scopes, …


def issue(redis: Redis, secret_key: str, shop: str, attempt: int = 0) -> str:
    """A fresh state for one authorization of ``shop``."""
    nonce = secrets.token_urlsafe(32)
    redis.set(_KEY_PREFIX + nonce, f"{attempt}:{shop}", ex=STATE_TTL)
    return signing.issue(
        secret_key, signing.Purpose.SHOPIFY_OAUTH_STATE, [nonce, shop], ttl=STATE_TTL
    ).token


def consume(redis: Redis, secret_key: str, state: str | None, shop: str) -> OAuthState | None:
    """The state's record if it was issued for ``shop`` and not used yet; it is used up now."""
    if not state or len(state) > MAX_STATE_LENGTH:
        return None
    try:
        claims = signing.verify(secret_key, signing.Purpose.SHOPIFY_OAUTH_STATE, state).claims
    except signing.TokenRefused:
        return None
    if not isinstance(claims, list) or len(claims) != 2 or claims[1] != shop:
        return None
    nonce = claims[0]
    if not isinstance(nonce, str) or not nonce:
        return None
    raw = redis.getdel(_KEY_PREFIX + nonce)
    if raw is None:
        return None
    attempt, _, stored_shop = (raw.decode() if isinstance(raw, bytes) else str(raw)).partition(":")
    if stored_shop != shop or not attempt.isdigit():
        return None
    return OAuthState(shop=stored_shop, attempt=int(attempt))
