"""WooCommerce REST v3 resources -> Luneo records. Anything malformed raises RecordError for it.

Ids are WordPress post ids, kept as decimal strings. A simple (non-variable) product is sold as
itself, so it becomes one variant whose id is the product's own id: WordPress gives products and
variations ids from one sequence, so that id never collides with a variation's, and an order line
with ``variation_id`` 0 points at that same variant. Dates come from the ``*_gmt`` fields, which
WooCommerce gives in UTC without an offset.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from connectors.base import (
    Address,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    ProductState,
    RecordError,
    VariantRecord,
    design_id_from,
)
from connectors.values import record_amount, record_moment, record_money

Json = Mapping[str, Any]

# Private products are visible to the store's staff only: for Luneo they are not live.
PRODUCT_STATES: dict[str, ProductState] = {
    "publish": "active",
    "future": "draft",
    "draft": "draft",
    "pending": "draft",
    "private": "draft",
    "trash": "archived",
}
# WooCommerce order statuses, in the words Luneo's admin shows (Shopify's financial statuses).
FINANCIAL_STATUS = {
    "pending": "pending",
    "on-hold": "pending",
    "processing": "paid",
    "completed": "paid",
    "cancelled": "voided",
    "refunded": "refunded",
    "failed": "failed",
    "trash": "voided",
    "checkout-draft": "pending",
}
# No production for these: nobody paid, or the order was called off.
ENDED_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash"})
_TAG = re.compile(r"<[^>]+>")


def resource_id(node: Any) -> str:
    value = node.get("id") if isinstance(node, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise RecordError("?", "record without an id")
    return str(value)


def _text(node: Json, key: str) -> str:
    value = node.get(key)
    return value if isinstance(value, str) else ""


def plain_text(markup: str) -> str:
    """Product descriptions are HTML in WooCommerce; Luneo keeps plain text, as from Shopify."""
    return html.unescape(_TAG.sub(" ", markup)).replace("\xa0", " ").strip()


def _first_name(items: Any) -> str:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            return html.unescape(item["name"])
    return ""


def _image(node: Json) -> str | None:
    images = node.get("images")
    first = images[0] if isinstance(images, list) and images else node.get("image")
    src = first.get("src") if isinstance(first, Mapping) else None
    return src if isinstance(src, str) and src else None


# ---------------------------------------------------------------------------- products
def variation_record(product_id: str, node: Any, currency: str, index: int) -> VariantRecord:
    if not isinstance(node, Mapping):
        raise RecordError(product_id, "variation is not an object")
    try:
        variation_id = resource_id(node)
    except RecordError:
        raise RecordError(product_id, "variation without an id") from None
    options = {
        str(a["name"]): str(a.get("option") or "Any")
        for a in node.get("attributes") or []
        if isinstance(a, Mapping) and isinstance(a.get("name"), str) and a["name"]
    }
    return VariantRecord(
        external_id=variation_id,
        title=" / ".join(options.values()) or _text(node, "name") or "Default",
        sku=_text(node, "sku"),
        price=record_money(
            product_id,
            f"variation {variation_id}: ",
            node.get("price"),
            currency,
            blank_is_zero=True,
        ),
        position=index + 1,
        options=options,
    )


def _own_variant(product_id: str, node: Json, currency: str) -> VariantRecord:
    return VariantRecord(
        external_id=product_id,
        title="Default",
        sku=_text(node, "sku"),
        price=record_money(product_id, "", node.get("price"), currency, blank_is_zero=True),
        position=1,
    )


def is_variable(node: Any) -> bool:
    return isinstance(node, Mapping) and node.get("type") == "variable"


def product_record(node: Any, variations: Iterable[Any], currency: str) -> ProductRecord:
    """A product; ``variations`` are its variations' resources (ignored unless it is variable)."""
    product_id = resource_id(node)
    title = node.get("name")
    if not isinstance(title, str) or not title.strip():
        raise RecordError(product_id, "product without a name")
    state = PRODUCT_STATES.get(str(node.get("status")))
    if state is None:
        raise RecordError(product_id, f"unknown product status {node.get('status')!r}")
    if is_variable(node):
        variants = tuple(
            variation_record(product_id, v, currency, i) for i, v in enumerate(variations)
        )
    else:
        variants = (_own_variant(product_id, node, currency),)
    return ProductRecord(
        external_id=product_id,
        title=html.unescape(title),
        handle=_text(node, "slug"),
        status=state,
        vendor="",
        product_type=_first_name(node.get("categories")),
        description=plain_text(_text(node, "description")),
        image_url=_image(node),
        updated_at=record_moment(product_id, node.get("date_modified_gmt"), blank_is_none=True),
        variants=variants,
    )


