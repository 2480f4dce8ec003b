"""The headless surface (``/storefront/headless/v1/...``): a custom storefront's pages (Hydrogen,
any front-end without the app proxy or the WordPress plugin) call the storefront API with the
store's headless key (``app.headless_keys``, created by an owner in the admin) from one of the
origins its owner listed. The guard is ``keyed_surface``'s, shared with the WooCommerce surface;
the JavaScript SDK (``sdk/js``) is its client and ``openapi.json`` describes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from types import ModuleType

from flask import Blueprint, Response

from app import headless_keys
from app.storefront.keyed_surface import KeyedStores
from app.storefront.keyed_surface import build as build_keyed

URL_PREFIX = "/storefront/headless/v1"

STORES = KeyedStores(
    for_key=headless_keys.shop_for_key,
    origins=headless_keys.allowed_origins,
    origin_known=headless_keys.origin_is_listed,
    unknown_origin="This site is not allowed to use a Luneo headless key.",
    invalid_key="This Luneo headless key is missing, revoked or out of date.",
)


def openapi_document() -> str:
    return resources.files("app.storefront").joinpath("openapi.json").read_text()


docs = Blueprint("storefront_openapi", __name__)


@docs.get("/storefront/openapi.json")
def openapi() -> Response:
    """The storefront API's OpenAPI 3.1 document (public: it describes, it does not answer)."""
    response = Response(openapi_document(), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # a description, readable anywhere
    return response


def build(modules: Iterable[ModuleType]) -> Blueprint:
    return build_keyed("storefront_headless", URL_PREFIX, STORES, modules)
