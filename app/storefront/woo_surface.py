"""The WooCommerce surface (``/storefront/v1/...``): cross-origin calls from the store's pages.

The widget runs on the store's own domain and calls Luneo directly, sending the store's public
key in ``X-Luneo-Key``; the guard (``keyed_surface``, shared with the headless surface) finds the
store by that key and then requires the browser's ``Origin`` to be that store's origin, the one
it was connected with.

The plugin's own server-to-server calls name its version (``X-Luneo-Plugin``), recorded here
(``app.woocommerce.plugin``).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from flask import Blueprint, request
from sqlalchemy.orm import Session

from app.models import Shop
from app.storefront.keyed_surface import KEY_HEADER, KeyedStores
from app.storefront.keyed_surface import build as build_keyed
from app.woocommerce.plugin import PLUGIN_HEADER, note_plugin_version
from app.woocommerce.storefront_keys import store_for_key, store_for_origin, store_origin

__all__ = ["KEY_HEADER", "build"]


def _origins(_session: Session, shop: Shop) -> frozenset[str]:
    origin = store_origin(shop)
    return frozenset({origin}) if origin else frozenset()


def _known(session: Session, origin: str) -> bool:
    return store_for_origin(session, origin) is not None


def _note_plugin(session: Session, shop: Shop) -> None:
    if note_plugin_version(shop, request.headers.get(PLUGIN_HEADER)):
        session.commit()  # before the view: nothing else is pending yet


STORES = KeyedStores(
    for_key=store_for_key,
    origins=_origins,
    origin_known=_known,
    unknown_origin="This site is not connected to Luneo.",
    invalid_key="This store's Luneo key is missing or out of date.",
    on_call=_note_plugin,
)


def build(modules: Iterable[ModuleType]) -> Blueprint:
    return build_keyed("storefront_woo", "/storefront/v1", STORES, modules)
