"""An order's shipping address is stored in the one normalised shape when the order is synced."""

from __future__ import annotations

from standins.shopify import upstream_line, upstream_order

from .conftest import Mugs, now_stamp


def test_a_shopify_mailing_address_is_stored_normalised(mugs: Mugs) -> None:
    address = {
        "name": "Sam Rivera",
        "company": "Rivera Mugs",
        "address1": "123 Example Street",
        "address2": "Apt 4",
        "city": "Springfield",
        "province": "Oregon",
        "provinceCode": "OR",
        "zip": "97477",
        "countryCodeV2": "US",
        "phone": "+1 555 010 0199",
    }
    mugs.store.add_orders(
        upstream_order(
            7, [upstream_line(71, mugs.plate)], updated_at=now_stamp(), shippingAddress=address
        )
    )

    order = mugs.sync(7)

    assert order.shipping_address == {
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
