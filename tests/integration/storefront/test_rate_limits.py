"""Rate limits: per client and per shop, answered 429 with Retry-After, on both surfaces."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.orm import Session

from app.models import Shop, Template
from app.ratelimit import RateLimited, Window, hit

from .conftest import WOO_ORIGIN, proxy_caller, signed_query, woo_caller


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {
        **settings,
        "STOREFRONT_RATE_PER_CLIENT": 3,
        "STOREFRONT_RATE_PER_SHOP": 5,
        "STOREFRONT_RATE_WINDOW": 60,
    }


def test_a_client_over_its_budget_gets_429_with_retry_after(
    client: FlaskClient, shopify_shop: Shop, template: Template, redis: Redis
) -> None:
    proxy = proxy_caller(client, shopify_shop)

    answers = [proxy.get("/products/42/template") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_the_shop_budget_holds_across_clients(
    client: FlaskClient, shopify_shop: Shop, template: Template, redis: Redis
) -> None:
    query = signed_query(shopify_shop.domain)

    answers = [
        client.get(
            f"/proxy/products/42/template?{query}", headers={"X-Forwarded-For": f"203.0.113.{n}"}
        )
        for n in range(6)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 429]


def test_shops_do_not_share_budgets(
    client: FlaskClient, shopify_shop: Shop, template: Template, redis: Redis, session: Session
) -> None:
    from tests.factories import make_shop

    other = make_shop(session, domain="other-widget.myshopify.com")
    session.commit()
    for _ in range(5):
        proxy_caller(client, shopify_shop).get("/products/42/template")

    response = proxy_caller(client, other).get("/products/42/template")

    assert response.status_code == 404  # served (no such product there), not rate limited


def test_a_rate_limited_woo_answer_is_readable_by_the_store(
    client: FlaskClient, woo_shop: Shop, redis: Redis
) -> None:
    woo = woo_caller(client)

    answers = [woo.get("/designs/d_missing") for _ in range(4)]

    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert answers[-1].headers["Access-Control-Allow-Origin"] == WOO_ORIGIN
    assert "Retry-After" in answers[-1].headers["Access-Control-Expose-Headers"]


def test_a_window_starts_at_its_first_hit_and_ends(redis: Redis) -> None:
    windows = [Window(60, 2)]
    hit(redis, "t", windows, "slow down")
    hit(redis, "t", windows, "slow down")
    with pytest.raises(RateLimited, match="slow down") as refused:
        hit(redis, "t", windows, "slow down")
    assert 1 <= refused.value.retry_after <= 60

    redis.delete("luneo:ratelimit/t/2/60/second")  # the window ends
    hit(redis, "t", windows, "slow down")
    for _ in range(5):
        hit(redis, "off", [Window(60, 0)], "never")


def test_a_hit_can_weigh_its_cost_and_cost_nothing_to_ask(redis: Redis) -> None:
    windows = [Window(60, 100)]
    hit(redis, "ms", windows, "busy", cost=0)  # only asks: nothing spent
    hit(redis, "ms", windows, "busy", cost=60)
    hit(redis, "ms", windows, "busy", cost=0)
    with pytest.raises(RateLimited, match="busy"):
        hit(redis, "ms", windows, "busy", cost=60)  # 120 > 100: this one overspent
    with pytest.raises(RateLimited):
        hit(redis, "ms", windows, "busy", cost=0)  # and the next is refused before it starts
    assert int(redis.get("luneo:ratelimit/ms/100/60/second") or 0) == 120


def test_with_redis_down_a_limited_request_is_refused_rather_than_go_uncounted(
    app: Flask,
    client: FlaskClient,
    shopify_shop: Shop,
    template: Template,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No silent fail-open, and no 500 either: a 503 the widget may retry after ``Retry-After``."""
    down = Redis(unix_socket_path="/nonexistent/luneo-redis.sock", retry=Retry(NoBackoff(), 0))
    monkeypatch.setitem(app.extensions, "luneo.redis", down)
    proxy = proxy_caller(client, shopify_shop)

    limited = proxy.get("/products/42/template")
    app.config.update(STOREFRONT_RATE_PER_CLIENT=0, STOREFRONT_RATE_PER_SHOP=0)
    unlimited = proxy.get("/products/42/template")

    assert limited.status_code == 503
    assert limited.headers["Retry-After"] == "10"
    assert limited.get_json()["error"]["code"] == "temporarily_unavailable"
    assert unlimited.status_code == 200  # the 503 was the budgets', nothing else needed Redis
