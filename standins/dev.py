"""The demo shop's store for ``luneo dev``: the Shopify stand-in, seeded from ``app.demo``.

``app.demo`` is the one description of the demo shop: the same catalog, order and token are
seeded into Luneo's database and into this store, so a catalog sync changes nothing, the demo
order's shipment can be pushed to it, and the demo token is accepted. The store grants what a
fresh install grants (``DEFAULT_SCOPES``, as shopify.app.toml declares them), with the app's key
and secret, so billing approval, re-authorization and token refresh complete against it too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from app import demo
from app.config import DEFAULT_SCOPES
from standins.shopify import (
    FakeShopify,
    FakeStore,
    Json,
    admin_schema,
    serve,
    upstream_line,
    upstream_order,
)
from standins.shopify_merchant import AppSide

DEMO_UPDATED_AT = "2026-07-01T10:00:00Z"


def _product(spec: demo.ProductSpec) -> Json:
    return {
        "id": spec.external_id,
        "title": spec.title,
        "handle": spec.handle,
        "status": "ACTIVE",
        "vendor": demo.DEMO_SHOP_NAME,
        "productType": spec.product_type,
        "description": spec.description,
        "updatedAt": DEMO_UPDATED_AT,
        "createdAt": DEMO_UPDATED_AT,
        "featuredMedia": None,
        "variants": [
            {
                "id": variant.external_id,
                "title": variant.title,
                "sku": variant.sku,
                "price": str(variant.price),
                "position": position + 1,
                "selectedOptions": [{"name": k, "value": v} for k, v in variant.options.items()],
            }
            for position, variant in enumerate(spec.variants)
        ],
    }


def _money(amount: Decimal) -> Json:
    return {"shopMoney": {"amount": str(amount), "currencyCode": demo.DEMO_CURRENCY}}


def _order(products: dict[str, Json]) -> Json:
    mug = products[demo.MUG_PRODUCT_ID]
    number = int(demo.DEMO_LINE_ITEM_ID.rsplit("/", 1)[1])
    line = upstream_line(number, mug)
    line["originalUnitPriceSet"] = _money(demo.DEMO_LINE_PRICE)
    address: dict[str, Any] = dict(demo.SHIPPING_ADDRESS)
    address["countryCodeV2"] = address.pop("country")
    return upstream_order(
        int(demo.DEMO_ORDER_ID.rsplit("/", 1)[1]),
        [line],
        updated_at=DEMO_UPDATED_AT,
        name=demo.DEMO_ORDER_NAME,
        email=demo.DEMO_ORDER_EMAIL,
        totalPriceSet=_money(demo.DEMO_LINE_PRICE),
        shippingAddress=address,
    )


def demo_store() -> FakeStore:
    """The demo shop as its store holds it: catalog, the one order, the demo token."""
    store = FakeStore(demo.DEMO_DOMAIN, demo.DEMO_ACCESS_TOKEN, currency=demo.DEMO_CURRENCY)
    store.scope = DEFAULT_SCOPES
    products = {spec.external_id: _product(spec) for spec in demo.PRODUCTS}
    store.add_products(*products.values())
    store.add_orders(_order(products))
    return store


@contextmanager
def running(app: AppSide) -> Iterator[FakeShopify]:
    """The stand-in serving the demo store on 127.0.0.1 (a free port) for the block."""
    fake = FakeShopify(app)
    fake.add_store(demo_store())
    # Building the Admin schema takes seconds: not on the first sync's request.
    threading.Thread(target=admin_schema, name="shopify-schema", daemon=True).start()
    with serve(fake) as served:
        yield served
