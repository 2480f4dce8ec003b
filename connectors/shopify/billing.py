"""Shopify's Billing API: app subscriptions, their approval, cancellation and usage charges.

Pure GraphQL: a ``ShopifyGraphQL`` in, frozen records out (no Flask, no database). Every
document here is validated against the captured Admin schema of ``API_VERSION`` in the tests.
Amounts are ``Decimal`` and sent as strings, the way the ``Decimal`` scalar wants them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.base import PlatformError
from connectors.shopify.client import ShopifyGraphQL
from connectors.values import record_moment

SUBSCRIPTION_FIELDS = """
  id
  name
  status
  test
  trialDays
  createdAt
  currentPeriodEnd
  lineItems {
    id
    plan {
      pricingDetails {
        __typename
        ... on AppRecurringPricing { interval price { amount currencyCode } }
        ... on AppUsagePricing { terms cappedAmount { amount currencyCode } }
      }
    }
  }
"""

CREATE_SUBSCRIPTION = (
    """
mutation LuneoSubscriptionCreate(
  $name: String!
  $lineItems: [AppSubscriptionLineItemInput!]!
  $returnUrl: URL!
  $trialDays: Int
  $test: Boolean
) {
  appSubscriptionCreate(
    name: $name
    lineItems: $lineItems
    returnUrl: $returnUrl
    trialDays: $trialDays
    test: $test
  ) {
    confirmationUrl
    appSubscription {"""
    + SUBSCRIPTION_FIELDS
    + """}
    userErrors { field message }
  }
}
"""
)

CANCEL_SUBSCRIPTION = (
    """
mutation LuneoSubscriptionCancel($id: ID!, $prorate: Boolean) {
  appSubscriptionCancel(id: $id, prorate: $prorate) {
    appSubscription {"""
    + SUBSCRIPTION_FIELDS
    + """}
    userErrors { field message }
  }
}
"""
)

ACTIVE_SUBSCRIPTIONS = (
    """
query LuneoActiveSubscriptions {
  currentAppInstallation {
    activeSubscriptions {"""
    + SUBSCRIPTION_FIELDS
    + """}
  }
}
"""
)

CREATE_USAGE_RECORD = """
mutation LuneoUsageRecordCreate(
  $subscriptionLineItemId: ID!
  $price: MoneyInput!
  $description: String!
  $idempotencyKey: String
) {
  appUsageRecordCreate(
    subscriptionLineItemId: $subscriptionLineItemId
    price: $price
    description: $description
    idempotencyKey: $idempotencyKey
  ) {
    appUsageRecord { id idempotencyKey createdAt price { amount currencyCode } }
    userErrors { field message }
  }
}
"""

DOCUMENTS = (CREATE_SUBSCRIPTION, CANCEL_SUBSCRIPTION, ACTIVE_SUBSCRIPTIONS, CREATE_USAGE_RECORD)

MONTHLY, ANNUAL = "EVERY_30_DAYS", "ANNUAL"


class BillingUserError(PlatformError):
    """Shopify refused the billing request; ``message`` is Shopify's own words."""


@dataclass(frozen=True)
class SubscriptionRequest:
    """What the merchant is asked to approve."""

    name: str
    price: Decimal
    interval: str  # MONTHLY or ANNUAL
    currency: str
    return_url: str
    trial_days: int
    test: bool
    usage_cap: Decimal | None = None  # None: no usage line item (annual plans cannot have one)
    usage_terms: str = ""


@dataclass(frozen=True)
class AppSubscription:
    id: str
    name: str
    status: str  # AppSubscriptionStatus: ACTIVE, PENDING, CANCELLED, DECLINED, EXPIRED, FROZEN
    test: bool
    trial_days: int
    created_at: datetime
    current_period_end: datetime | None
    interval: str
    usage_line_item_id: str | None


@dataclass(frozen=True)
class UsageCharge:
    id: str
    idempotency_key: str | None


def _money_input(amount: Decimal, currency: str) -> dict[str, str]:
    """A GraphQL MoneyInput."""
    return {"amount": str(amount), "currencyCode": currency}


