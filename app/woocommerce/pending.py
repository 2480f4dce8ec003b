"""Pending WooCommerce connections: the ``user_id`` token of the auth endpoint, kept in Redis.

WooCommerce's key POST carries no store URL and no signature, only the ``user_id`` we put in
the authorize link. The token is 256 random bits, bound to the normalized store URL it was
issued for (the only URL its keys are checked against, see ``key_proof``) and to the account
that started it, valid for ``PENDING_TTL`` seconds. Redis is keyed by the token's SHA-256 (a
lookup reveals nothing about the token) and the stored digest is compared with
``hmac.compare_digest`` before it is trusted.

A key POST first ``peek``s at the token and only ``consume``s it (GETDEL, so it works once) once
the store has confirmed the keys: a forged POST with a leaked token then cannot use it up before
the store's genuine POST, which carries the same ``user_id``. What a forged POST can still cost
(calls to the store) is bounded by ``ATTEMPTS`` key POSTs per token a minute, and by
``STORE_ATTEMPTS`` per store and account however many tokens the account starts for it (per
account, so one account's flood cannot block another's genuine delivery).

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

from app.ratelimit import Window, hit

PENDING_TTL = 30 * 60  # the merchant may have to sign in to WordPress first
RESULT_TTL = 60 * 60
MAX_TOKEN_LENGTH = 128
_PENDING = "luneo:woo:pending:"
_RESULT = "luneo:woo:connected:"
ATTEMPTS = Window(seconds=60, limit=10)
STORE_ATTEMPTS = Window(seconds=60, limit=30)


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


def _valid(token: Any) -> bool:
    return isinstance(token, str) and bool(token) and len(token) <= MAX_TOKEN_LENGTH


def _connection(raw: Any, digest: str) -> PendingConnection | None:
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


def peek(redis: Redis, token: Any) -> PendingConnection | None:
    """The pending connection for ``token`` if it is known and unused; it stays usable."""
    if not _valid(token):
        return None
    digest = _digest(token)
    return _connection(redis.get(_PENDING + digest), digest)


def count_attempt(redis: Redis, token: str, link: PendingConnection) -> None:
    """One more key POST for ``token``; RateLimited past either budget."""
    hit(redis, f"woo-key-post:{_digest(token)}", (ATTEMPTS,), "too many key posts for this link")
    starter = link.user_id if link.user_id is not None else "cli"
    key = f"woo-key-post-store:{link.domain}:{starter}"
    hit(redis, key, (STORE_ATTEMPTS,), "too many key posts for this store")


def consume(redis: Redis, token: Any) -> PendingConnection | None:
    """The pending connection for ``token`` if it is known and unused; it is used up now."""
    if not _valid(token):
        return None
    digest = _digest(token)
    return _connection(redis.getdel(_PENDING + digest), digest)


def remember_result(redis: Redis, token: str, domain: str, **details: Any) -> None:
    """What the key POST did (``domain``, ``shop_id``, ``membership``), for the return page."""
    record = {**details, "domain": domain}
    redis.set(_RESULT + _digest(token), json.dumps(record), ex=RESULT_TTL)


def result_record(redis: Redis, token: Any) -> dict[str, Any] | None:
    if not _valid(token):
        return None
    raw = redis.get(_RESULT + _digest(token))
    return _decode(raw) if raw is not None else None


def result_for(redis: Redis, token: Any) -> str | None:
    """The domain connected with ``token``, if its key POST arrived and was accepted."""
    record = result_record(redis, token)
    domain = record.get("domain") if record else None
    return domain if isinstance(domain, str) else None
