"""The Billing API documents are valid for the Admin API version Luneo declares."""

from __future__ import annotations

from decimal import Decimal

import pytest
from graphql import parse, validate

from connectors.shopify import API_VERSION
from connectors.shopify import billing as api
from standins.shopify import admin_schema


@pytest.mark.parametrize("document", api.DOCUMENTS, ids=lambda d: d.split("(")[0].split()[-1])
def test_every_billing_document_is_valid_against_the_admin_schema(document: str) -> None:
    assert validate(admin_schema(API_VERSION), parse(document)) == []


def _request(interval: str) -> api.SubscriptionRequest:
    return api.SubscriptionRequest(
        name="Pro",
        price=Decimal("79.00"),
        interval=interval,
        currency="USD",
        return_url="https://admin.shopify.com/store/example/apps/key/admin/billing",
        trial_days=14,
        test=True,
        usage_cap=Decimal("500.00"),
        usage_terms="$0.06 per order",
    )


def test_a_monthly_plan_has_a_recurring_and_a_capped_usage_line_item() -> None:
    assert api.line_items(_request(api.MONTHLY)) == [
        {
            "plan": {
                "appRecurringPricingDetails": {
                    "price": {"amount": "79.00", "currencyCode": "USD"},
                    "interval": "EVERY_30_DAYS",
                }
            }
        },
        {
            "plan": {
                "appUsagePricingDetails": {
                    "cappedAmount": {"amount": "500.00", "currencyCode": "USD"},
                    "terms": "$0.06 per order",
                }
            }
        },
    ]


def test_an_annual_plan_has_no_usage_line_item_as_shopify_requires() -> None:
    items = api.line_items(_request(api.ANNUAL))
    assert len(items) == 1
    assert items[0]["plan"]["appRecurringPricingDetails"]["interval"] == "ANNUAL"
