"""Jobs that finish a Shopify install after the merchant is already in the app.

``ensure_cart_transform`` activates Luneo's Cart Transform function on the shop (the
personalization surcharge at checkout) through ``app.shopify.cart_transform``. Shopify refusing
is recorded on the shop, not raised; a network or token failure raises so RQ retries. RQ stores
the dotted path with every queued job: keep the name.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.extensions import get_db
from app.models import Shop
from app.shopify import cart_transform, tokens


def ensure_cart_transform(shop_id: int) -> dict[str, Any] | None:
    """Create the shop's cart transform, or bring its config up to date (idempotent)."""
    with get_db().session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or not shop.is_installed:
            return None
        client = tokens.admin_client(shop, current_app.config)
        state = cart_transform.ensure_cart_transform(shop, client, current_app.config)
        return {"state": state.state, "created": state.created, "updated": state.updated}
