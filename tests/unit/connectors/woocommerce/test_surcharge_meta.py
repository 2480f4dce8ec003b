"""The WordPress plugin's order line meta reaches Luneo's order records: the design id, and the
surcharge charged with its currency (``_luneo_surcharge``, ``_luneo_currency``), from a
WooCommerce REST v3 order shaped as WooCommerce documents it (line_items[].meta_data entries
with id, key, value, display_key, display_value)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.base import DESIGN_PROPERTY, SURCHARGE_PROPERTY, Money
from connectors.woocommerce.mapping import order_record

PLUGIN = Path(__file__).resolve().parents[4] / "storefront_widget" / "woocommerce"
DESIGN = "d_AAAAAAAAAAAAAAAAAAAA"


def meta(meta_id: int, key: str, value: Any) -> dict[str, Any]:
    return {"id": meta_id, "key": key, "value": value, "display_key": key, "display_value": value}


def rest_order(line_meta: list[dict[str, Any]]) -> dict[str, Any]:
    """GET /wp-json/wc/v3/orders/<id>, trimmed to what the docs list for an order and a line."""
    return {
        "id": 727,
        "parent_id": 0,
        "number": "727",
        "order_key": "wc_order_58d2d042d1d",
        "created_via": "checkout",
        "version": "9.4.0",
        "status": "processing",
        "currency": "EUR",
        "date_created": "2026-12-06T10:20:00",
        "date_created_gmt": "2026-12-06T09:20:00",
        "date_modified": "2026-12-06T10:20:05",
        "date_modified_gmt": "2026-12-06T09:20:05",
        "discount_total": "0.00",
        "shipping_total": "5.00",
        "total": "50.00",
        "total_tax": "0.00",
        "prices_include_tax": False,
        "customer_id": 0,
        "billing": {
            "first_name": "Anna",
            "last_name": "Berg",
            "address_1": "1 Main St",
            "city": "Lyon",
            "postcode": "69001",
            "country": "FR",
            "email": "anna@example.com",
            "phone": "",
        },
        "shipping": {
            "first_name": "Anna",
            "last_name": "Berg",
            "address_1": "1 Main St",
            "city": "Lyon",
            "postcode": "69001",
            "country": "FR",
        },
        "payment_method": "bacs",
        "meta_data": [],
        "line_items": [
            {
                "id": 315,
                "name": "Mug",
                "product_id": 123,
                "variation_id": 0,
                "quantity": 2,
                "tax_class": "",
                "subtotal": "45.00",
                "subtotal_tax": "0.00",
                "total": "45.00",
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": line_meta,
                "sku": "MUG",
                "price": 22.5,
                "image": {"id": 0, "src": ""},
                "parent_name": None,
            }
        ],
        "shipping_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
    }


def test_the_surcharge_and_its_currency_become_line_properties() -> None:
    order = rest_order(
        [
            meta(4101, "_luneo_design", DESIGN),
            meta(4102, "_luneo_preview", "https://luneo.test/p.png"),
            meta(4103, "_luneo_surcharge", "4.50"),
            meta(4104, "_luneo_currency", "EUR"),
            meta(4105, "Name", "Anna"),
            meta(4106, "Personalization", "Wrap — “Anna”"),
        ]
    )

    [line] = order_record(order).lines

    assert line.properties[SURCHARGE_PROPERTY] == "4.50"
    assert line.properties["_luneo_currency"] == "EUR"
    assert line.properties[DESIGN_PROPERTY] == DESIGN
    assert line.properties["Name"] == "Anna"
    assert line.design_public_id == DESIGN
    # The line's unit price is what the shopper paid: the product's price plus the surcharge.
    assert line.unit_price == Money(Decimal("22.50"), "EUR")


def test_a_line_without_the_plugins_meta_has_no_surcharge() -> None:
    [line] = order_record(rest_order([meta(1, "Size", "L")])).lines

    assert SURCHARGE_PROPERTY not in line.properties
    assert line.design_public_id is None


def test_the_plugin_writes_the_key_the_order_sync_reads() -> None:
    main = (PLUGIN / "luneo-personalizer" / "luneo-personalizer.php").read_text()

    assert f"define( 'LUNEO_SURCHARGE_META', '{SURCHARGE_PROPERTY}' );" in main
