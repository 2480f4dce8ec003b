"""The signed ``_luneo_price`` of a cart line: what was signed verifies, an edit does not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.shopify.surcharge_token import SignedPrice, shop_key, sign, verify

KEY = shop_key("app-secret", "mugs.myshopify.com")


def test_a_signed_price_verifies_for_its_design() -> None:
    value = sign(KEY, "d_abcdefghijklmnop", Decimal("4.50"), "USD")

    assert value.startswith("1:4.50:USD:")
    assert verify(KEY, "d_abcdefghijklmnop", value) == SignedPrice(Decimal("4.50"), "USD")


@pytest.mark.parametrize(
    "edit",
    [
        lambda v: v.replace("4.50", "0.50"),
        lambda v: v.replace("USD", "JPY"),
        lambda v: v[:-1] + ("0" if v[-1] != "0" else "1"),
        lambda v: v.upper(),
        lambda v: "",
        lambda v: v + ":",
        lambda v: "1:4.50:USD",
    ],
    ids=["amount", "currency", "signature", "case", "empty", "trailing", "unsigned"],
)
def test_an_edited_price_does_not_verify(edit) -> None:  # type: ignore[no-untyped-def]
    value = sign(KEY, "d_abcdefghijklmnop", Decimal("4.50"), "USD")

    assert verify(KEY, "d_abcdefghijklmnop", edit(value)) is None


def test_a_price_moved_to_another_design_or_shop_does_not_verify() -> None:
    value = sign(KEY, "d_abcdefghijklmnop", Decimal("4.50"), "USD")

    assert verify(KEY, "d_zzzzzzzzzzzzzzzz", value) is None
    other_shop = shop_key("app-secret", "other.myshopify.com")
    assert verify(other_shop, "d_abcdefghijklmnop", value) is None
    assert verify(KEY, "d_abcdefghijklmnop", None) is None


def test_whole_currencies_sign_without_places() -> None:
    value = sign(KEY, "d_abcdefghijklmnop", Decimal("500"), "JPY")

    assert value.startswith("1:500:JPY:")
    assert verify(KEY, "d_abcdefghijklmnop", value) == SignedPrice(Decimal("500"), "JPY")
