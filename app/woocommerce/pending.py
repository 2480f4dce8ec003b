"""Pending WooCommerce connections: the ``user_id`` token of the auth endpoint, kept in Redis.

WooCommerce's key POST carries no store URL and no signature, only the ``user_id`` we put in
the authorize link. So that token is the whole proof: 256 random bits, bound to the normalized
store URL it was issued for, valid for ``PENDING_TTL`` seconds and taken out with GETDEL, so it
works once. Redis is keyed by the token's SHA-256 (a lookup reveals nothing about the token)
and the stored digest is compared with ``hmac.compare_digest`` before it is trusted.

The callback's outcome is kept a little longer under the same digest, so the return page can
say which store was connected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from redis import Redis

PENDING_TTL = 30 * 60  # the merchant may have to sign in to WordPress first
RESULT_TTL = 60 * 60
MAX_TOKEN_LENGTH = 128
_PENDING = "luneo:woo:pending:"
_RESULT = "luneo:woo:connected:"


@dataclass(frozen=True)
class PendingConnection:
    store_url: str
    domain: str
    user_id: int | None = None  # the Luneo account that started it (None from the CLI)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _decode(raw: Any) -> dict[str, Any] | None:
    try:
        value = json.loads(raw.decode() if isinstance(raw, bytes) else str(raw))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def create(redis: Redis, store_url: str, domain: str, user_id: int | None = None) -> str:
    """A fresh single-use token for connecting the store at ``store_url`` (for ``user_id``).

    The account id stays here, on our side: WooCommerce only ever sees the random token.
    """
    token = secrets.token_urlsafe(32)
    digest = _digest(token)
    record = {"digest": digest, "store_url": store_url, "domain": domain, "user_id": user_id}
    redis.set(_PENDING + digest, json.dumps(record), ex=PENDING_TTL)
    return token


def consume(redis: Redis, token: Any) -> PendingConnection | None:
    """The pending connection for ``token`` if it is known and unused; it is used up now."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = _digest(token)
    raw = redis.getdel(_PENDING + digest)
    record = _decode(raw) if raw is not None else None
    if record is None or not hmac.compare_digest(str(record.get("digest", "")), digest):
        return None
    store_url, domain = record.get("store_url"), record.get("domain")
    if not isinstance(store_url, str) or not isinstance(domain, str):
        return None
    user_id = record.get("user_id")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        user_id = None
    return PendingConnection(store_url=store_url, domain=domain, user_id=user_id)


def remember_result(redis: Redis, token: str, domain: str, **details: Any) -> None:
    """What the key POST did (``domain``, ``shop_id``, ``membership``), for the return page."""
    record = {**details, "domain": domain}
    redis.set(_RESULT + _digest(token), json.dumps(record), ex=RESULT_TTL)


def result_record(redis: Redis, token: Any) -> dict[str, Any] | None:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    raw = redis.get(_RESULT + _digest(token))
    return _decode(raw) if raw is not None else None


def result_for(redis: Redis, token: Any) -> str | None:
    """The domain connected with ``token``, if its key POST arrived and was accepted."""
    record = result_record(redis, token)
    domain = record.get("domain") if record else None
    return domain if isinstance(domain, str) else None
