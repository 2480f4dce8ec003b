"""In a real browser: a shopper opens the e-mailed recovery link and "Add to cart" attaches the
design to the order line — on Luneo's own page (the recovery surface; a draft started there
survives a reload), and on a Shopify store through its app proxy, where the draft the shopper
left on the product page opens again."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.demo import DEMO_DOMAIN, MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import Design, Order, OrderItem, Personalization, Product, Shop, Template
from app.sync.recovery import link_token
from tests.conftest import SHOPIFY_API_SECRET
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.storefront_shim import Storefront, block_config, serve
from tests.support.demo import plain_canvas

PRODUCT_ID = MUG_PRODUCT_ID.rsplit("/", 1)[1]
DRAFT_KEY = f"luneo:draft:shopify:{PRODUCT_ID}"


def _missing_line(app: Flask) -> tuple[int, str]:
    """The demo shop (its mug as a plain canvas) with an order whose mug line arrived without a
    design; the line's link."""
    with app.app_context(), get_db().session() as session:
        shop = seed_demo_shop(session, get_storage())
        session.flush()
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        plain_canvas(session.scalars(select(Template).where(Template.product_id == mug.id)).one())
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


@pytest.fixture
def store(live_app: Flask, luneo_url: str) -> Storefront:
    return Storefront(luneo_url, DEMO_DOMAIN, SHOPIFY_API_SECRET, block_config(PRODUCT_ID))


@pytest.fixture
def store_url(store: Storefront) -> Iterator[str]:
    yield from serve(store)


def test_on_the_store_the_draft_left_on_the_product_page_is_attached(
    live_app: Flask, store: Storefront, store_url: str, page: Page
) -> None:
    item_id, token = _missing_line(live_app)
    problems = watch(page)
    # the shopper personalized on the product page, then used the theme's own cart button
    page.goto(f"{store_url}/products/mug")
    page.get_by_role("button", name="Customize").click()
    _editor_opened(page)
    page.get_by_role("button", name="Add text").click()
    box = page.locator("[data-luneo-text]")
    box.fill("Left on the product page")
    box.press("Tab")

    # the e-mailed link: the page on the store's origin, through its app proxy
    page.goto(f"{store_url}/apps/luneo/recover/{token}")
    _editor_opened(page)
    expect(page.locator(".luneo-status")).to_have_text(
        "We restored the design you were working on."
    )
    with page.expect_response(lambda r: r.url.endswith("/attach")) as attached:
        page.get_by_role("button", name="Add to cart").click()

    assert attached.value.status == 200
    expect(page.locator("[data-recovery-done]")).to_be_visible()
    assert store.cart.calls == []  # nothing went to the store's cart
    with live_app.app_context(), get_db().session() as session:
        item = session.get(OrderItem, item_id)
        assert item is not None
        assert item.personalization is Personalization.RECOVERED
        assert item.design_id is not None
        design = session.get(Design, item.design_id)
        assert design is not None
        texts = [
            layer.get("text")
            for area in design.document["areas"].values()
            for layer in area["layers"]
        ]
        assert "Left on the product page" in texts
    assert_clean(problems)
