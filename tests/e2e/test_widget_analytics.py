"""In a real browser: a shopper's session reaches the merchant's analytics page.

The shopper opens the editor on the demo mug's product page, types a text and adds the design
to the cart; the widget sends what happened in one request through Shopify's app proxy (not
one per keystroke), and the merchant's analytics page then shows the funnel's numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from app.demo import DEMO_DOMAIN, MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import AnalyticsCounter, Product, Shop, Template
from tests.conftest import SHOPIFY_API_SECRET
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.storefront_shim import Storefront, block_config, serve
from tests.support.demo import plain_canvas

PRODUCT_ID = MUG_PRODUCT_ID.rsplit("/", 1)[1]


def _seed(app: Flask) -> int:
    """The demo shop with its mug as a plain canvas and no analytics yet; the mug's template."""
    with app.app_context(), get_db().session() as session:
        shop = seed_demo_shop(session, get_storage())
        session.flush()
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        template = session.scalars(select(Template).where(Template.product_id == mug.id)).one()
        plain_canvas(template)
        session.execute(delete(AnalyticsCounter).where(AnalyticsCounter.shop_id == shop.id))
        session.commit()
        return template.id


def test_a_shoppers_session_is_one_batch_and_shows_on_the_analytics_page(
    live_app: Flask, live_server: str, page: Page
) -> None:
    template_id = _seed(live_app)
    store = Storefront(live_server, DEMO_DOMAIN, SHOPIFY_API_SECRET, block_config(PRODUCT_ID))
    problems = watch(page)
    batches: list[dict[str, object]] = []
    page.on(
        "request",
        lambda r: batches.append(json.loads(r.post_data or "{}")) if "/events" in r.url else None,
    )
    for store_url in serve(store):
        page.goto(f"{store_url}/products/mug")
        page.get_by_role("button", name="Customize").click()
        expect(page.get_by_role("dialog")).to_have_attribute("aria-busy", "false")
        page.get_by_role("button", name="Add text").click()
        box = page.locator("[data-luneo-text]")
        box.press_sequentially("Happy birthday Anna", delay=10)  # a keystroke at a time
        box.press("Tab")
        with page.expect_response(lambda r: "/apps/luneo/events" in r.url) as answer:
            page.get_by_role("button", name="Add to cart").click()
        expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
        assert answer.value.status == 202
        assert answer.value.json() == {"recorded": 3, "ignored": 0}

    assert batches == [
        {
            "events": [
                {"kind": "editor_opened", "template_id": template_id},
                {"kind": "design_started", "template_id": template_id},
                {"kind": "added_to_cart", "template_id": template_id},
            ]
        }
    ]
    assert_clean(problems)

    with live_app.app_context(), get_db().session() as session:
        shop_id = session.scalars(select(Shop.id).where(Shop.domain == DEMO_DOMAIN)).one()
    admin = page.context.new_page()
    admin.goto(f"{live_server}/dev/")
    admin.locator(f"form[action$='/dev/sign-in']:has(input[value='{shop_id}']) button").click()
    admin.wait_for_url(f"{live_server}/admin/")
    admin.get_by_role("link", name="Analytics", exact=True).click()
    expect(admin.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
    funnel = admin.locator("[data-analytics-funnel]")
    expect(funnel.locator('[data-count="editor_opened"]')).to_have_text("1")
    expect(funnel.locator('[data-count="design_started"]')).to_have_text("1")
    expect(funnel.locator('[data-count="added_to_cart"]')).to_have_text("1")
    expect(funnel.locator('[data-count="ordered"]')).to_have_text("0")
    expect(admin.locator("svg.chart title").first).to_have_text("Funnel totals")
    admin.get_by_role("combobox", name="Template").select_option(str(template_id))
    admin.get_by_role("button", name="Show").click()
    expect(admin.locator('[data-count="added_to_cart"]')).to_have_text("1")
    with admin.expect_download() as download:
        admin.get_by_role("button", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert f",{template_id}," in text
    assert "added_to_cart" in text
