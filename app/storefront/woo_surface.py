"""The WooCommerce surface (``/storefront/v1/...``): cross-origin calls from the store's pages.

The widget runs on the store's own domain and calls Luneo directly, sending the store's public
key in ``X-Luneo-Key``. The guard finds the store by that key and then requires the browser's
``Origin`` to be that store's origin: the key alone is public, the pair is what a browser on
another site cannot produce. CORS answers name that one origin (never ``*``, never credentials),
always with ``Vary: Origin`` so caches keep stores apart.

* preflight (``OPTIONS``): 204 with the allowed method/headers when the origin is a connected
  store's; 403 without CORS headers otherwise.
* wrong or missing key: 401 ``invalid_key``; right key from another origin: 403
  ``origin_not_allowed``.

The plugin's own server-to-server calls name its version (``X-Luneo-Plugin``), recorded here
(``app.woocommerce.plugin``).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue

from app.client_address import client_address
from app.errors import ApiError
from app.extensions import get_session
from app.storefront import Shopper
from app.storefront.cors import add_cors_headers, preflight, request_origin
from app.storefront.surface import finish
from app.woocommerce.plugin import PLUGIN_HEADER, note_plugin_version
from app.woocommerce.storefront_keys import store_for_key, store_for_origin, store_origin

KEY_HEADER = "X-Luneo-Key"
ALLOWED_HEADERS = f"Content-Type, Accept, {KEY_HEADER}"


def _preflight() -> ResponseReturnValue:
    origin = request_origin()
    if not origin or store_for_origin(get_session(), origin) is None:
        raise ApiError(403, "origin_not_allowed", "This site is not connected to Luneo.")
    g.storefront_origin = origin
    return preflight(ALLOWED_HEADERS)


def _guard() -> ResponseReturnValue | None:
    """Let the call through only with a connected store's key, from that store's origin."""
    if request.method == "OPTIONS":
        return _preflight()
    session, origin = get_session(), request_origin()
    shop = store_for_key(session, request.headers.get(KEY_HEADER, "").strip())
    if shop is None:
        if origin and store_for_origin(session, origin) is not None:
            g.storefront_origin = origin  # so the page can read why it was refused
        raise ApiError(401, "invalid_key", "This store's Luneo key is missing or out of date.")
    allowed = store_origin(shop)
    if allowed is None or origin.lower() != allowed:
        raise ApiError(
            403, "origin_not_allowed", "This key belongs to another site than the one calling."
        )
    g.storefront_origin = allowed
    if note_plugin_version(shop, request.headers.get(PLUGIN_HEADER)):
        session.commit()  # before the view: nothing else is pending yet
    # A WooCommerce page cannot sign who is logged in, so no customer is ever taken on its word.
    g.storefront_shopper = Shopper(shop, None, client_key=f"ip:{client_address()}")
    return None


def build(modules: Iterable[ModuleType]) -> Blueprint:
    bp = Blueprint("storefront_woo", __name__, url_prefix="/storefront/v1")
    bp.before_request(_guard)
    bp.after_request(add_cors_headers)
    return finish(bp, modules)
