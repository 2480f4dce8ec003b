"""The WordPress plugin's real PHP (php-cli, ``tests/php/harness.php``) against the real, live
Luneo: a design saved through the WooCommerce surface ends as a cart line priced at the
product's price + the surcharge Luneo computes for it, server to server.

(No browser here: this lives beside the browser tests for their live Luneo fixtures.)
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.e2e.woo_shop import connect_woo_store
from tests.support.wordpress import (
    CHECKOUT,
    ITEM_DATA,
    TOTALS,
    WordPress,
    add_to_cart,
    php_or_skip,
)

pytestmark = pytest.mark.slow

STORE = "https://woo.shop.test"
KEY = "lpk_" + "r" * 32
MUG = "123"
TEXT = {
    "type": "text",
    "text": "Anna",
    "font": "Inter",
    "size_mm": 12,
    "color": "#1f2937",
    "x_mm": 100,
    "y_mm": 40,
    "align": "center",
}


FIELDS = [
    {
        "id": "style",
        "kind": "choice",
        "label": "Style",
        "display": "buttons",
        "default": "classic",
        "options": [
            {"value": "classic", "label": "Classic"},
            {"value": "gold", "label": "Gold", "price": "2.50"},
        ],
    },
    {
        "id": "name",
        "kind": "text",
        "label": "Name",
        "area": "wrap",
        "required": True,
        "box": {"x_mm": 50, "y_mm": 30, "width_mm": 100, "height_mm": 30, "rotation_deg": 0},
        "size_mm": 12,
        "font": "Inter",
        "color": "#1f2937",
        "max_chars": 20,
        "price": {"amount": "1.00", "per_character": "0.10"},
    },
]


def _connect(app: Flask, currency: str, **template: Any) -> int:
    """The store selling the mug with Luneo's demo template, whose price rule charges 4.00
    when the wrap carries a layer. Returns the template id."""
    return connect_woo_store(app, STORE, KEY, MUG, currency=currency, **template)


def _save_design(app: Flask, template_id: int, **document: Any) -> dict[str, Any]:
    """The editor's save, as the store's page makes it (its key, its origin)."""
    body = {
        "template_id": template_id,
        "document": {"version": 1, "areas": {"wrap": {"layers": [TEXT]}}, **document},
    }
    saved = app.test_client().post(
        "/storefront/v1/designs",
        json=body,
        headers={"X-Luneo-Key": KEY, "Origin": STORE},
    )
    assert saved.status_code == 201, saved.get_data(as_text=True)
    answer: dict[str, Any] = saved.get_json()
    return answer


@pytest.fixture
def wordpress(live_server: str) -> WordPress:
    return WordPress(
        php_or_skip(), live_server, KEY, STORE, products={MUG: {"name": "Mug", "price": "18.00"}}
    )


def test_a_design_from_luneo_ends_as_a_line_with_its_surcharge(
    live_app: Flask, wordpress: WordPress
) -> None:
    design_id = _save_design(live_app, _connect(live_app, "EUR"))["design_id"]
    luneo = live_app.test_client().get(
        f"/storefront/v1/designs/{design_id}", headers={"X-Luneo-Key": KEY, "Origin": STORE}
    )

    answer = wordpress.request(
        add_to_cart(
            {"add-to-cart": MUG, "quantity": "1", "luneo_design": design_id, "luneo_price": "0"}
        ),
        TOTALS,
        ITEM_DATA,
        CHECKOUT,
    )

    assert answer.errors() == []
    price = luneo.get_json()["price"]
    assert (price["currency"], price["total"]) == ("EUR", "4.00")
    [line] = answer.steps[1]["lines"]
    assert line["price"] == "22.00"
    assert line["luneo"]["price"]["total"] == "4.00"
    [shown] = answer.steps[2].values()
    assert shown[-1]["key"] == "Personalization"
    assert shown[-1]["value"] == "+€4.00"
    [meta] = answer.steps[3]["lines"].values()
    written = {m["key"]: m["value"] for m in meta}
    assert (written["_luneo_design"], written["_luneo_surcharge"], written["_luneo_currency"]) == (
        design_id,
        "4.00",
        "EUR",
    )


def test_luneo_pricing_in_another_currency_than_the_store_is_refused(
    live_app: Flask, wordpress: WordPress
) -> None:
    design_id = _save_design(live_app, _connect(live_app, "USD"))["design_id"]

    answer = wordpress.request(add_to_cart({"add-to-cart": MUG, "luneo_design": design_id}), TOTALS)

    assert answer.steps[1]["lines"] == []
    assert answer.errors() == [
        "This personalization is priced in USD but this store sells in EUR, so it cannot be"
        " added to the cart. Please contact the store."
    ]


def test_a_form_design_is_charged_its_fields_and_shows_them(
    live_app: Flask, wordpress: WordPress
) -> None:
    """Template surcharge 2.00 + the name (1.00 + 4 characters x 0.10) + the Gold option 2.50;
    the price rule's area is drawn on too (4.00)."""
    template_id = _connect(live_app, "EUR", fields=FIELDS, editor_mode="form", surcharge="2.00")
    saved = _save_design(
        live_app,
        template_id,
        fields={"style": "gold", "name": "Anna"},
        areas={"wrap": {"layers": []}},
    )

    answer = wordpress.request(
        add_to_cart({"add-to-cart": MUG, "quantity": "3", "luneo_design": saved["design_id"]}),
        TOTALS,
        ITEM_DATA,
        CHECKOUT,
    )

    assert answer.errors() == []
    assert saved["price"]["total"] == "9.90"
    [line] = answer.steps[1]["lines"]
    assert (line["price"], line["line_total"]) == ("27.90", "83.70")
    [shown] = answer.steps[2].values()
    # (Their order is the JSON object's: Flask's jsonify sorts keys, so not the form's order.)
    assert {d["key"]: d["value"] for d in shown[:2]} == {"Style": "Gold", "Name": "Anna"}
    assert (shown[2]["key"], shown[2]["value"]) == ("Personalization", "+€9.90")
    [meta] = answer.steps[3]["lines"].values()
    written = {m["key"]: m["value"] for m in meta}
    assert (written["_luneo_surcharge"], written["Style"], written["Name"]) == (
        "9.90",
        "Gold",
        "Anna",
    )
