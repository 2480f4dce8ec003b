"""Luneo's Cart Transform on a Shopify shop: created after install, its config kept current.

The ``surcharge`` function (``extensions/surcharge``) adds the surcharge Luneo signed for a
design to that design's cart line. It needs the shop's signing key (``surcharge_token.shop_key``)
and the prefix preview images must start with; both live in the cart transform's app-owned
metafield ``$app:luneo``/``config`` (``{"v": 1, "key": "<64 hex>", "image_prefix": "..."}``),
which the function reads and storefronts cannot.

``ensure_cart_transform`` is idempotent: it creates the cart transform when the shop has none,
rewrites the config only when it differs, and otherwise sends nothing but the one query. A shop
where Shopify refuses (no Checkout Extensibility, the function not deployed yet…) keeps working
at base prices: the refusal is logged and recorded in ``shop.extra["cart_transform"]`` for the
admin to show, and nothing about the install waits on it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.formatting import iso
from app.models import Shop
from app.queue import JobSpec
from app.shopify.surcharge_token import shop_key
from connectors.shopify import cart_transform as api
from connectors.shopify.client import ShopifyGraphQL

log = logging.getLogger(__name__)

EXTRA_KEY = "cart_transform"
ACTIVE, REFUSED = "active", "refused"
SCOPE = "write_cart_transforms"  # what cartTransforms and cartTransformCreate require


def ensure_job(shop_id: int) -> JobSpec:
    """The job that runs ``ensure_cart_transform`` for a shop (after install, and on demand)."""
    return JobSpec(
        "default",
        "jobs.shopify_install.ensure_cart_transform",
        (shop_id,),
        job_id=f"cart-transform-{shop_id}",
    )


def image_prefix(settings: Mapping[str, Any]) -> str:
    """What a design preview's URL starts with: Luneo's own public origin."""
    base = str(settings["APP_URL"] or settings["SHOPIFY_APP_URL"] or "")
    return base.rstrip("/") + "/" if base.startswith("https://") else ""


def function_config(shop: Shop, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The config metafield's value for ``shop`` (its signing key, the image prefix)."""
    key = shop_key(str(settings["SECRET_KEY"]), shop.domain)
    return {"v": 1, "key": key.hex(), "image_prefix": image_prefix(settings)}


def _encode(config: Mapping[str, Any]) -> str:
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


def _same(stored: str | None, wanted: Mapping[str, Any]) -> bool:
    try:
        return stored is not None and json.loads(stored) == dict(wanted)
    except ValueError:
        return False


@dataclass(frozen=True)
class CartTransformState:
    """What ``ensure_cart_transform`` found or did: ``state`` is ACTIVE or REFUSED."""

    state: str
    transform_id: str | None = None
    created: bool = False
    updated: bool = False
    message: str = ""
    code: str | None = None


def _record(shop: Shop, state: CartTransformState, now: datetime) -> None:
    shop.extra = {
        **(shop.extra or {}),
        EXTRA_KEY: {
            "state": state.state,
            "id": state.transform_id,
            "message": state.message,
            "code": state.code,
            "checked_at": iso(now),
        },
    }


def ensure_cart_transform(
    shop: Shop, client: ShopifyGraphQL, config: Mapping[str, Any], now: datetime | None = None
) -> CartTransformState:
    """Make the shop's cart transform exist with the current config; caller commits.

    Shopify's refusal (userErrors) is recorded and returned, never raised; transport failures
    (``RetryableError``, ``AuthError``) propagate so that the job is retried.
    """
    now = now or datetime.now(UTC)
    if SCOPE not in {scope.strip() for scope in (shop.scopes or "").split(",")}:
        # Shopify would answer ACCESS_DENIED: the merchant has not approved the scope yet
        # (installed before Luneo asked for it). Approving it re-runs this (install.save_grant).
        state = CartTransformState(
            REFUSED, message=f"the {SCOPE} permission is not granted yet", code="MISSING_SCOPE"
        )
        _record(shop, state, now)
        return state
    wanted = function_config(shop, config)
    try:
        existing = api.find(client)
        if existing is None:
            created = api.create(client, _encode(wanted))
            state = CartTransformState(ACTIVE, created.id, created=True)
        elif _same(existing.config, wanted):
            state = CartTransformState(ACTIVE, existing.id)
        else:
            api.set_config(client, existing.id, _encode(wanted))
            state = CartTransformState(ACTIVE, existing.id, updated=True)
    except api.CartTransformRefused as exc:
        state = CartTransformState(REFUSED, message=str(exc), code=exc.code)
        log.warning(
            "shopify refused the cart transform",
            extra={"shop": shop.domain, "shop_id": shop.id, "code": exc.code, "why": str(exc)},
        )
    else:
        log.info(
            "shopify cart transform ready",
            extra={
                "shop": shop.domain,
                "shop_id": shop.id,
                "transform_created": state.created,
                "updated": state.updated,
            },
        )
    _record(shop, state, now)
    return state


# What the merchant can do about each refusal (the codes Shopify and ensure_cart_transform give).
_WHY = {
    "MISSING_SCOPE": "Luneo needs one more permission: open Luneo from your Shopify admin and "
    "approve it",
    "ACCESS_DENIED": "Shopify allows it only on stores upgraded to Checkout Extensibility (the "
    "new checkout); upgrade in Settings › Checkout, then open Luneo again",
    "FUNCTION_NOT_FOUND": "Luneo's checkout pricing is not deployed yet; contact Luneo support",
}


def refusal(shop: Shop) -> str | None:
    """Plain words for the admin when Shopify refused the cart transform, else None."""
    recorded = (shop.extra or {}).get(EXTRA_KEY) or {}
    if recorded.get("state") != REFUSED:
        return None
    why = _WHY.get(str(recorded.get("code")), f"Shopify said: {recorded.get('message') or '?'}")
    return (
        f"Shopify does not let Luneo add personalization prices at checkout yet. {why}. "
        "Until then personalized items are sold at the product's price; orders still arrive "
        "with their designs and wait for you before production."
    )
