"""Fixed-window rate limits for the storefront API: one budget per shop, one per client.

The shop budget keeps one busy (or attacked) store from starving the others; the client budget
keeps one browser from using up its store's. Counters live in Redis (``INCR`` + ``EXPIRE`` in one
round trip) so every web process shares them. Over budget: 429 with ``Retry-After`` in seconds.
Limits come from ``STOREFRONT_RATE_PER_SHOP`` / ``STOREFRONT_RATE_PER_CLIENT`` per
``STOREFRONT_RATE_WINDOW`` seconds; 0 switches a budget off.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from flask import current_app, request
from flask.typing import ResponseReturnValue
from redis import Redis

from app.errors import error_response
from app.extensions import get_redis
from app.storefront import current_shopper

PREFIX = "luneo:storefront:rate"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window that refused the call ends (0 when allowed)


def hit(redis: Redis, bucket: str, limit: int, window: int, now: float | None = None) -> Verdict:
    """Count one call against ``bucket``; refuse once more than ``limit`` fell in this window."""
    if limit <= 0:
        return Verdict(True, 0)
    moment = time.time() if now is None else now
    slot = int(moment // window)
    key = f"{PREFIX}:{bucket}:{slot}"
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, window + 1)
    count = int(pipe.execute()[0])
    if count <= limit:
        return Verdict(True, 0)
    return Verdict(False, max(1, math.ceil((slot + 1) * window - moment)))


def _client_bucket(shop_id: int, client_key: str) -> str:
    digest = hashlib.sha256(client_key.encode()).hexdigest()[:24]  # no raw IPs in Redis keys
    return f"client:{shop_id}:{digest}"


def rate_limit() -> ResponseReturnValue | None:
    """``before_request`` after a surface's guard: the shop's and the client's budgets."""
    if request.method == "OPTIONS":
        return None
    shopper = current_shopper()
    config = current_app.config
    window = max(1, int(config["STOREFRONT_RATE_WINDOW"]))
    redis = get_redis()
    buckets = (
        (_client_bucket(shopper.shop.id, shopper.client_key), config["STOREFRONT_RATE_PER_CLIENT"]),
        (f"shop:{shopper.shop.id}", config["STOREFRONT_RATE_PER_SHOP"]),
    )
    for bucket, limit in buckets:
        verdict = hit(redis, bucket, int(limit), window)
        if not verdict.allowed:
            response, status = error_response(
                429, "rate_limited", "Too many requests right now. Please wait a moment and retry."
            )
            response.headers["Retry-After"] = str(verdict.retry_after)
            return response, status
    return None
