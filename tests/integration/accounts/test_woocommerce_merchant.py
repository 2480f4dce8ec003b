"""A new WooCommerce merchant, end to end against the fake store: account to synced catalog.

Sign up → verify → sign in → connect the store from the admin (authorize → key POST →
webhooks created and pinged) → first sync → products on the dashboard → a signed order
delivery → the order in the admin → disconnect removes webhooks and keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Membership, Role, Shop, User
from tests.integration.accounts.conftest import Browser, link_in
from tests.integration.woocommerce.conftest import (
    public_dns,
    rest_mock,
    store,
    woo_shop,
)
from tests.support.fake_woocommerce import FakeWooStore
from tests.support.workers import run_jobs

__all__ = ["rest_mock", "store"]  # the fake WooCommerce store fixtures, shared with its tests


@pytest.fixture(autouse=True)
def pretend_dns(app: Flask) -> Iterator[None]:
    """shop.test resolves to a public address, as a real store's name would."""
    app.extensions["luneo.resolve_host"] = public_dns
    yield
    app.extensions.pop("luneo.resolve_host", None)


def new_merchant(browser: Browser, email: str) -> None:
    """Sign up and open the verification link, as the merchant does from their inbox."""
    assert browser.sign_up(email).status_code == 302
    assert browser.client.get(link_in(browser.last_mail_to(email))).status_code == 302


def connect(browser: Browser, store_url: str = "https://shop.test") -> str:
    answer = browser.post_form(
        "/account/stores/connect", {"store_url": store_url}, csrf_from="/account/stores"
    )
    assert answer.status_code == 303, answer.text
    return str(answer.location)


