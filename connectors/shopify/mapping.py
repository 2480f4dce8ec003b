"""Shopify GraphQL nodes -> Luneo records. Anything malformed raises RecordError for that record.

Shared by paging and bulk export: the bulk JSONL lines carry the same fields as the paged nodes
(the documents select the same fields), only their children arrive separately.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connectors.base import (
    Address,
    Money,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    ProductState,
    RecordError,
    VariantRecord,
    design_id_from,
)
from connectors.values import record_moment, record_money

Json = Mapping[str, Any]

# UNLISTED products can still be bought through a direct link: for Luneo they are live.
PRODUCT_STATES: dict[str, ProductState] = {
    "ACTIVE": "active",
    "UNLISTED": "active",
    "DRAFT": "draft",
    "ARCHIVED": "archived",
}


def node_id(node: Any) -> str:
    value = node.get("id") if isinstance(node, Mapping) else None
    if not isinstance(value, str) or not value:
        raise RecordError("?", "record without an id")
    return value


def _text(node: Json, key: str) -> str:
    value = node.get(key)
    return value if isinstance(value, str) else ""


def _money_set(owner: str, where: str, bag: Any) -> Money:
    shop_money = bag.get("shopMoney") if isinstance(bag, Mapping) else None
    if not isinstance(shop_money, Mapping):
        raise RecordError(owner, f"{where}price missing")
    return record_money(owner, where, shop_money.get("amount"), shop_money.get("currencyCode"))


def _nested_id(node: Json, key: str) -> str | None:
    child = node.get(key)
    value = child.get("id") if isinstance(child, Mapping) else None
    return value if isinstance(value, str) else None


def variant_record(product_id: str, node: Any, currency: str, index: int) -> VariantRecord:
    if not isinstance(node, Mapping) or not isinstance(node.get("id"), str):
        raise RecordError(product_id, "variant without an id")
    variant_id: str = node["id"]
    options = {
        str(o.get("name")): str(o.get("value") or "")
        for o in node.get("selectedOptions") or []
        if isinstance(o, Mapping) and o.get("name")
    }
    position = node.get("position")
    return VariantRecord(
        external_id=variant_id,
        title=_text(node, "title"),
        sku=_text(node, "sku"),
        price=record_money(product_id, f"variant {variant_id}: ", node.get("price"), currency),
        position=position if isinstance(position, int) else index + 1,
        options=options,
    )


def product_record(node: Any, variants: Iterable[Any], currency: str) -> ProductRecord:
    product_id = node_id(node)
    title = node.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RecordError(product_id, "product without a title")
    state = PRODUCT_STATES.get(str(node.get("status")))
    if state is None:
        raise RecordError(product_id, f"unknown product status {node.get('status')!r}")
    media = node.get("featuredMedia") or {}
    image = ((media.get("preview") or {}).get("image") or {}) if isinstance(media, Mapping) else {}
    return ProductRecord(
        external_id=product_id,
        title=title,
        handle=_text(node, "handle"),
        status=state,
        vendor=_text(node, "vendor"),
        product_type=_text(node, "productType"),
        description=_text(node, "description"),
        image_url=image.get("url") if isinstance(image.get("url"), str) else None,
        updated_at=record_moment(product_id, node.get("updatedAt")),
        variants=tuple(variant_record(product_id, v, currency, i) for i, v in enumerate(variants)),
    )


def _address(raw: Any) -> Address | None:
    if not isinstance(raw, Mapping):
        return None
    return Address(
        name=_text(raw, "name"),
        address1=_text(raw, "address1"),
        address2=_text(raw, "address2"),
        city=_text(raw, "city"),
        province=_text(raw, "province"),
        zip=_text(raw, "zip"),
        country_code=_text(raw, "countryCodeV2"),
        phone=_text(raw, "phone"),
        company=_text(raw, "company"),
        province_code=_text(raw, "provinceCode"),
    )


def line_record(order_id: str, node: Any) -> OrderLineRecord:
    if not isinstance(node, Mapping) or not isinstance(node.get("id"), str):
        raise RecordError(order_id, "line item without an id")
    line_id: str = node["id"]
    properties = {
        str(a["key"]): str(a.get("value") or "")
        for a in node.get("customAttributes") or []
        if isinstance(a, Mapping) and isinstance(a.get("key"), str)
    }
    quantity = node.get("quantity")
    if not isinstance(quantity, int) or quantity < 0:
        raise RecordError(order_id, f"line {line_id} has quantity {quantity!r}")
    return OrderLineRecord(
        external_id=line_id,
        title=_text(node, "name"),
        sku=_text(node, "sku"),
        quantity=quantity,
        unit_price=_money_set(order_id, f"line {line_id}: ", node.get("originalUnitPriceSet")),
        product_external_id=_nested_id(node, "product"),
        variant_external_id=_nested_id(node, "variant"),
        properties=properties,
        design_public_id=design_id_from(properties),
    )


def order_record(node: Any, lines: Iterable[Any]) -> OrderRecord:
    order_id = node_id(node)
    name = node.get("name")
    if not isinstance(name, str):
        raise RecordError(order_id, "order without a name")
    return OrderRecord(
        external_id=order_id,
        name=name,
        email=node.get("email") if isinstance(node.get("email"), str) else None,
        total=_money_set(order_id, "total ", node.get("totalPriceSet")),
        financial_status=_text(node, "displayFinancialStatus").lower(),
        fulfillment_status=_text(node, "displayFulfillmentStatus").lower(),
        shipping_address=_address(node.get("shippingAddress")),
        placed_at=record_moment(order_id, node.get("processedAt")),
        cancelled_at=record_moment(order_id, node.get("cancelledAt")),
        updated_at=record_moment(order_id, node.get("updatedAt")),
        lines=tuple(line_record(order_id, line) for line in lines),
    )
