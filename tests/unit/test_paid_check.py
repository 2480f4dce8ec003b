"""How an order line proves its personalization surcharge was charged (``PaidCheck``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.models import Platform
from app.shopify import surcharge_token
from app.sync.personalization import PaidCheck

SECRET = "unit-secret-" + "z" * 32
DOMAIN = "paid-store.myshopify.com"


def shopify() -> PaidCheck:
    return PaidCheck(Platform.SHOPIFY, surcharge_token.shop_key(SECRET, DOMAIN))


def test_shopify_reads_only_a_price_signed_with_the_shops_key_for_that_design() -> None:
    key = surcharge_token.shop_key(SECRET, DOMAIN)
    value = surcharge_token.sign(key, "d_mine", Decimal("4.50"), "EUR")
    other_shop = surcharge_token.sign(
        surcharge_token.shop_key(SECRET, "other.myshopify.com"), "d_mine", Decimal("4.50"), "EUR"
    )
    check = shopify()

    assert check.charged({"_luneo_price": value}, "d_mine", "EUR") == Decimal("4.50")
    assert check.charged({"_luneo_price": value}, "d_other", "EUR") is None
    assert check.charged({"_luneo_price": value}, "d_mine", "USD") is None
    assert check.charged({"_luneo_price": other_shop}, "d_mine", "EUR") is None
    assert check.charged({}, "d_mine", "EUR") is None
    assert (
        PaidCheck(Platform.SHOPIFY, None).charged({"_luneo_price": value}, "d_mine", "EUR") is None
    )


@pytest.mark.parametrize(
    ("meta", "charged"),
    [
        ({"_luneo_surcharge": "4.00"}, Decimal("4.00")),
        ({"_luneo_surcharge": " 4.5 "}, Decimal("4.50")),
        ({"_luneo_surcharge": "4.00", "_luneo_currency": "eur"}, Decimal("4.00")),
        ({"_luneo_surcharge": "4.00", "_luneo_currency": "USD"}, None),
        ({"_luneo_surcharge": "-1"}, None),
        ({"_luneo_surcharge": "NaN"}, None),
        ({"_luneo_surcharge": "Infinity"}, None),
        ({"_luneo_surcharge": "1e9"}, None),
        ({"_luneo_surcharge": "four"}, None),
        ({"_luneo_surcharge": ""}, None),
        ({}, None),
    ],
)
def test_woocommerce_reads_the_plugins_amount(
    meta: dict[str, str], charged: Decimal | None
) -> None:
    check = PaidCheck(Platform.WOOCOMMERCE, None)

    assert check.charged(meta, "d_any", "EUR") == charged
