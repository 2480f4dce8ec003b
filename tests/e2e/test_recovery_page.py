"""In a real browser: a shopper opens the e-mailed recovery link, the editor opens on Luneo's
page against the recovery surface, the work in progress survives a reload (the draft, under the
product page's key), and "Add to cart" attaches the design to the order line."""

from __future__ import annotations

import json

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.demo import DEMO_DOMAIN, MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import Order, OrderItem, Personalization, Product, Shop
from app.sync.recovery import link_token
from tests.e2e.browser_checks import assert_clean, watch

DRAFT_KEY = f"luneo:draft:shopify:{MUG_PRODUCT_ID.rsplit('/', 1)[1]}"


def _missing_line(app: Flask) -> tuple[int, str]:
    """The demo shop with an order whose mug line arrived without a design; the line's link."""
    with app.app_context(), get_db().session() as session:
        shop = seed_demo_shop(session, get_storage())
        session.flush()
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        order = Order(shop_id=shop.id, external_id="e2e-recovery", name="#2001", email="a@b.test")
        item = OrderItem(
            shop_id=shop.id,
            external_id="e2e-line",
            title="Mug",
            product_id=mug.id,
            personalization=Personalization.MISSING,
        )
        order.items.append(item)
        session.add(order)
        session.commit()
        assert session.scalars(select(Shop).where(Shop.domain == DEMO_DOMAIN)).one()
        return item.id, link_token(app.config["SECRET_KEY"], item)


def _editor_opened(page: Page) -> None:
    """The page opens the editor by itself."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-busy", "false")


def test_a_shopper_adds_the_missing_design_from_the_link(
    live_app: Flask, live_server: str, page: Page
) -> None:
    item_id, token = _missing_line(live_app)
    url = f"{live_server}/recover/{token}"
    problems = watch(page)

    page.goto(url)
    _editor_opened(page)
    page.get_by_role("button", name="Add text").click()
    box = page.locator("[data-luneo-text]")
    box.fill("For Ada")
    box.press("Tab")
    draft = json.loads(page.evaluate(f"localStorage.getItem({json.dumps(DRAFT_KEY)})"))
    assert draft["document"]

    # the shopper comes back later in the same browser: the work in progress is there
    page.reload()
    _editor_opened(page)
    expect(page.locator(".luneo-status")).to_have_text(
        "We restored the design you were working on."
    )

    with page.expect_response(lambda r: r.url.endswith("/attach")) as attached:
        page.get_by_role("button", name="Add to cart").click()
    assert attached.value.status == 200
    expect(page.locator("[data-recovery-done]")).to_be_visible()
    with live_app.app_context(), get_db().session() as session:
        item = session.get(OrderItem, item_id)
        assert item is not None
        assert item.personalization is Personalization.RECOVERED
        assert item.design_id is not None
    assert_clean(problems)
