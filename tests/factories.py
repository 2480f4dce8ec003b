"""Small builders for rows the tests need; each flushes so ids exist at once."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.models import (
    Design,
    Order,
    OrderItem,
    Platform,
    PrintArea,
    Product,
    Shop,
    Template,
    Variant,
)

_seq = itertools.count(1)


def make_shop(session: Session, **overrides: Any) -> Shop:
    n = next(_seq)
    values: dict[str, Any] = {
        "platform": Platform.SHOPIFY,
        "domain": f"shop-{n}.myshopify.com",
        "name": f"Shop {n}",
        "access_token": f"shpat_{n:032d}",
        "scopes": "read_products,read_orders",
        "installed_at": datetime.now(UTC),
    }
    values.update(overrides)
    shop = Shop(**values)
    session.add(shop)
    session.flush()
    return shop


def make_product(session: Session, shop: Shop, **overrides: Any) -> Product:
    n = next(_seq)
    values: dict[str, Any] = {"external_id": f"gid://shopify/Product/{n}", "title": f"Product {n}"}
    values.update(overrides)
    product = Product(shop_id=shop.id, **values)
    product.variants.append(
        Variant(
            shop_id=shop.id,
            external_id=f"gid://shopify/ProductVariant/{n}",
            title="Default",
            price=Decimal("19.90"),
        )
    )
    session.add(product)
    session.flush()
    return product


def make_template(session: Session, product: Product, **overrides: Any) -> Template:
    template = Template(
        shop_id=product.shop_id,
        product_id=product.id,
        name=overrides.pop("name", f"{product.title} template"),
        **overrides,
    )
    template.print_areas.append(
        PrintArea(
            shop_id=product.shop_id,
            key="front",
            name="Front",
            width_mm=Decimal("200"),
            height_mm=Decimal("90"),
            dpi=300,
            bleed_mm=Decimal("3"),
            safe_margin_mm=Decimal("5"),
        )
    )
    session.add(template)
    session.flush()
    return template


def make_design(session: Session, template: Template, **overrides: Any) -> Design:
    values: dict[str, Any] = {"document": {"version": 1, "areas": {"front": {"layers": []}}}}
    values.update(overrides)
    design = Design(
        shop_id=template.shop_id, template_id=template.id, product_id=template.product_id, **values
    )
    session.add(design)
    session.flush()
    return design


def make_order(
    session: Session, shop: Shop, design: Design | None = None, **overrides: Any
) -> Order:
    n = next(_seq)
    values: dict[str, Any] = {"external_id": f"gid://shopify/Order/{n}", "name": f"#{1000 + n}"}
    values.update(overrides)
    order = Order(shop_id=shop.id, **values)
    order.items.append(
        OrderItem(
            shop_id=shop.id,
            external_id=f"gid://shopify/LineItem/{n}",
            title="Item",
            quantity=1,
            design_id=design.id if design else None,
        )
    )
    session.add(order)
    session.flush()
    return order