def line_items(request: SubscriptionRequest) -> list[dict[str, Any]]:
    """The recurring line item, plus the usage one for overage when the plan has a cap."""
    recurring = {
        "appRecurringPricingDetails": {
            "price": _money_input(request.price, request.currency),
            "interval": request.interval,
        }
    }
    items: list[dict[str, Any]] = [{"plan": recurring}]
    if request.usage_cap is not None and request.interval == MONTHLY:
        usage = {
            "cappedAmount": _money_input(request.usage_cap, request.currency),
            "terms": request.usage_terms,
        }
        items.append({"plan": {"appUsagePricingDetails": usage}})
    return items


def parse_subscription(node: dict[str, Any]) -> AppSubscription:
    interval, usage_item = MONTHLY, None
    for item in node.get("lineItems") or []:
        details = (item.get("plan") or {}).get("pricingDetails") or {}
        if details.get("__typename") == "AppRecurringPricing":
            interval = str(details.get("interval") or MONTHLY)
        elif details.get("__typename") == "AppUsagePricing":
            usage_item = str(item["id"])
    owner = str(node["id"])
    created = record_moment(owner, node.get("createdAt"), blank_is_none=True)
    if created is None:
        raise PlatformError("an app subscription without createdAt")
    return AppSubscription(
        id=owner,
        name=str(node.get("name") or ""),
        status=str(node.get("status") or ""),
        test=bool(node.get("test")),
        trial_days=int(node.get("trialDays") or 0),
        created_at=created,
        current_period_end=record_moment(owner, node.get("currentPeriodEnd"), blank_is_none=True),
        interval=interval,
        usage_line_item_id=usage_item,
    )


def _payload(data: dict[str, Any], field: str) -> dict[str, Any]:
    payload = data.get(field)
    if not isinstance(payload, dict):
        raise PlatformError(f"{field} answered without a payload")
    errors = payload.get("userErrors") or []
    if errors:
        raise BillingUserError("; ".join(str(e.get("message")) for e in errors))
    return payload


def create_subscription(
    client: ShopifyGraphQL, request: SubscriptionRequest
) -> tuple[AppSubscription, str]:
    """Create the (pending) subscription; returns it and the URL the merchant approves it at."""
    variables = {
        "name": request.name,
        "lineItems": line_items(request),
        "returnUrl": request.return_url,
        "trialDays": request.trial_days,
        "test": request.test,
    }
    payload = _payload(client.execute(CREATE_SUBSCRIPTION, variables), "appSubscriptionCreate")
    node, url = payload.get("appSubscription"), payload.get("confirmationUrl")
    if not isinstance(node, dict) or not isinstance(url, str):
        raise PlatformError("appSubscriptionCreate answered without a subscription")
    return parse_subscription(node), url


def cancel_subscription(client: ShopifyGraphQL, subscription_id: str) -> AppSubscription:
    variables = {"id": subscription_id, "prorate": False}
    payload = _payload(client.execute(CANCEL_SUBSCRIPTION, variables), "appSubscriptionCancel")
    node = payload.get("appSubscription")
    if not isinstance(node, dict):
        raise PlatformError("appSubscriptionCancel answered without a subscription")
    return parse_subscription(node)


def active_subscriptions(client: ShopifyGraphQL) -> list[AppSubscription]:
    """What Shopify says the shop pays for now (the source of truth after an approval)."""
    installation = client.execute(ACTIVE_SUBSCRIPTIONS).get("currentAppInstallation") or {}
    return [parse_subscription(node) for node in installation.get("activeSubscriptions") or []]


def create_usage_record(
    client: ShopifyGraphQL,
    line_item_id: str,
    amount: Decimal,
    currency: str,
    description: str,
    idempotency_key: str,
) -> UsageCharge:
    """Charge ``amount`` on the usage line item, once per ``idempotency_key``."""
    variables = {
        "subscriptionLineItemId": line_item_id,
        "price": _money_input(amount, currency),
        "description": description,
        "idempotencyKey": idempotency_key,
    }
    payload = _payload(client.execute(CREATE_USAGE_RECORD, variables), "appUsageRecordCreate")
    record = payload.get("appUsageRecord")
    if not isinstance(record, dict):
        raise PlatformError("appUsageRecordCreate answered without a usage record")
    return UsageCharge(str(record["id"]), record.get("idempotencyKey"))
