"""The public storefront key: made when a store connects, shown to the merchant, rotatable."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy.orm import Session

from app.models import Shop
from app.woocommerce.cli import register_woo_commands
from tests.integration.woocommerce.conftest import authorize_url, woo_shop
from tests.support.fake_woocommerce import FakeWooStore


def test_connecting_gives_the_store_a_key_shown_on_the_return_page(
    app: Flask, client: FlaskClient, redis: Redis, session: Session, store: FakeWooStore
) -> None:
    back = store.approve(client, authorize_url(app, redis))

    shop = woo_shop(session)
    assert shop is not None
    assert shop.storefront_key is not None
    assert shop.storefront_key.startswith("lpk_")
    assert len(shop.storefront_key) >= 36
    page = client.get(f"{urlsplit(back).path}?{urlsplit(back).query}")
    assert page.status_code == 200
    assert shop.storefront_key in page.get_data(as_text=True)


def test_reconnecting_keeps_the_key_so_product_pages_keep_working(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
) -> None:
    key = connected.storefront_key

    store.approve(client, authorize_url(app, redis))

    again = woo_shop(session)
    assert again is not None
    assert again.storefront_key == key


def test_cli_shows_and_rotates_the_key(app: Flask, session: Session, connected: Shop) -> None:
    register_woo_commands(app.cli)
    runner = app.test_cli_runner()
    old = connected.storefront_key

    shown = runner.invoke(args=["woo", "key", "shop.test"])
    rotated = runner.invoke(args=["woo", "key", "shop.test", "--rotate"])
    unknown = runner.invoke(args=["woo", "key", "nowhere.test"])

    assert shown.exit_code == 0, shown.output
    assert shown.output.strip() == old
    assert rotated.exit_code == 0, rotated.output
    shop = woo_shop(session)
    assert shop is not None
    assert shop.storefront_key not in (None, old)
    assert rotated.output.strip().endswith(shop.storefront_key or "?")
    assert unknown.exit_code == 1
    assert "no connected WooCommerce store 'nowhere.test'" in unknown.output


def test_the_settings_page_shows_the_key(client: FlaskClient, connected: Shop) -> None:
    page = client.get("/dev/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    client.post("/dev/sign-in", data={"csrf_token": token.group(1), "shop_id": connected.id})

    settings = client.get("/admin/settings")

    assert settings.status_code == 200
    assert f'data-field="storefront_key">{connected.storefront_key}<' in settings.text
