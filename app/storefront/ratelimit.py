"""Rate limits for the storefront API: one budget per shop, one per client (``app.ratelimit``).

The shop budget keeps one busy (or attacked) store from starving the others; the client budget
keeps one browser from using up its store's. Over budget: 429 with ``Retry-After`` in seconds.
Limits come from ``STOREFRONT_RATE_PER_SHOP`` / ``STOREFRONT_RATE_PER_CLIENT`` per
``STOREFRONT_RATE_WINDOW`` seconds; 0 switches a budget off.

Rendering is also budgeted by what it costs, not by how often it is asked for: the milliseconds
each preview took are counted per shop and per client (``STOREFRONT_RENDER_MS_PER_SHOP`` /
``STOREFRONT_RENDER_MS_PER_CLIENT`` per window). A render starts only while both are unspent, so
one client overshoots by at most one render (itself cut off by the preview time budget).
"""

from __future__ import annotations

import hashlib
import ipaddress

from flask import current_app, request
from redis import Redis

from app.extensions import get_redis
from app.ratelimit import Window, charge, hit
from app.storefront import current_shopper

MESSAGE = "Too many requests right now. Please wait a moment and retry."
RENDER_MESSAGE = "Too many previews right now. Please wait a moment and retry."


def _client_bucket(shop_id: int, client_key: str) -> str:
    digest = hashlib.sha256(client_key.encode()).hexdigest()[:24]  # no raw IPs in Redis keys
    return f"client:{shop_id}:{digest}"


def rate_limit() -> None:
    """``before_request`` after a surface's guard: the shop's and the client's budgets
    (RateLimited, answered 429 by ``app.errors``)."""
    if request.method == "OPTIONS":
        return
    shopper = current_shopper()
    config = current_app.config
    window = max(1, int(config["STOREFRONT_RATE_WINDOW"]))
    redis = get_redis()
    buckets = (
        (_client_bucket(shopper.shop.id, shopper.client_key), config["STOREFRONT_RATE_PER_CLIENT"]),
        (f"shop:{shopper.shop.id}", config["STOREFRONT_RATE_PER_SHOP"]),
    )
    for bucket, limit in buckets:
        hit(redis, f"storefront:{bucket}", [Window(window, int(limit))], MESSAGE)


# Shoppers' files: bytes, not requests. Photos and AI images are kept (for days when a design
# places them), so what one shopper and one store may add is budgeted per hour and per day.
FILES_MESSAGE = "You have added a lot of pictures for now. Please wait a while before adding more."
HOUR, DAY = 3600, 86400


def _shopper_of(client_key: str) -> str:
    """The budget's shopper: an IPv6 client is its /64 (one line picks freely inside one)."""
    kind, _, address = client_key.partition(":")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return client_key
    if ip.version == 6:
        return f"{kind}:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return client_key


def _file_budgets(shop_id: int, client_key: str) -> tuple[tuple[str, list[Window]], ...]:
    config = current_app.config

    def windows(per: str) -> list[Window]:
        return [
            Window(HOUR, int(config[f"STOREFRONT_FILE_BYTES_PER_{per}_HOUR"])),
            Window(DAY, int(config[f"STOREFRONT_FILE_BYTES_PER_{per}_DAY"])),
        ]

    shopper = _client_bucket(shop_id, _shopper_of(client_key))
    return (
        (f"storefront-files:{shopper}", windows("CLIENT")),
        (f"storefront-files:shop:{shop_id}", windows("SHOP")),
    )


def spend_file_bytes(redis: Redis, shop_id: int, client_key: str, size: int) -> None:
    """Charge ``size`` bytes of a kept shopper file to the shopper's and the store's budgets.

    ``size=0`` charges nothing: it refuses (RateLimited) a shopper or store already over budget,
    before an upload is read or an image is asked for. The file that passes a budget is refused.
    """
    for key, windows in _file_budgets(shop_id, client_key):
        hit(redis, key, windows, FILES_MESSAGE, cost=size)


def _render_buckets() -> list[tuple[str, Window]]:
    shopper = current_shopper()
    config = current_app.config
    window = max(1, int(config["STOREFRONT_RATE_WINDOW"]))
    client = _client_bucket(shopper.shop.id, shopper.client_key)
    return [
        (
            f"storefront:render:{client}",
            Window(window, int(config["STOREFRONT_RENDER_MS_PER_CLIENT"])),
        ),
        (
            f"storefront:render:shop:{shopper.shop.id}",
            Window(window, int(config["STOREFRONT_RENDER_MS_PER_SHOP"])),
        ),
    ]


def check_render_budget() -> None:
    """RateLimited (429) when the shop's or the client's rendering time is spent for now."""
    for key, window in _render_buckets():
        hit(get_redis(), key, [window], RENDER_MESSAGE, cost=0)


def charge_render(milliseconds: int) -> None:
    """Count a render's time against both budgets; the next render is refused if it overspent."""
    for key, window in _render_buckets():
        # This render is done and answered: an overspent budget refuses the next one instead.
        charge(get_redis(), key, [window], cost=max(1, milliseconds))


# Analytics events: a batch is one request (the budgets above), and the events it carries are
# counted too, so a script cannot inflate a store's funnel by sending full batches in a loop.
EVENTS_PER_CLIENT = 1_000  # per STOREFRONT_RATE_WINDOW: a busy shopper sends a few dozen
EVENTS_PER_SHOP = 200_000
EVENTS_MESSAGE = "Too many analytics events right now."


def spend_events(count: int) -> None:
    """Count ``count`` analytics events against the client's and the shop's event budgets
    (RateLimited, 429, when either is spent)."""
    shopper = current_shopper()
    window = max(1, int(current_app.config["STOREFRONT_RATE_WINDOW"]))
    client = _client_bucket(shopper.shop.id, shopper.client_key)
    budgets = (
        (f"storefront:events:{client}", EVENTS_PER_CLIENT),
        (f"storefront:events:shop:{shopper.shop.id}", EVENTS_PER_SHOP),
    )
    for key, limit in budgets:
        hit(get_redis(), key, [Window(window, limit)], EVENTS_MESSAGE, cost=count)
