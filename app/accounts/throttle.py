"""Failed sign-ins counted in Redis, per account and per client address.

A fixed window per key: the first failure starts it, each failure adds one, and once the count
reaches the limit the key is refused until the window ends. A success clears the account's
count (not the address's: one address trying many accounts stays limited). The partner portal
has scopes of its own, so a print shop's person and a merchant with the same address never
share a count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from redis import Redis

WINDOW = 15 * 60
PER_ACCOUNT = 5
PER_ADDRESS = 30
_PREFIX = "luneo:throttle:"


@dataclass(frozen=True)
class Limit:
    scope: str  # "login-account", "login-ip", "reset-account", ...
    limit: int
    window: int = WINDOW


LOGIN_ACCOUNT = Limit("login-account", PER_ACCOUNT)
LOGIN_ADDRESS = Limit("login-ip", PER_ADDRESS)
RESET_ACCOUNT = Limit("reset-account", 3, 3600)
RESET_ADDRESS = Limit("reset-ip", 20, 3600)
SIGNUP_ADDRESS = Limit("signup-ip", 10, 3600)
PARTNER_LOGIN_ACCOUNT = Limit("partner-login-account", PER_ACCOUNT)
PARTNER_LOGIN_ADDRESS = Limit("partner-login-ip", PER_ADDRESS)
PARTNER_RESET_ACCOUNT = Limit("partner-reset-account", 3, 3600)
PARTNER_RESET_ADDRESS = Limit("partner-reset-ip", 20, 3600)


def _key(limit: Limit, subject: str) -> str:
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:40]
    return f"{_PREFIX}{limit.scope}:{digest}"


def retry_after(redis: Redis, limit: Limit, subject: str) -> int:
    """Seconds until ``subject`` may try again; 0 when it may try now."""
    key = _key(limit, subject)
    count = redis.get(key)
    if count is None or int(count) < limit.limit:
        return 0
    ttl = int(redis.ttl(key))
    return max(ttl, 1)


def blocked_for(redis: Redis, checks: list[tuple[Limit, str]]) -> int:
    return max((retry_after(redis, limit, subject) for limit, subject in checks), default=0)


def hit(redis: Redis, limit: Limit, subject: str) -> None:
    key = _key(limit, subject)
    # The window starts with the first failure (no EXPIRE NX: the embedded Redis predates it).
    if int(redis.incr(key)) == 1 or int(redis.ttl(key)) < 0:
        redis.expire(key, limit.window)


def hit_all(redis: Redis, checks: list[tuple[Limit, str]]) -> None:
    for limit, subject in checks:
        hit(redis, limit, subject)


def clear(redis: Redis, limit: Limit, subject: str) -> None:
    redis.delete(_key(limit, subject))
