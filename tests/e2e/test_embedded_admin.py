"""In a real browser: the admin as Shopify embeds it, authenticated by a session token."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask
from playwright.sync_api import Page, Route, expect

from app.extensions import get_db
from tests.factories import make_order, make_product, make_shop
from tests.support.shopify import session_token

DOMAIN = "browser-test.myshopify.com"


def _seed(app: Flask) -> None:
    with app.app_context(), get_db().session() as session:
        shop = make_shop(session, domain=DOMAIN, name="Browser Test Store")
        make_product(session, shop, title="Personalized Mug")
        make_order(session, shop, name="#2001")


def _offline_cdn(route: Route) -> None:
    # App Bridge comes from Shopify's CDN, which this machine cannot reach; the page must not
    # depend on it to show the merchant's data.
    route.abort()


def test_embedded_admin_renders_the_shops_data(
    live_app: Flask, live_server: str, page: Page
) -> None:
    _seed(live_app)
    page.route("https://cdn.shopify.com/**", _offline_cdn)
    query = {
        "shop": DOMAIN,
        "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYnJvd3Nlci10ZXN0",
        "embedded": "1",
        "id_token": session_token(DOMAIN),
    }

    page.goto(f"{live_server}/admin/?{urlencode(query)}")

    expect(page.get_by_role("heading", name="Browser Test Store")).to_be_visible()
    expect(page.locator("main")).to_contain_text("#2001")
    status: dict[str, Any] = page.evaluate(
        """async (token) => {
            const r = await fetch('/api/admin/shop', {headers: {Authorization: 'Bearer ' + token}});
            return {status: r.status, body: await r.json()};
        }""",
        session_token(DOMAIN),
    )
    assert status["status"] == 200
    assert status["body"]["counts"] == {"products": 1, "templates": 0, "orders": 1}
