"""The design recovery page on a WooCommerce store (``<store>/?luneo_recover=<token>``): the
plugin's real PHP (``Luneo_Recovery``, run by php-cli) against the live Luneo, then in a real
browser, where the draft the shopper left on the store's product page opens again and is added
to the order."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import update

from app.extensions import get_db
from app.models import Design, OrderItem, Personalization
from app.sync.recovery import LINK_TTL, link_token
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.storefront_shim import WooStorefront, serve
from tests.e2e.woo_shop import connect_woo_store, missing_woo_line
from tests.support.wordpress import WordPress, php_or_skip, recovery_page

pytestmark = pytest.mark.slow

STORE = "https://woo.shop.test"
KEY = "lpk_" + "v" * 32
MUG = "123"
CONFIG = re.compile(r"<script type=\"application/json\" data-luneo-config>(.*?)</script>")


@pytest.fixture
def wordpress(live_server: str) -> WordPress:
    return WordPress(php_or_skip(), live_server, KEY, STORE)


def test_the_plugin_shows_the_page_with_the_editor_on_the_links_surface(
    live_app: Flask, live_server: str, wordpress: WordPress
) -> None:
    connect_woo_store(live_app, STORE, KEY, MUG)
    _item_id, token = missing_woo_line(live_app, KEY, title="Mug <b>Ada</b>")

    answer = wordpress.request(recovery_page({"luneo_recover": token}))

    [page] = answer.steps
    assert (page["status"], page["nocache"], page["hooked"]) == (200, True, True)
    html = page["html"]
    (raw,) = CONFIG.findall(html)
    config = json.loads(raw)
    # the editor calls the link's surface on Luneo; its draft key is the product page's
    assert config["apiBase"] == f"{live_server}/recover/{token}"
    assert config["attachUrl"] == f"{live_server}/recover/{token}/attach"
    assert (config["platform"], config["productId"], config["variantId"]) == (
        "woocommerce",
        MUG,
        MUG,
    )
    assert config["cart"] == {"adapter": "recovery"}
    assert "apiKey" not in config
    assert config["editorUrl"] == f"{live_server}/storefront/widget/luneo-editor.js"
    assert "Woo Store · order #3001" in html
    assert "Add your design to “Mug &lt;b&gt;Ada&lt;/b&gt;”" in html
    assert f'src="{live_server}/storefront/widget/luneo-recovery.js?ver=1.2.0"' in html
    assert f'src="{live_server}/storefront/widget/luneo-loader.js?ver=1.2.0"' in html
    assert "<meta name='robots' content='noindex, nofollow' />" in html
    assert '<meta name="referrer" content="no-referrer">' in html
    # one call, server to server: the token is the credential, the store names its plugin
    [call] = answer.http
    assert call["url"] == f"{live_server}/recover/{token}/context"
    assert call["headers"]["X-Luneo-Plugin"] == "1.2.0"
    assert "X-Luneo-Key" not in call["headers"]


def _item(app: Flask, item_id: int, **values: object) -> None:
    with app.app_context(), get_db().session() as session:
        session.execute(update(OrderItem).where(OrderItem.id == item_id).values(**values))
        session.commit()


def test_a_link_that_cannot_open_is_said_in_words(
    live_app: Flask, live_server: str, wordpress: WordPress
) -> None:
    connect_woo_store(live_app, STORE, KEY, MUG)
    item_id, token = missing_woo_line(live_app, KEY)
    with live_app.app_context(), get_db().session() as session:
        item = session.get(OrderItem, item_id)
        assert item is not None
        sent_long_ago = time.time() - LINK_TTL - 5
        expired = link_token(live_app.config["SECRET_KEY"], item, now=sent_long_ago)
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")

    answers = [
        wordpress.request(recovery_page({"luneo_recover": value})).steps[0]
        for value in (forged, expired, "<script>alert(1)</script>", "short")
    ]
    calls = len(wordpress.request(recovery_page({"luneo_recover": "x" * 10})).http)
    _item(live_app, item_id, personalization=Personalization.RECOVERED)
    added = wordpress.request(recovery_page({"luneo_recover": token})).steps[0]

    statuses = [answer["status"] for answer in [*answers, added]]
    assert statuses == [404, 410, 404, 404, 409]
    said = [re.findall(r"<p data-recovery-refused>(.*?)</p>", a["html"]) for a in [*answers, added]]
    assert said == [
        ["This link is not valid. Check that you opened all of it."],
        ["This link has expired. Contact the store to add your design."],
        ["This link is not valid. Check that you opened all of it."],
        ["This link is not valid. Check that you opened all of it."],
        ["Your design was added to this order already. Thank you!"],
    ]
    assert all("data-luneo-config" not in a["html"] for a in [*answers, added])
    assert calls == 0  # what cannot be a token is not even sent to Luneo
    # any other page of the store is WordPress's as usual
    assert wordpress.request(recovery_page({"p": "12"})).steps == [None]


def test_when_luneo_cannot_be_reached_the_page_says_to_try_again() -> None:
    wordpress = WordPress(php_or_skip(), "http://127.0.0.1:9", KEY, STORE)

    [page] = wordpress.request(recovery_page({"luneo_recover": "a" * 40})).steps

    assert page["status"] == 503
    assert "This page cannot open right now. Please try again in a few minutes." in page["html"]


# ------------------------------------------------------------------------- in a browser
PRODUCT_ID = "123"
STORE_KEY = "lpk_" + "q" * 32
DRAFT_KEY = f"luneo:draft:woocommerce:{PRODUCT_ID}"


@pytest.fixture
def woo_store(luneo_url: str) -> WooStorefront:
    return WooStorefront(luneo_url, STORE_KEY, PRODUCT_ID, php=php_or_skip())


@pytest.fixture
def store_url(woo_store: WooStorefront, live_app: Flask) -> Iterator[str]:
    for url in serve(woo_store):
        connect_woo_store(live_app, url, STORE_KEY, PRODUCT_ID, mockup=True)
        yield url


def _editor_opened(page: Page) -> None:
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-busy", "false")


def test_the_link_opens_on_the_store_with_the_draft_left_on_the_product_page(
    woo_store: WooStorefront, store_url: str, page: Page, live_app: Flask
) -> None:
    item_id, token = missing_woo_line(live_app, STORE_KEY)
    problems = watch(page)
    # the shopper personalized on the product page, then used the theme's own cart button
    page.goto(f"{store_url}/product/mug/")
    page.get_by_role("button", name="Customize").click()
    _editor_opened(page)
    page.get_by_role("button", name="Add text").click()
    box = page.locator("[data-luneo-text]")
    box.fill("Left on the store")
    box.press("Tab")
    assert page.evaluate(f"localStorage.getItem({json.dumps(DRAFT_KEY)})")

    # the e-mailed link: the plugin's page on the store's origin, calling Luneo across origins
    page.goto(f"{store_url}/?luneo_recover={token}")
    expect(page.locator("main h1")).to_have_text("Add your design to “Mug”")
    _editor_opened(page)
    expect(page.locator(".luneo-status")).to_have_text(
        "We restored the design you were working on."
    )
    with page.expect_response(lambda r: r.url.endswith("/attach")) as attached:
        page.get_by_role("button", name="Add to cart").click()

    assert attached.value.status == 200
    assert attached.value.headers["access-control-allow-origin"] == store_url
    expect(page.locator("[data-recovery-done]")).to_be_visible()
    assert woo_store.cart_posts == []  # nothing went to the store's cart
    with live_app.app_context(), get_db().session() as session:
        item = session.get(OrderItem, item_id)
        assert item is not None
        assert item.personalization is Personalization.RECOVERED
        design = session.get(Design, item.design_id)
        assert design is not None
        texts = [layer.get("text") for layer in design.document["areas"]["wrap"]["layers"]]
        assert texts == ["Left on the store"]
    assert_clean(problems)
