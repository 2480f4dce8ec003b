"""A Shopify webhook acts on the shop its signed body names, never on an unsigned header alone
(issue 15, item 8). Shopify's HMAC covers the body only: an attacker holding a body signed for
shop A can send it again with ``X-Shopify-Shop-Domain: <shop B>``. Bodies are Shopify's
documented examples; the stores behind shops A and B are ``standins.shopify``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    BillingProvider,
    Order,
    Product,
    ProductStatus,
    Shop,
    ShopScope,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookStatus,
)
from standins.shopify import (
    FakeShopify,
    FakeStore,
    serve,
    upstream_line,
    upstream_order,
    upstream_product,
)
from tests.factories import make_shop
from tests.integration.shopify.test_webhooks import all_queued, deliver, events
from tests.support.workers import run_jobs

SHOP_A = "shop-a.myshopify.com"
SHOP_B = "shop-b.myshopify.com"
TOKEN_A = "shpat_" + "a" * 32
TOKEN_B = "shpat_" + "b" * 32
SUB_A = "gid://shopify/AppSubscription/1029266947"


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with serve() as server:
        yield server


@pytest.fixture
def settings(settings: dict[str, Any], fake: FakeShopify) -> dict[str, Any]:
    return {**settings, "SHOPIFY_SHOP_ORIGIN": fake.origin_template, "SHOPIFY_MAX_ATTEMPTS": 2}


@pytest.fixture
def shops(session: Session, fake: FakeShopify) -> tuple[Shop, Shop]:
    a = make_shop(session, domain=SHOP_A, access_token=TOKEN_A)
    b = make_shop(session, domain=SHOP_B, access_token=TOKEN_B)
    session.commit()
    fake.add_store(FakeStore(SHOP_A, TOKEN_A))
    fake.add_store(FakeStore(SHOP_B, TOKEN_B))
    return a, b


def fresh(session: Session, shop: Shop) -> Shop:
    session.expire_all()
    row = session.get(Shop, shop.id)
    assert row is not None
    return row


# ------------------------------------------------------------ topics whose body names the shop
def _uninstalled(domain: str) -> dict[str, Any]:
    # Shopify's app/uninstalled body is the shop resource; ``domain`` is the storefront's.
    return {
        "id": 548380009,
        "name": "Shop A",
        "domain": "shop-a.example",
        "myshopify_domain": domain,
    }


def _compliance(domain: str) -> dict[str, Any]:
    return {
        "shop_id": 954889,
        "shop_domain": domain,
        "customer": {"id": 191167, "email": "john@example.com"},
        "orders_to_redact": [299938],
        "orders_requested": [299938],
        "data_request": {"id": 9999},
    }


BODY_SHOP_TOPICS = [
    ("app/uninstalled", _uninstalled),
    ("customers/redact", _compliance),
    ("customers/data_request", _compliance),
    ("shop/redact", _compliance),
]


@pytest.mark.parametrize(("topic", "body"), BODY_SHOP_TOPICS)
def test_a_body_signed_for_shop_a_replayed_as_shop_b_is_refused_and_logged(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shops: tuple[Shop, Shop],
    caplog: pytest.LogCaptureFixture,
    topic: str,
    body: Any,
) -> None:
    a, b = shops
    with caplog.at_level(logging.WARNING, logger="app.shopify.webhooks"):
        response = deliver(client, topic, body(SHOP_A), shop=SHOP_B)

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "shop_mismatch"
    assert events(session) == []
    assert all_queued(session, redis) == 0
    run_jobs(app)
    assert fresh(session, b).is_installed
    assert fresh(session, a).is_installed
    [record] = [r for r in caplog.records if r.name == "app.shopify.webhooks"]
    assert (record.header_shop, record.body_shop) == (SHOP_B, SHOP_A)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("topic", "body"), BODY_SHOP_TOPICS)
def test_the_shop_acted_on_is_the_one_the_signed_body_names(
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shops: tuple[Shop, Shop],
    topic: str,
    body: Any,
) -> None:
    a, _ = shops
    headers_without_shop = {"X-Shopify-Shop-Domain": ""}

    response = deliver(client, topic, body(SHOP_A), **headers_without_shop)

    assert (response.status_code, response.get_json()) == (200, {"status": "received"})
    [event] = events(session)
    assert (event.shop_id, event.shop_domain) == (a.id, SHOP_A)


def test_an_uninstall_whose_body_names_no_shop_is_refused(
    client: FlaskClient, session: Session, redis: Redis, shops: tuple[Shop, Shop]
) -> None:
    body = {"id": 548380009, "name": "Shop A", "domain": "shop-a.example"}

    response = deliver(client, "app/uninstalled", body, shop=SHOP_B)

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "missing_shop"
    assert events(session) == []
    assert all_queued(session, redis) == 0


# ---------------------------------------------------- topics whose body names no shop: harmless
def test_shop_as_products_and_orders_replayed_as_shop_b_change_nothing_of_either(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    fake: FakeShopify,
    shops: tuple[Shop, Shop],
) -> None:
    # Given shop A's product and order, known to Luneo and to A's store
    a, b = shops
    product = upstream_product(632910392)
    order = upstream_order(820982911946154508, [upstream_line(1, product)])
    store_a = fake.stores[SHOP_A]
    store_a.add_products(product)
    store_a.add_orders(order)
    deliver(client, "products/update", {"id": 632910392}, shop=SHOP_A)
    run_jobs(app, "default", "sync")
    assert [p.external_id for p in ShopScope(session, a.id).all(Product, Product.id)] == [
        product["id"]
    ]

    # When A's signed bodies are replayed with shop B's header
    for topic, body in [
        ("orders/create", {"id": 820982911946154508}),
        ("products/update", {"id": 632910392}),
        ("products/delete", {"id": 632910392}),
    ]:
        assert deliver(client, topic, body, shop=SHOP_B).status_code == 200
    run_jobs(app, "default", "sync")

    # Then B gets none of A's data: its jobs re-read the ids from B's own store, where Shopify's
    # globally unique ids name nothing, and A's rows stay as they were
    scope_b = ShopScope(session, b.id)
    assert (scope_b.count(Product), scope_b.count(Order)) == (0, 0)
    session.expire_all()
    [kept] = ShopScope(session, a.id).all(Product, Product.id)
    assert kept.status is ProductStatus.ACTIVE
    assert ShopScope(session, a.id).count(Order) == 0  # A's order webhook was never sent
    asked_b = [call.operation for call in fake.stores[SHOP_B].calls]
    assert asked_b, "B's jobs asked B's store, with B's token"


def _subscription_body(status: str) -> dict[str, Any]:
    # Shopify's example app_subscriptions/update body: it names the subscription, not the shop.
    return {
        "app_subscription": {
            "admin_graphql_api_id": SUB_A,
            "name": "Pro",
            "status": status,
            "admin_graphql_api_shop_id": "gid://shopify/Shop/690933842",
            "created_at": "2026-07-01T16:17:42-04:00",
            "updated_at": "2026-07-01T16:17:42-04:00",
            "currency": "USD",
        }
    }


@pytest.mark.parametrize("owned_by_a", [True, False])
def test_a_subscription_update_replayed_as_shop_b_gives_b_no_plan(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shops: tuple[Shop, Shop],
    owned_by_a: bool,
) -> None:
    # Given A's subscription (created by Luneo for A), or one Luneo never created
    a, b = shops
    if owned_by_a:
        session.add(
            Subscription(
                shop_id=a.id,
                plan="pro",
                provider=BillingProvider.SHOPIFY,
                external_id=SUB_A,
                status=SubscriptionStatus.PENDING,
            )
        )
        session.commit()

    # When its signed ACTIVE update is replayed with B's header
    deliver(client, "app_subscriptions/update", _subscription_body("ACTIVE"), shop=SHOP_B)
    run_jobs(app)

    # Then B stays on free, and A's row is untouched
    assert fresh(session, b).plan == "free"
    [event] = events(session)
    assert (event.status, event.error) == (
        WebhookStatus.IGNORED,
        "not a subscription Luneo created for this shop",
    )
    rows = session.execute(select(Subscription.shop_id, Subscription.status)).all()
    assert rows == ([(a.id, SubscriptionStatus.PENDING)] if owned_by_a else [])
    assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 1


def test_a_body_with_the_shops_own_header_still_works(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, shops: tuple[Shop, Shop]
) -> None:
    a, _ = shops

    response = deliver(client, "app/uninstalled", _uninstalled(SHOP_A), shop=SHOP_A)
    run_jobs(app)

    assert (response.status_code, response.get_json()) == (200, {"status": "received"})
    assert not fresh(session, a).is_installed
    assert json.loads(json.dumps(events(session)[0].payload))["myshopify_domain"] == SHOP_A
