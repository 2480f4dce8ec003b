"""A WooCommerce store connected to the live Luneo of the browser tests, selling the demo mug."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select

from app.demo import PRINT_AREA_VALUES, TEMPLATE_VALUES, render_mug_mockup
from app.extensions import get_db, get_storage
from app.models import (
    FileKind,
    Order,
    OrderItem,
    Personalization,
    Platform,
    PrintArea,
    Product,
    Shop,
    StoredFile,
    Template,
    Variant,
)
from app.storage import new_key
from app.sync.recovery import link_token


def connect_woo_store(
    app: Flask,
    store_url: str,
    key: str,
    product_id: str,
    *,
    currency: str = "EUR",
    mockup: bool = False,
    variations: Sequence[tuple[str, Decimal, Mapping[str, str]]] = (),
    **template: Any,
) -> int:
    """The store at ``store_url`` with its public ``key``, selling the mug (``product_id``)
    with Luneo's demo template (``template`` overrides its values); a variable mug has
    ``variations`` (id, price, attributes as the sync records them: {"Size": "15 oz"}).
    Returns the template id."""
    with app.app_context(), get_db().session() as session:
        shop = Shop(
            platform=Platform.WOOCOMMERCE,
            domain=urlsplit(store_url).netloc,
            name="Woo Store",
            currency=currency,
            plan="pro",
            storefront_key=key,
            installed_at=datetime.now(UTC),
            extra={"store_url": store_url},
        )
        session.add(shop)
        session.flush()
        product = Product(shop_id=shop.id, external_id=product_id, title="Mug")
        for position, (external_id, price, options) in enumerate(
            variations or [(product_id, Decimal("18"), {})]
        ):
            title = " / ".join(options.values()) or "Mug"
            product.variants.append(
                Variant(
                    shop_id=shop.id,
                    external_id=external_id,
                    title=title,
                    price=price,
                    position=position,
                    options=dict(options),
                )
            )
        session.add(product)
        session.flush()
        mockup_id = None
        if mockup:
            file_key = new_key(shop.id, FileKind.MOCKUP.value, "png")
            written = get_storage().put(file_key, render_mug_mockup(), "image/png")
            stored = StoredFile(
                shop_id=shop.id,
                key=file_key,
                kind=FileKind.MOCKUP,
                content_type=written.content_type,
                size=written.size,
                sha256=written.sha256,
            )
            session.add(stored)
            session.flush()
            mockup_id = stored.id
        row = Template(shop_id=shop.id, product_id=product.id, **{**TEMPLATE_VALUES, **template})
        row.print_areas.append(
            PrintArea(shop_id=shop.id, key="wrap", mockup_file_id=mockup_id, **PRINT_AREA_VALUES)
        )
        session.add(row)
        session.commit()
        return row.id


def missing_woo_line(app: Flask, key: str, title: str = "Mug") -> tuple[int, str]:
    """An order of the store with ``key`` whose mug line arrived without a design; the line's
    id and the token of the link the shopper was e-mailed."""
    with app.app_context(), get_db().session() as session:
        shop = session.scalars(select(Shop).where(Shop.storefront_key == key)).one()
        product = session.scalars(select(Product).where(Product.shop_id == shop.id)).one()
        order = Order(shop_id=shop.id, external_id="3001", name="#3001", email="ada@example.com")
        item = OrderItem(
            shop_id=shop.id,
            external_id="30011",
            title=title,
            product_id=product.id,
            personalization=Personalization.MISSING,
        )
        order.items.append(item)
        session.add(order)
        session.commit()
        return item.id, link_token(app.config["SECRET_KEY"], item)