# ------------------------------------------------------------------------------ orders
def _meta_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _address(raw: Any, fallback_phone: str) -> Address | None:
    if not isinstance(raw, Mapping) or not any(_text(raw, k) for k in ("address_1", "city")):
        return None
    name = f"{_text(raw, 'first_name')} {_text(raw, 'last_name')}".strip()
    return Address(
        name=name or _text(raw, "company"),
        address1=_text(raw, "address_1"),
        address2=_text(raw, "address_2"),
        city=_text(raw, "city"),
        province=_text(raw, "state"),
        zip=_text(raw, "postcode"),
        country_code=_text(raw, "country").upper(),
        phone=_text(raw, "phone") or fallback_phone,
        company=_text(raw, "company"),
        province_code=_text(raw, "state").upper(),  # WooCommerce's state is the code
    )


def _line(order_id: str, node: Any, currency: str) -> OrderLineRecord:
    if not isinstance(node, Mapping):
        raise RecordError(order_id, "line item is not an object")
    try:
        line_id = resource_id(node)
    except RecordError:
        raise RecordError(order_id, "line item without an id") from None
    quantity = node.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise RecordError(order_id, f"line {line_id} has quantity {quantity!r}")
    where = f"line {line_id}: "
    subtotal = record_amount(order_id, where, node.get("subtotal"), blank_is_zero=True)
    unit = (
        subtotal / quantity
        if quantity
        else record_amount(order_id, where, node.get("price"), blank_is_zero=True)
    )
    properties = {
        str(m["key"]): _meta_value(m.get("value"))
        for m in node.get("meta_data") or []
        if isinstance(m, Mapping) and isinstance(m.get("key"), str)
    }
    product = str(node.get("product_id") or "")
    variation = str(node.get("variation_id") or "")
    return OrderLineRecord(
        external_id=line_id,
        title=html.unescape(_text(node, "name")),
        sku=_text(node, "sku"),
        quantity=quantity,
        unit_price=record_money(order_id, where, unit, currency),
        product_external_id=product if product.isdigit() and product != "0" else None,
        variant_external_id=_variant_id(product, variation),
        properties=properties,
        design_public_id=design_id_from(properties),
    )


def _variant_id(product: str, variation: str) -> str | None:
    """The variation, or for a simple product the product itself (see the module docstring)."""
    if variation.isdigit() and variation != "0":
        return variation
    return product if product.isdigit() and product != "0" else None


def _order_number(node: Json) -> str:
    number = node.get("number")
    return str(number) if isinstance(number, str | int) and not isinstance(number, bool) else ""


def order_record(node: Any) -> OrderRecord:
    order_id = resource_id(node)
    currency = node.get("currency")
    status = _text(node, "status")
    billing = node.get("billing") if isinstance(node.get("billing"), Mapping) else {}
    phone = _text(billing, "phone")
    modified = record_moment(order_id, node.get("date_modified_gmt"), blank_is_none=True)
    email = _text(billing, "email")
    lines = node.get("line_items")
    if not isinstance(lines, list):
        raise RecordError(order_id, "order without line_items")
    return OrderRecord(
        external_id=order_id,
        name=f"#{_order_number(node) or order_id}",
        email=email or None,
        total=record_money(order_id, "total ", node.get("total"), currency, blank_is_zero=True),
        financial_status=FINANCIAL_STATUS.get(status, status),
        fulfillment_status="fulfilled" if status == "completed" else "unfulfilled",
        shipping_address=_address(node.get("shipping"), phone) or _address(billing, phone),
        placed_at=record_moment(order_id, node.get("date_created_gmt"), blank_is_none=True),
        cancelled_at=modified if status in ENDED_STATUSES else None,
        updated_at=modified,
        lines=tuple(_line(order_id, line, str(currency)) for line in lines),
        access_key=_text(node, "order_key") or None,
    )