def test_a_new_merchant_connects_their_store_and_sees_catalog_and_orders(
    app: Flask, browser: Browser, redis: Redis, session: Session, store: FakeWooStore
) -> None:
    mug = store.add_simple("Photo Mug", price="14.50")
    store.add_variable("Team Shirt")
    new_merchant(browser, "owner@shop.test")
    browser.sign_out()
    assert browser.sign_in("owner@shop.test").status_code == 302
    assert browser.client.get("/admin/").location == "/account/stores"  # nothing to show yet

    authorize = connect(browser)
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith("https://shop.test/wc-auth/v1/authorize?")
    assert "owner@shop.test" not in authorize  # only the random token leaves Luneo
    back = store.approve(browser.client, authorize)
    returned = browser.client.get(back.replace("https://luneo.test", ""))

    assert (returned.status_code, returned.location) == (302, "/admin/")
    shop = woo_shop(session)
    assert shop is not None
    user = session.scalars(select(User).where(User.email == "owner@shop.test")).one()
    member = session.scalars(select(Membership).where(Membership.shop_id == shop.id)).one()
    assert (member.user_id, member.role) == (user.id, Role.OWNER)
    assert len(query["user_id"][0]) >= 43
    dashboard = browser.client.get("/admin/")
    assert dashboard.status_code == 200
    assert 'data-sync="' in dashboard.text  # the sync card, polled while the first sync runs

    run_jobs(app, "default", "sync")

    assert {hook["topic"] for hook in store.webhooks.values()} >= {
        "order.created",
        "product.updated",
    }
    for delivery_url, body in store.pings:  # WooCommerce pings each new webhook
        ping = browser.client.post(
            urlsplit(delivery_url).path,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert ping.status_code == 200
    dashboard = browser.client.get("/admin/")
    assert '<dd data-count="products">2</dd>' in dashboard.text
    assert 'data-sync="succeeded"' in dashboard.text
    products = browser.client.get("/admin/products")
    assert "Photo Mug" in products.text
    assert "Team Shirt" in products.text
    api = browser.client.get("/api/admin/shop")
    assert api.json["shop"]["platform"] == "woocommerce"
    assert api.json["counts"]["products"] == 2

    order = store.add_order([store.line(mug)])
    ((path, body, headers),) = store.deliveries("order.created", order["id"])
    assert browser.client.post(path, data=body, headers=headers).status_code == 200
    run_jobs(app, "default", "sync")

    orders = browser.client.get("/admin/orders")
    assert f"#{order['number']}" in orders.text

    token = browser.csrf("/account/team")
    gone = browser.client.post("/account/stores/disconnect", data={"csrf_token": token})

    assert gone.status_code == 302
    assert store.webhooks == {}
    shop = woo_shop(session)
    assert shop is not None
    assert (shop.api_key, shop.access_token, shop.is_installed) == (None, None, False)
    assert browser.client.get("/admin/").location == "/account/stores"


def test_the_plugin_link_signs_the_merchant_in_then_asks_to_confirm(
    app: Flask, browser: Browser, redis: Redis, session: Session, store: FakeWooStore
) -> None:
    new_merchant(browser, "owner@shop.test")
    browser.sign_out()
    plugin_link = "/woocommerce/connect?store_url=https%3A%2F%2Fshop.test"

    first = browser.client.get(plugin_link)
    assert first.status_code == 302
    assert urlsplit(first.location).path == "/account/sign-in"
    browser.client.get(first.location)
    continued = browser.sign_in("owner@shop.test")
    assert continued.location == plugin_link
    confirm = browser.client.get(plugin_link)

    assert confirm.status_code == 200
    assert 'value="https://shop.test"' in confirm.text
    authorize = connect(browser)
    store.approve(browser.client, authorize)
    shop = woo_shop(session)
    assert shop is not None
    assert (
        session.scalars(select(Membership).where(Membership.shop_id == shop.id)).one().role
        is Role.OWNER
    )


def test_someone_else_approving_an_owned_store_does_not_get_it(
    app: Flask,
    browser: Browser,
    other_browser: Browser,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
) -> None:
    new_merchant(browser, "owner@shop.test")
    store.approve(browser.client, connect(browser))
    first = woo_shop(session)
    assert first is not None
    keys = (first.api_key, first.access_token)
    new_merchant(other_browser, "stranger@elsewhere.test")

    back = store.approve(other_browser.client, connect(other_browser))
    page = other_browser.client.get(back.replace("https://luneo.test", ""))

    assert page.status_code == 200
    assert "data-refused" in page.text
    assert "another Luneo account" in page.text
    shop = woo_shop(session)
    assert shop is not None
    assert (shop.api_key, shop.access_token) == keys  # the stranger's keys were not used
    owners = session.scalars(
        select(User.email).join(Membership).where(Membership.shop_id == shop.id)
    )
    assert list(owners) == ["owner@shop.test"]
    assert other_browser.client.get("/admin/").location == "/account/stores"


@pytest.mark.parametrize(
    ("_case", "url", "message"),
    [
        ("http", "http://shop.test", "https://"),
        ("private address", "https://10.0.0.8", "not a public address"),
        ("not a url", "javascript:alert(1)", "https://"),
    ],
)
def test_unusable_store_urls_are_refused_in_the_form(
    browser: Browser, redis: Redis, session: Session, _case: str, url: str, message: str
) -> None:
    new_merchant(browser, "owner@shop.test")

    answer = browser.post_form(
        "/account/stores/connect", {"store_url": url}, csrf_from="/account/stores"
    )

    assert answer.status_code == 400
    assert message in answer.text
    assert list(redis.scan_iter("luneo:woo:pending:*")) == []
    assert session.scalars(select(Shop)).first() is None


def test_a_forged_key_post_takes_over_no_store(
    app: Flask,
    browser: Browser,
    other_browser: Browser,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
) -> None:
    """The audit's reproduction: a token from one's own authorize link, and made-up keys."""
    new_merchant(browser, "owner@shop.test")
    store.approve(browser.client, connect(browser))
    shop = woo_shop(session)
    assert shop is not None
    before = (shop.api_key, shop.access_token, shop.extra["store_url"])
    new_merchant(other_browser, "attacker@evil.test")

    for url in ("https://victim.example", "https://shop.test", "https://shop.test/evil/path"):
        user_id = parse_qs(urlsplit(connect(other_browser, url)).query)["user_id"][0]
        forged = other_browser.client.post(
            "/woocommerce/callback",
            json={
                "user_id": user_id,
                "consumer_key": "ck_junk",
                "consumer_secret": "cs_junk",
                "key_permissions": "read_write",
            },
        )
        assert forged.status_code == 403, url
        assert forged.json["error"]["code"] == "keys_not_confirmed"

    rows = session.scalars(select(Shop)).all()
    assert [r.domain for r in rows] == ["shop.test"]
    shop = woo_shop(session)
    assert shop is not None
    assert (shop.api_key, shop.access_token, shop.extra["store_url"]) == before
    attacker = session.scalars(select(User).where(User.email == "attacker@evil.test")).one()
    assert session.scalars(select(Membership).where(Membership.user_id == attacker.id)).all() == []
    assert other_browser.client.get("/admin/orders").location == "/account/stores"
