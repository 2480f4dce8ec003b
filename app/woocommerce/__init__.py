"""WooCommerce: the connection through WooCommerce's auth endpoint, and the webhook receiver.

Two blueprints, one per trust surface: ``auth`` (``woo_auth``: the key POST and the return
page) and ``webhooks`` (``woo_webhooks``: signed deliveries). Services live beside them
(``connect``, ``disconnect``, ``store_url``, ``pending``, ``urls``) so jobs and the CLI use them
without importing a blueprint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """Imported on demand, so jobs using the services never load a blueprint."""
    from app.woocommerce import auth, webhooks

    return (auth.bp, webhooks.bp)
