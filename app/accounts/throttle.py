"""Failed sign-ins, per account and per client address: the budgets ``app.ratelimit`` counts.

A fixed window per key: the first failure starts it, each failure adds one, and once the count
reaches the limit the key is refused until the window ends. A success clears the account's
count (not the address's: one address trying many accounts stays limited). The partner portal
has scopes of its own, so a print shop's person and a merchant with the same address never
share a count. Subjects are hashed: no address or e-mail address is written to Redis.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from redis import Redis

from app.ratelimit import Window, charge, limiter

WINDOW = 15 * 60
PER_ACCOUNT = 5
PER_ADDRESS = 30


@dataclass(frozen=True)
class Limit:
    scope: str  # "login-account", "login-ip", "reset-account", ...
    limit: int
    window: int = WINDOW

    def counted(self, subject: str) -> tuple[str, Window]:
        """The limiter's key for ``subject`` in this scope, and its window."""
        digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:40]
        return f"throttle:{self.scope}:{digest}", Window(self.window, self.limit)


LOGIN_ACCOUNT = Limit("login-account", PER_ACCOUNT)
LOGIN_ADDRESS = Limit("login-ip", PER_ADDRESS)
RESET_ACCOUNT = Limit("reset-account", 3, 3600)
RESET_ADDRESS = Limit("reset-ip", 20, 3600)
SIGNUP_ADDRESS = Limit("signup-ip", 10, 3600)
PARTNER_LOGIN_ACCOUNT = Limit("partner-login-account", PER_ACCOUNT)
PARTNER_LOGIN_ADDRESS = Limit("partner-login-ip", PER_ADDRESS)
PARTNER_RESET_ACCOUNT = Limit("partner-reset-account", 3, 3600)
PARTNER_RESET_ADDRESS = Limit("partner-reset-ip", 20, 3600)


def retry_after(redis: Redis, limit: Limit, subject: str) -> int:
    """Seconds until ``subject`` may try again; 0 when it may try now."""
    return limiter(redis).retry_after(*limit.counted(subject))


def blocked_for(redis: Redis, checks: list[tuple[Limit, str]]) -> int:
    return max((retry_after(redis, limit, subject) for limit, subject in checks), default=0)


def hit(redis: Redis, limit: Limit, subject: str) -> None:
    key, window = limit.counted(subject)
    charge(redis, key, [window])


def hit_all(redis: Redis, checks: list[tuple[Limit, str]]) -> None:
    for limit, subject in checks:
        hit(redis, limit, subject)


def clear(redis: Redis, limit: Limit, subject: str) -> None:
    limiter(redis).clear(*limit.counted(subject))
