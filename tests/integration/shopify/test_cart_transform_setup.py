"""After install the shop's cart transform exists with its signing key (app/shopify/cart_transform).

Against the Shopify stand-in served over HTTP: ``cartTransforms``, ``cartTransformCreate`` and
``metafieldsSet`` as Shopify documents them, the config metafield then read by the built function
on the stand-in store's cart.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy.orm import Session

from app.shopify import cart_transform
from app.shopify.install import TokenGrant, save_grant
from app.shopify.surcharge_token import shop_key, sign
from app.shopify.tokens import admin_client
from jobs import shopify_install
from standins import shopify as fake_shopify
from standins.cart_transform_runner import WASM, CartLine
from standins.shopify import FakeShopify, FakeStore
from tests.factories import make_shop
from tests.support.workers import run_jobs

DOMAIN = "mugs.myshopify.com"
TOKEN = "shpat_" + "c" * 32
SCOPES = "read_products,read_orders,write_orders,write_cart_transforms"


@pytest.fixture
def shopify_fake() -> Iterator[FakeShopify]:
    fake = FakeShopify()
    store = fake.add_store(FakeStore(DOMAIN, TOKEN))
    store.scope = SCOPES
    with fake_shopify.serve(fake) as served:
        yield served


@pytest.fixture
def settings(settings: dict[str, Any], shopify_fake: FakeShopify) -> dict[str, Any]:
    return {
        **settings,
        "SHOPIFY_SHOP_ORIGIN": shopify_fake.origin_template,
        "SHOPIFY_MAX_ATTEMPTS": 2,
        "APP_URL": "https://luneo.test",
    }


@pytest.fixture
def store(shopify_fake: FakeShopify) -> FakeStore:
    return shopify_fake.stores[DOMAIN]


def _shop(session: Session, scopes: str = SCOPES) -> Any:
    shop = make_shop(session, domain=DOMAIN, access_token=TOKEN, scopes=scopes)
    session.commit()
    return shop


def _ensure(app: Flask, shop: Any) -> cart_transform.CartTransformState:
    with app.app_context():
        client = admin_client(shop, app.config)
        return cart_transform.ensure_cart_transform(shop, client, app.config)


def _operations(store: FakeStore) -> list[str]:
    return [call.operation for call in store.calls]


def test_the_first_run_creates_the_cart_transform_with_the_shops_config(
    app: Flask, session: Session, store: FakeStore
) -> None:
    shop = _shop(session)

    state = _ensure(app, shop)

    (transform,) = store.cart_transforms.transforms
    assert state == cart_transform.CartTransformState("active", transform["id"], created=True)
    assert transform["functionId"] == store.cart_transforms.functions["surcharge"]
    assert transform["blockOnFailure"] is False  # a failing function never blocks checkout
    config = json.loads(store.cart_transforms.config() or "")
    assert config == {
        "v": 1,
        "key": shop_key(app.config["SECRET_KEY"], DOMAIN).hex(),
        "image_prefix": "https://luneo.test/",
    }
    metafield = store.metafields[(transform["id"], "app--1--luneo", "config")]
    assert metafield["type"] == "json"
    assert shop.extra["cart_transform"]["state"] == "active"
    assert shop.extra["cart_transform"]["id"] == transform["id"]


def test_running_it_again_changes_nothing_and_sends_only_the_query(
    app: Flask, session: Session, store: FakeStore
) -> None:
    shop = _shop(session)
    _ensure(app, shop)
    store.calls.clear()

    state = _ensure(app, shop)

    assert (state.state, state.created, state.updated) == ("active", False, False)
    assert _operations(store) == ["LuneoCartTransforms"]
    assert len(store.cart_transforms.transforms) == 1


def test_a_changed_config_is_written_to_the_existing_cart_transform(
    app: Flask, session: Session, store: FakeStore
) -> None:
    shop = _shop(session)
    _ensure(app, shop)
    store.calls.clear()
    app.config["APP_URL"] = "https://designs.luneo.test"

    state = _ensure(app, shop)

    assert (state.created, state.updated) == (False, True)
    assert _operations(store) == ["LuneoCartTransforms", "LuneoCartTransformConfig"]
    assert json.loads(store.cart_transforms.config() or "")["image_prefix"] == (
        "https://designs.luneo.test/"
    )
    assert len(store.cart_transforms.transforms) == 1


def test_a_shop_without_checkout_extensibility_is_recorded_not_raised(
    app: Flask, session: Session, store: FakeStore, caplog: pytest.LogCaptureFixture
) -> None:
    shop = _shop(session)
    store.cart_transforms.checkout_extensibility = False

    with caplog.at_level(logging.WARNING, logger="app.shopify.cart_transform"):
        state = _ensure(app, shop)

    assert (state.state, state.code) == ("refused", "ACCESS_DENIED")
    assert "Checkout Extensibility" in state.message
    assert store.cart_transforms.transforms == []
    assert "shopify refused the cart transform" in caplog.text
    words = cart_transform.refusal(shop)
    assert words is not None
    assert "Checkout Extensibility" in words
    assert "orders still arrive with their designs" in words


def test_an_undeployed_function_is_shopifys_user_error_recorded(
    app: Flask, session: Session, store: FakeStore
) -> None:
    shop = _shop(session)
    store.cart_transforms.functions.clear()  # `shopify app deploy` has not run yet

    state = _ensure(app, shop)

    assert (state.state, state.code) == ("refused", "FUNCTION_NOT_FOUND")
    assert shop.extra["cart_transform"]["code"] == "FUNCTION_NOT_FOUND"


def test_without_the_scope_nothing_is_sent_and_the_admin_is_told(
    app: Flask, session: Session, store: FakeStore
) -> None:
    shop = _shop(session, scopes="read_products,read_orders,write_orders")

    state = _ensure(app, shop)

    assert (state.state, state.code) == ("refused", "MISSING_SCOPE")
    assert store.calls == []
    assert cart_transform.refusal(shop) is not None


def test_a_healthy_shop_has_no_refusal_to_show(
    app: Flask, session: Session, store: FakeStore
) -> None:
    shop = _shop(session)
    _ensure(app, shop)

    assert cart_transform.refusal(shop) is None


def test_installing_enqueues_the_job_that_creates_it(
    app: Flask, session: Session, redis: Redis, store: FakeStore
) -> None:
    grant = TokenGrant(access_token=TOKEN, scope=SCOPES)
    shop = save_grant(session, redis, DOMAIN, grant)
    session.commit()

    run_jobs(app)

    assert len(store.cart_transforms.transforms) == 1
    session.refresh(shop)
    assert shop.extra["cart_transform"]["state"] == "active"
    assert cart_transform.ensure_job(shop.id).func == "jobs.shopify_install.ensure_cart_transform"


def test_the_job_skips_an_uninstalled_shop(app: Flask, session: Session, store: FakeStore) -> None:
    shop = _shop(session)
    shop.uninstalled_at = shop.installed_at
    session.commit()

    with app.app_context():
        assert shopify_install.ensure_cart_transform(shop.id) is None
    assert store.calls == []


# ------------------------------------------------------------ the function on the store's cart


@pytest.fixture
def deployed(app: Flask, session: Session, store: FakeStore) -> Any:
    if not WASM.exists():
        pytest.skip("the function is not built (make setup builds extensions/surcharge)")
    shop = _shop(session)
    _ensure(app, shop)
    return shop


def _line(key: bytes, design: str, amount: str, line: int = 1) -> CartLine:
    return CartLine(
        id=f"gid://shopify/CartLine/{line}",
        variant_id="gid://shopify/ProductVariant/7",
        unit_price="19.00",
        attributes={
            "_luneo_design": design,
            "_luneo_price": sign(key, design, Decimal(amount), "EUR"),
        },
    )


def test_the_stores_cart_charges_a_design_signed_with_the_shops_key(
    app: Flask, store: FakeStore, deployed: Any
) -> None:
    key = shop_key(app.config["SECRET_KEY"], DOMAIN)

    prices = store.cart_transforms.run_on_cart([_line(key, "42", "4.50")], rate="0.9")

    assert prices == {"gid://shopify/CartLine/1": Decimal("23.05")}


def test_a_token_signed_for_another_shop_is_not_charged_here(
    app: Flask, store: FakeStore, deployed: Any
) -> None:
    other = shop_key(app.config["SECRET_KEY"], "other.myshopify.com")

    prices = store.cart_transforms.run_on_cart([_line(other, "42", "4.50")])

    assert prices == {"gid://shopify/CartLine/1": Decimal("19.00")}


def test_a_cheap_designs_token_replayed_on_another_design_is_not_charged(
    app: Flask, store: FakeStore, deployed: Any
) -> None:
    key = shop_key(app.config["SECRET_KEY"], DOMAIN)
    cheap = _line(key, "41", "0.10")
    replayed = CartLine(
        id="gid://shopify/CartLine/2",
        variant_id="gid://shopify/ProductVariant/7",
        unit_price="19.00",
        attributes={"_luneo_design": "42", "_luneo_price": cheap.attributes["_luneo_price"]},
    )

    prices = store.cart_transforms.run_on_cart([cheap, replayed])

    assert prices == {
        "gid://shopify/CartLine/1": Decimal("19.10"),
        "gid://shopify/CartLine/2": Decimal("19.00"),
    }


def test_the_browser_tests_cart_prices_a_signed_line_with_the_function(
    app: Flask, store: FakeStore, deployed: Any
) -> None:
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from tests.e2e.storefront_shim import CartRecorder

    key = shop_key(app.config["SECRET_KEY"], DOMAIN)
    properties = {
        "Name": "Ada",
        "_luneo_design": "42",
        "_luneo_price": sign(key, "42", Decimal("4.50"), "EUR"),
    }
    cart = CartRecorder(cart_transform_config=store.cart_transforms.config(), rate="0.9")
    body = {"items": [{"id": 7, "quantity": 2, "properties": properties}, {"id": 8}]}
    request = Request(EnvironBuilder(method="POST", json=body).get_environ())

    answer = json.loads(cart.add(request).get_data())

    assert [(i["price"], i["line_price"]) for i in answer["items"]] == [(2305, 4610), (1900, 1900)]
    assert cart.prices == [Decimal("23.05"), Decimal("19.00")]


def test_the_dashboard_says_when_shopify_refused_the_surcharges(
    app: Flask, session: Session, store: FakeStore
) -> None:
    from app.admin import queries
    from app.models import ShopScope

    shop = _shop(session)
    store.cart_transforms.checkout_extensibility = False
    _ensure(app, shop)

    items = queries.attention(ShopScope(session, shop.id), shop)

    assert [item.kind for item in items] == ["surcharge"]
    assert "sold at the product's price" in items[0].message
