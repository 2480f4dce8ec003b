"""Who a storefront caller is, for rate limits: an address a client writes itself never counts.

Shopify's app proxy appends the shopper's address to ``X-Forwarded-For``; a load balancer of
Luneo's own (``TRUSTED_PROXY_HOPS``) appends one more. Entries further left came from the
client, so changing them must not buy a fresh budget.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from redis import Redis

from app.models import Shop, Template

from .conftest import WOO_KEY, WOO_ORIGIN, signed_query


@pytest.fixture(params=[0, 1], ids=["direct", "behind-a-load-balancer"])
def settings(settings: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    return {
        **settings,
        "TRUSTED_PROXY_HOPS": request.param,
        "STOREFRONT_RATE_PER_CLIENT": 3,
        "STOREFRONT_RATE_PER_SHOP": 100,
        "STOREFRONT_RATE_WINDOW": 60,
    }


def _chain(spoofed: str, *appended: str, hops: int) -> str:
    """The header as it reaches Luneo: the client's own entry, then each trusted hop's."""
    balancer = ["10.0.0.7"] if hops else []  # what our load balancer saw connecting to it
    return ", ".join([spoofed, *appended, *balancer])


def test_a_shopper_cannot_buy_a_fresh_budget_by_writing_x_forwarded_for(
    client: FlaskClient, shopify_shop: Shop, template: Template, redis: Redis, settings: dict
) -> None:
    hops = settings["TRUSTED_PROXY_HOPS"]
    query = signed_query(shopify_shop.domain)

    answers = [
        client.get(
            f"/proxy/products/42/template?{query}",
            headers={"X-Forwarded-For": _chain(f"198.18.0.{n}", "203.0.113.9", hops=hops)},
        )
        for n in range(4)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]


def test_shoppers_behind_shopify_are_told_apart_by_the_address_shopify_saw(
    client: FlaskClient, shopify_shop: Shop, template: Template, redis: Redis, settings: dict
) -> None:
    hops = settings["TRUSTED_PROXY_HOPS"]
    query = signed_query(shopify_shop.domain)

    answers = [
        client.get(
            f"/proxy/products/42/template?{query}",
            headers={"X-Forwarded-For": _chain("198.18.0.1", f"203.0.113.{n}", hops=hops)},
        )
        for n in range(6)
    ]

    assert {a.status_code for a in answers} == {200}


def test_a_woocommerce_shopper_is_the_connecting_address_not_a_header(
    client: FlaskClient, woo_shop: Shop, redis: Redis, settings: dict
) -> None:
    hops = settings["TRUSTED_PROXY_HOPS"]
    headers = {"X-Luneo-Key": WOO_KEY, "Origin": WOO_ORIGIN}

    answers = [
        client.get(
            "/storefront/v1/designs/d_missing",
            headers={
                **headers,
                "X-Forwarded-For": f"198.18.0.{n}" + (", 203.0.113.5" if hops else ""),
            },
        )
        for n in range(4)
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 429]
