"""The admin as a merchant reads it: money with its separators, one date format, addresses laid
out by their country (and rows stored before addresses were normalised read the same)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Order, Shop
from tests.factories import make_order

OLD_ROW_ADDRESS = {  # as the demo seed stored it: ``country``, no ``country_code``
    "name": "Sam Rivera",
    "address1": "123 Example Street",
    "address2": "Apt 4",
    "city": "Springfield",
    "province": "OR",
    "zip": "97477",
    "country": "US",
    "phone": "+1 555 010 0199",
}


@pytest.fixture
def order(session: Session, shop: Shop) -> Order:
    order = make_order(
        session,
        shop,
        name="#2500",
        currency="USD",
        total_price=Decimal("2500.00"),
        placed_at=datetime(2026, 12, 6, 15, 42, tzinfo=UTC),
        shipping_address=OLD_ROW_ADDRESS,
    )
    session.commit()
    return order


def test_the_order_page_writes_money_dates_and_the_address_for_people(
    cookie_client: FlaskClient, order: Order
) -> None:
    page = cookie_client.get(f"/admin/orders/{order.id}").get_data(as_text=True)

    assert "<dd>$2,500.00</dd>" in page
    assert "2500.00 USD" not in page
    assert 'Placed <time datetime="2026-12-06T15:42:00+00:00">Dec 6, 2026</time>' in page
    address = page.split("<address>")[1].split("</address>")[0]
    lines = [line.strip() for line in address.split("<br>")]
    assert lines[:5] == [
        "Sam Rivera",
        "123 Example Street",
        "Apt 4",
        "SPRINGFIELD, OR 97477",
        "United States",
    ]


def test_the_order_list_and_dashboard_write_money_with_separators(
    cookie_client: FlaskClient, order: Order
) -> None:
    for path in ("/admin/orders", "/admin/"):
        page = cookie_client.get(path).get_data(as_text=True)
        assert "$2,500.00" in page, path
        assert "2500.00 USD" not in page, path


def test_the_readers_language_chooses_separators_and_date_words(
    cookie_client: FlaskClient, order: Order
) -> None:
    page = cookie_client.get(
        f"/admin/orders/{order.id}", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
    ).get_data(as_text=True)

    assert "2\u202f500,00\xa0$US" in page
    assert ">6 déc. 2026</time>" in page
    assert "États-Unis" in page


def test_an_unsupported_language_reads_in_english(cookie_client: FlaskClient, order: Order) -> None:
    page = cookie_client.get(
        f"/admin/orders/{order.id}", headers={"Accept-Language": "tlh"}
    ).get_data(as_text=True)

    assert "<dd>$2,500.00</dd>" in page
