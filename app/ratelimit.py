"""Every request limit in Luneo, counted by the ``limits`` library in Redis and shared by every
web process: the storefront API's shop and client budgets, the bytes of shoppers' files and the
milliseconds of their previews, the AI endpoint's per-shopper and per-store limits, the partner
API's per-partner budget, WooCommerce key POSTs and failed sign-ins (``app.accounts.throttle``
names those).

Each window is a fixed window that starts with its first hit and ends ``seconds`` later (so a
burst never straddles two windows); once a count passes its limit the caller learns when that
window ends (the ``Retry-After``). Fixed, not moving: most budgets weigh their hits (``cost``: the
bytes a file kept, the milliseconds a render took), and a moving window would keep one entry per
unit spent. A limit of 0 switches a window off. A hit of cost 0 counts nothing and only refuses a
key that is already over, so costly work whose size is known only afterwards can be refused
before it starts.

Over a limit, ``hit`` raises ``RateLimited``; ``app.errors`` answers it 429 with ``Retry-After``
on every surface. A Redis error is not swallowed: a limited request fails (500) rather than pass
uncounted, as it always has.
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter
from redis import Redis

KEY_PREFIX = "luneo"  # Redis keys: luneo:ratelimit/<key>/<limit>/<seconds>/second
NAMESPACE = "ratelimit"


@dataclass(frozen=True)
class Window:
    seconds: int
    limit: int

    def item(self) -> RateLimitItem:
        return RateLimitItemPerSecond(self.limit, self.seconds, namespace=NAMESPACE)


class RateLimited(Exception):
    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message


class Limiter:
    """Fixed windows over a ``limits`` storage: Redis in the app, memory where there is none."""

    def __init__(self, storage: Storage) -> None:
        self._windows = FixedWindowRateLimiter(storage)

    def hit(self, key: str, windows: Sequence[Window], message: str, cost: int = 1) -> None:
        """Count ``cost`` for ``key``; raise RateLimited at the first window over its limit."""
        for window in windows:
            if window.limit > 0 and not self._windows.hit(window.item(), key, cost=max(0, cost)):
                raise RateLimited(self._seconds_left(key, window), message)

    def take(self, key: str, windows: Sequence[Window], message: str, wanted: int) -> int:
        """Count up to ``wanted`` for ``key``: as many as every window has left (at least 1),
        and say how many; RateLimited when a window has none left."""
        granted = wanted
        for window in windows:
            if window.limit > 0:
                left = self._windows.get_window_stats(window.item(), key).remaining
                if left < 1:
                    raise RateLimited(self._seconds_left(key, window), message)
                granted = min(granted, left)
        self.hit(key, windows, message, granted)
        return granted

    def charge(self, key: str, windows: Sequence[Window], cost: int = 1) -> None:
        """Count ``cost`` for ``key`` in every window, never refusing: work already done is
        paid for, and an overspent budget refuses the next request instead."""
        for window in windows:
            if window.limit > 0:
                self._windows.hit(window.item(), key, cost=max(0, cost))

    def retry_after(self, key: str, window: Window) -> int:
        """Seconds until ``key`` may try again: 0 while its count is below the limit."""
        if window.limit <= 0 or self._windows.test(window.item(), key):
            return 0
        return self._seconds_left(key, window)

    def clear(self, key: str, window: Window) -> None:
        self._windows.clear(window.item(), key)

    def _seconds_left(self, key: str, window: Window) -> int:
        reset = self._windows.get_window_stats(window.item(), key).reset_time
        return min(window.seconds, max(1, math.ceil(reset - time.time())))


_limiters: weakref.WeakKeyDictionary[Redis, Limiter] = weakref.WeakKeyDictionary()


def limiter(redis: Redis) -> Limiter:
    """The limiter counting in ``redis`` (REDIS_URL or the embedded server), on its connections."""
    found = _limiters.get(redis)
    if found is None:
        storage = RedisStorage(
            "redis://", connection_pool=redis.connection_pool, key_prefix=KEY_PREFIX
        )
        found = _limiters[redis] = Limiter(storage)
    return found


def hit(redis: Redis, key: str, windows: Sequence[Window], message: str, cost: int = 1) -> None:
    """Count ``cost`` for ``key``; raise RateLimited if any window is over its limit."""
    limiter(redis).hit(key, windows, message, cost)


def take(redis: Redis, key: str, windows: Sequence[Window], message: str, wanted: int) -> int:
    """Count up to ``wanted`` for ``key`` (see ``Limiter.take``); how many were counted."""
    return limiter(redis).take(key, windows, message, wanted)


def charge(redis: Redis, key: str, windows: Sequence[Window], cost: int = 1) -> None:
    """Count ``cost`` for ``key`` without refusing (see ``Limiter.charge``)."""
    limiter(redis).charge(key, windows, cost)
