"""The guard of the storefront surfaces a store's own pages call cross-origin with a public key.

Two surfaces use it: the WooCommerce store's (``/storefront/v1``, the key the plugin puts on its
pages, ``woo_surface``) and a headless store's (``/storefront/headless/v1``, the key its owner
created in the admin for a custom storefront, ``headless_surface``). Each names how it finds a
store (:class:`KeyedStores`); the rule is one:

* the key in ``X-Luneo-Key`` names the store, then the browser's ``Origin`` must be one the store
  allows: the key alone is public, the pair is what a browser on another site cannot produce.
  Wrong or missing key: 401 ``invalid_key``; right key from another origin: 403
  ``origin_not_allowed``.
* a preflight (``OPTIONS``) carries no key: 204 with the allowed method/headers when some store
  allows that origin, 403 without CORS headers otherwise.
* CORS answers name that one origin (never ``*``, never credentials), always with
  ``Vary: Origin`` (``cors``). A page cannot sign who is logged in, so no customer is ever taken
  on its word.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from types import ModuleType

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from app.client_address import client_address
from app.errors import ApiError
from app.extensions import get_session
from app.models import Shop
from app.storefront import Shopper
from app.storefront.cors import add_cors_headers, preflight, request_origin
from app.storefront.surface import finish

KEY_HEADER = "X-Luneo-Key"
ALLOWED_HEADERS = f"Content-Type, Accept, {KEY_HEADER}"
WRONG_ORIGIN = "This key belongs to another site than the one calling."


@dataclass(frozen=True)
class KeyedStores:
    """How one surface finds the store a key names and the origins that store allows."""

    for_key: Callable[[Session, str], Shop | None]
    origins: Callable[[Session, Shop], Collection[str]]
    origin_known: Callable[[Session, str], bool]  # some store allows it (for preflights)
    unknown_origin: str  # the preflight's refusal
    invalid_key: str  # the 401's message
    on_call: Callable[[Session, Shop], None] | None = None  # after the guard let a call in


def _preflight(stores: KeyedStores) -> ResponseReturnValue:
    origin = request_origin()
    if not origin or not stores.origin_known(get_session(), origin):
        raise ApiError(403, "origin_not_allowed", stores.unknown_origin)
    g.storefront_origin = origin
    return preflight(ALLOWED_HEADERS)


def guard(stores: KeyedStores) -> Callable[[], ResponseReturnValue | None]:
    def check() -> ResponseReturnValue | None:
        """Let the call through only with a store's key, from an origin that store allows."""
        if request.method == "OPTIONS":
            return _preflight(stores)
        session, origin = get_session(), request_origin()
        shop = stores.for_key(session, request.headers.get(KEY_HEADER, "").strip())
        if shop is None:
            if origin and stores.origin_known(session, origin):
                g.storefront_origin = origin  # so the page can read why it was refused
            raise ApiError(401, "invalid_key", stores.invalid_key)
        if not origin or origin.lower() not in stores.origins(session, shop):
            raise ApiError(403, "origin_not_allowed", WRONG_ORIGIN)
        g.storefront_origin = origin.lower()
        if stores.on_call is not None:
            stores.on_call(session, shop)
        g.storefront_shopper = Shopper(shop, None, client_key=f"ip:{client_address()}")
        return None

    return check


def build(
    name: str, url_prefix: str, stores: KeyedStores, modules: Iterable[ModuleType]
) -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix=url_prefix)
    bp.before_request(guard(stores))
    bp.after_request(add_cors_headers)
    return finish(bp, modules)
