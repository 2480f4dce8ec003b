"""The one stored address shape: Shopify's and WooCommerce's addresses, country names, garbage."""

from __future__ import annotations

from typing import Any

import pytest

from app.addresses import STORED_FIELDS, country_code, normalize_address
from connectors.shopify.mapping import _address as shopify_address
from connectors.woocommerce.mapping import _address as woo_address

SHOPIFY_MAILING_ADDRESS = {
    "name": "Sam Rivera",
    "company": "Rivera Mugs",
    "address1": "123 Example Street",
    "address2": "Apt 4",
    "city": "Springfield",
    "province": "Oregon",
    "provinceCode": "OR",
    "zip": "97477",
    "country": "United States",
    "countryCodeV2": "US",
    "phone": "+1 555 010 0199",
}
WOO_SHIPPING = {
    "first_name": "Łukasz",
    "last_name": "Wiśniewski",
    "company": "",
    "address_1": "ul. Marszałkowska 1",
    "address_2": "",
    "city": "Warszawa",
    "state": "",
    "postcode": "00-001",
    "country": "PL",
    "phone": "+48 22 000 00 00",
}


def test_a_shopify_mailing_address_as_graphql_sends_it() -> None:
    assert normalize_address(SHOPIFY_MAILING_ADDRESS) == {
        "name": "Sam Rivera",
        "company": "Rivera Mugs",
        "address1": "123 Example Street",
        "address2": "Apt 4",
        "city": "Springfield",
        "province": "Oregon",
        "province_code": "OR",
        "zip": "97477",
        "country_code": "US",
        "phone": "+1 555 010 0199",
    }


def test_a_woocommerce_shipping_block_as_the_rest_api_sends_it() -> None:
    assert normalize_address(WOO_SHIPPING) == {
        "name": "Łukasz Wiśniewski",
        "company": "",
        "address1": "ul. Marszałkowska 1",
        "address2": "",
        "city": "Warszawa",
        "province": "",
        "province_code": "",
        "zip": "00-001",
        "country_code": "PL",
        "phone": "+48 22 000 00 00",
    }


def test_the_connectors_records_normalise_to_the_same_shape() -> None:
    """What sync stores: the connector's record (asdict) through the normaliser."""
    from dataclasses import asdict

    shopify = shopify_address(SHOPIFY_MAILING_ADDRESS)
    woo = woo_address(WOO_SHIPPING, "")
    assert shopify is not None
    assert woo is not None
    assert normalize_address(asdict(shopify)) == normalize_address(SHOPIFY_MAILING_ADDRESS)
    assert normalize_address(asdict(woo)) == normalize_address(WOO_SHIPPING)


def test_the_demo_seeds_old_shape_with_country_reads_as_a_code() -> None:
    """The row the demo seed used to write: ``country``, no ``country_code``."""
    old = {"name": "Sam Rivera", "city": "Springfield", "country": "US", "province": "OR"}
    stored = normalize_address(old)
    assert stored["country_code"] == "US"
    assert stored["province_code"] == "OR"


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("United States", "US"),
        ("united kingdom", "GB"),
        ("UK", "GB"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Côte d’Ivoire", "CI"),
        ("cote d’ivoire", "CI"),
        ("  France ", "FR"),
        ("日本", "JP"),
        ("fr", "FR"),
        ("Atlantis", ""),
        ("EU", ""),  # a grouping, not a country
        ("ZZ", ""),
        ("", ""),
    ],
)
def test_country_names_and_codes_become_iso_codes(given: str, code: str) -> None:
    assert country_code(given) == code


@pytest.mark.parametrize(
    "garbage",
    [None, "a string", 42, [], {"country": 5, "city": ["x"], "zip": None, "name": {"a": 1}}],
)
def test_garbage_reads_as_an_empty_address(garbage: Any) -> None:
    stored = normalize_address(garbage)
    assert tuple(stored) == STORED_FIELDS
    assert set(stored.values()) == {""}


def test_a_stored_row_reads_back_unchanged() -> None:
    once = normalize_address(SHOPIFY_MAILING_ADDRESS)
    assert normalize_address(once) == once
