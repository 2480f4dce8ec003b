"""In a real browser: a template's choice option selects a WooCommerce variation.

WooCommerce decides the variation from the page's attribute selects (its script clears and sets
``variation_id`` from them, and the add to cart checks the posted attributes against the
variation), so the editor sets the selects, and the line is the variation the shopper chose in
the form, at that variation's price + Luneo's surcharge — whether the page lists the variations
or asks the store for them (``tests/e2e/woo_variable.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import get_db
from app.models import EditorMode, Product, Template
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.storefront_shim import WooStorefront, serve
from tests.e2e.woo_shop import connect_woo_store
from tests.e2e.woo_variable import WooAttribute, WooVariable, WooVariation

PRODUCT_ID = "123"
SMALL, LARGE = "124", "125"
STORE_KEY = "lpk_" + "z" * 32
SIZE = WooAttribute("attribute_pa_size", "Size", {"small": "11 oz", "large": "15 oz"})
VARIATIONS = (
    WooVariation(SMALL, {SIZE.name: "small"}, Decimal("18.00")),
    WooVariation(LARGE, {SIZE.name: "large"}, Decimal("22.00")),
)


def _fields(variants: dict[str, int]) -> list[dict[str, object]]:
    return [
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
        },
        {
            "id": "size",
            "kind": "choice",
            "label": "Mug size",
            "display": "dropdown",
            "default": "small",
            "options": [
                {"value": "small", "label": "11 oz", "variant_id": variants[SMALL]},
                {"value": "large", "label": "15 oz", "variant_id": variants[LARGE]},
            ],
        },
    ]


@pytest.fixture(params=[False, True], ids=["listed", "ajax"])
def woo_store(luneo_url: str, request: pytest.FixtureRequest) -> WooStorefront:
    variable = WooVariable([SIZE], VARIATIONS, ajax=request.param)
    return WooStorefront(luneo_url, STORE_KEY, PRODUCT_ID, variable=variable)


@pytest.fixture
def store_url(woo_store: WooStorefront, live_app: Flask) -> Iterator[str]:
    for url in serve(woo_store):
        variations = [
            (v.id, v.price, {"Size": SIZE.options[v.attributes[SIZE.name]]}) for v in VARIATIONS
        ]
        connect_woo_store(
            live_app,
            url,
            STORE_KEY,
            PRODUCT_ID,
            variations=variations,
            editor_mode=EditorMode.FORM,
            surcharge=Decimal("2.00"),
            price_rules=[],
        )
        with live_app.app_context(), get_db().session() as session:
            product = session.scalars(select(Product)).one()
            template = session.scalars(select(Template)).one()
            template.fields = _fields({v.external_id: v.id for v in product.variants})
            session.commit()
        yield url


def test_a_size_option_selects_the_variation_woocommerce_adds(
    woo_store: WooStorefront, store_url: str, page: Page
) -> None:
    problems = watch(page)
    page.goto(f"{store_url}/product/mug/")
    page.get_by_role("button", name="Customize").click()
    expect(page.get_by_role("dialog")).to_have_attribute("aria-busy", "false")
    size = page.locator("select[name='attribute_pa_size']")
    variation = page.locator("input.variation_id")
    # the form's default option (11 oz) is already the page's variation
    expect(size).to_have_value("small")
    expect(variation).to_have_value(SMALL)

    page.get_by_role("textbox", name="Name *").fill("Anna")
    page.get_by_role("combobox", name="Mug size").select_option(label="15 oz")
    expect(size).to_have_value("large")
    expect(variation).to_have_value(LARGE)
    with page.expect_request(lambda r: r.url.endswith("/product/mug/") and r.method == "POST"):
        page.get_by_role("button", name="Add to cart · +€2.00").click()
    expect(page.get_by_text("“Mug” has been added to your cart.")).to_be_visible()

    [form] = woo_store.cart_posts
    assert (form["variation_id"], form["attribute_pa_size"]) == ([LARGE], ["large"])
    assert woo_store.notices == []
    [line] = woo_store.cart
    assert line.variation_id == LARGE
    assert line.unit_price == Decimal("24.00")  # the 15 oz variation's 22.00 + 2.00
    assert ("Mug size", "15 oz") in line.item_data
    assert_clean([p for p in problems if not p.endswith("net::ERR_ABORTED")])
