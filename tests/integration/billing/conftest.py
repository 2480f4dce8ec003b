"""Billing fixtures: the fake Shopify (Billing API) and the fake Stripe, wired into the app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.models import Platform, Shop
from standins import shopify as fake_shopify
from standins.shopify import FakeShopify, FakeStore
from tests.factories import make_shop
from tests.support import fake_stripe

SHOPIFY_DOMAIN = "example.myshopify.com"
SHOPIFY_TOKEN = "shpat_" + "b" * 32
WEBHOOK_SECRET = "whsec_luneo_test_secret"
PLAN_PRICES = {"starter": (1900, 19000), "pro": (7900, 79000), "enterprise": (29900, 299000)}


@pytest.fixture
def shopify_fake() -> Iterator[FakeShopify]:
    fake = FakeShopify()
    fake.add_store(FakeStore(SHOPIFY_DOMAIN, SHOPIFY_TOKEN))
    with fake_shopify.serve(fake) as served:
        yield served


@pytest.fixture
def stripe_fake() -> Iterator[fake_stripe.FakeStripe]:
    fake = fake_stripe.FakeStripe()
    for plan, (monthly, yearly) in PLAN_PRICES.items():
        for interval, amount in (("month", monthly), ("year", yearly)):
            fake.add_price(f"luneo_{plan}_{interval}", amount, interval)
            for metered in ("ai_overage", "order_overage"):
                fake.add_price(f"luneo_{plan}_{interval}_{metered}", 0, interval, metered=True)
    with fake_stripe.serve(fake) as served:
        yield served


@pytest.fixture
def settings(
    settings: dict[str, Any],
    shopify_fake: FakeShopify,
    stripe_fake: fake_stripe.FakeStripe,
) -> dict[str, Any]:
    return {
        **settings,
        "SHOPIFY_SHOP_ORIGIN": shopify_fake.origin_template,
        "SHOPIFY_MAX_ATTEMPTS": 2,
        "STRIPE_SECRET_KEY": fake_stripe.SECRET_KEY,
        "STRIPE_API_BASE": stripe_fake.origin,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_WEBHOOK_TOLERANCE": 300,
        "BILLING_GRACE_DAYS": 7,
        "BILLING_TEST_CHARGES": "false",
    }


@pytest.fixture
def store(shopify_fake: FakeShopify) -> FakeStore:
    return shopify_fake.stores[SHOPIFY_DOMAIN]


@pytest.fixture
def shopify_shop(session: Session) -> Shop:
    shop = make_shop(session, domain=SHOPIFY_DOMAIN, access_token=SHOPIFY_TOKEN)
    session.commit()
    return shop


@pytest.fixture
def woo_shop(session: Session) -> Shop:
    shop = make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain="shop.test",
        email="owner@shop.test",
        access_token="cs_" + "c" * 40,
        api_key="ck_" + "d" * 40,
    )
    session.commit()
    return shop
