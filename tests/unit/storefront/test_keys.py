"""Store origins as browsers send them, and the shape of storefront keys."""

from __future__ import annotations

import pytest

from app.models import Platform, Shop
from app.woocommerce.storefront_keys import (
    ensure_storefront_key,
    origin_of,
    rotate_storefront_key,
    store_origin,
)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Shop.Example.com/", "https://shop.example.com"),
        ("https://shop.example.com:443/wp", "https://shop.example.com"),
        ("http://localhost:8080/shop/", "http://localhost:8080"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("ftp://shop.example.com", None),
        ("https://", None),
        ("https://shop.example.com:99999", None),
        ("not a url", None),
    ],
)
def test_origin_of(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


def test_a_key_is_made_once_and_rotation_replaces_it() -> None:
    shop = Shop(
        platform=Platform.WOOCOMMERCE,
        domain="shop.test",
        extra={"store_url": "https://shop.test/wp"},
    )

    first = ensure_storefront_key(shop)
    again = ensure_storefront_key(shop)
    rotated = rotate_storefront_key(shop)

    assert first == again
    assert first.startswith("lpk_")
    assert len(first) == 36
    assert rotated != first
    assert shop.storefront_key == rotated
    assert store_origin(shop) == "https://shop.test"
