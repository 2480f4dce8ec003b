"""Request limits in Redis, shared by every web process: the storefront API's shop and client
budgets, the AI endpoint's per-shopper limits and the bytes of shoppers' files all count here.

Each window is one counter, created with its expiry on its first hit and then incremented (so a
burst never straddles two windows); once a counter passes its limit the caller learns when that
window ends (the ``Retry-After``). A limit of 0 switches a window off. A hit costs 1 (a request)
or ``cost`` (the bytes a file kept, the milliseconds a render took: one expensive request uses
up what many cheap ones would); a hit of cost 0 counts nothing and only refuses a key that is
already over, so costly work whose size is known only afterwards can be refused before it starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis


@dataclass(frozen=True)
class Window:
    seconds: int
    limit: int


class RateLimited(Exception):
    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message


def hit(redis: Redis, key: str, windows: Sequence[Window], message: str, cost: int = 1) -> None:
    """Count ``cost`` for ``key``; raise RateLimited if any window is over its limit."""
    for window in windows:
        if window.limit <= 0:
            continue
        counter = f"luneo:ratelimit:{key}:{window.seconds}"
        pipe = redis.pipeline()
        pipe.set(counter, 0, ex=window.seconds, nx=True)  # the window starts with its first hit
        pipe.incrby(counter, max(0, cost))
        pipe.ttl(counter)
        _, count, ttl = pipe.execute()
        if int(count) > window.limit:
            raise RateLimited(max(1, int(ttl) if int(ttl) > 0 else window.seconds), message)
