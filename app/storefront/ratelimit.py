"""Rate limits for the storefront API: one budget per shop, one per client (``app.ratelimit``).

The shop budget keeps one busy (or attacked) store from starving the others; the client budget
keeps one browser from using up its store's. Over budget: 429 with ``Retry-After`` in seconds.
Limits come from ``STOREFRONT_RATE_PER_SHOP`` / ``STOREFRONT_RATE_PER_CLIENT`` per
``STOREFRONT_RATE_WINDOW`` seconds; 0 switches a budget off.
"""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask.typing import ResponseReturnValue

from app.errors import rate_limited_response
from app.extensions import get_redis
from app.ratelimit import RateLimited, Window, hit
from app.storefront import current_shopper

MESSAGE = "Too many requests right now. Please wait a moment and retry."


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
        try:
            hit(redis, f"storefront:{bucket}", [Window(window, int(limit))], MESSAGE)
        except RateLimited as exc:
            return rate_limited_response(exc)
    return None
