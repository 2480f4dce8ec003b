"""Shopify's Billing API inside the fake store: app subscriptions, approval, usage records.

Served by ``FakeStore`` through the real Admin schema (graphql-core executes Luneo's documents
against it). Behaviour follows Shopify's documentation: a created subscription is PENDING
until the merchant approves it at the confirmation URL (``approve``) or declines it; an approved
subscription replaces the shop's active one; usage line items exist on 30-day plans only;
a usage record beyond the capped amount is refused; a repeated ``idempotencyKey`` returns the
first record instead of charging again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

Json = dict[str, Any]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(field: str, message: str) -> list[Json]:
    return [{"field": [field], "message": message}]


class FakeBilling:
    """One shop's app subscriptions as Shopify keeps them."""

    def __init__(self, domain: str) -> None:
        self.domain = domain
        # Where confirmationUrl points: Shopify's own host, or the stand-in's merchant pages.
        self.confirmation_origin = f"https://{domain}"
        self.subscriptions: dict[str, Json] = {}
        self.usage_records: list[Json] = []
        self.created_inputs: list[Json] = []  # every appSubscriptionCreate's arguments
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._ids = itertools.count(4028497976)

    # -- what the merchant does on Shopify's pages
    def approve(self, subscription_id: str) -> Json:
        """The merchant approves: ACTIVE now, and it replaces the previously active one."""
        sub = self.subscriptions[subscription_id]
        for other in self.subscriptions.values():
            if other is not sub and other["status"] == "ACTIVE":
                other["status"] = "CANCELLED"
        sub["status"] = "ACTIVE"
        days = 365 if self._interval(sub) == "ANNUAL" else 30
        sub["currentPeriodEnd"] = _iso(self.now() + timedelta(days=days + sub["trialDays"]))
        return sub

    def decline(self, subscription_id: str) -> Json:
        self.subscriptions[subscription_id]["status"] = "DECLINED"
        return self.subscriptions[subscription_id]

    def set_status(self, subscription_id: str, status: str) -> Json:
        self.subscriptions[subscription_id]["status"] = status
        return self.subscriptions[subscription_id]

    def by_number(self, number: str) -> Json | None:
        """The subscription a confirmation URL's ``/admin/charges/{number}/`` names."""
        return self.subscriptions.get(f"gid://shopify/AppSubscription/{number}")

    def latest(self) -> Json:
        return list(self.subscriptions.values())[-1]

    # -- the GraphQL root fields
    def root(self) -> Json:
        return {
            "appSubscriptionCreate": lambda _i, **args: self._create(args),
            "appSubscriptionCancel": lambda _i, id, prorate=False: self._cancel(id),
            "appUsageRecordCreate": lambda _i, **args: self._usage(args),
            "currentAppInstallation": lambda _i: {
                "activeSubscriptions": [
                    s for s in self.subscriptions.values() if s["status"] == "ACTIVE"
                ]
            },
        }

    @staticmethod
    def _interval(sub: Json) -> str:
        for item in sub["lineItems"]:
            details = item["plan"]["pricingDetails"]
            if details["__typename"] == "AppRecurringPricing":
                return str(details["interval"])
        return "EVERY_30_DAYS"

    def _line_item(self, number: int, index: int, plan: Json) -> Json:
        item_id = f"gid://shopify/AppSubscriptionLineItem/{number}?v=1&index={index}"
        if "appRecurringPricingDetails" in plan:
            recurring = plan["appRecurringPricingDetails"]
            details = {
                "__typename": "AppRecurringPricing",
                "interval": recurring.get("interval") or "EVERY_30_DAYS",
                "price": dict(recurring["price"]),
                "discount": None,
                "planHandle": None,
            }
        else:
            usage = plan["appUsagePricingDetails"]
            details = {
                "__typename": "AppUsagePricing",
                "terms": usage["terms"],
                "cappedAmount": dict(usage["cappedAmount"]),
                "balanceUsed": {
                    "amount": "0.0",
                    "currencyCode": usage["cappedAmount"]["currencyCode"],
                },
                "interval": "EVERY_30_DAYS",
            }
        return {"id": item_id, "plan": {"pricingDetails": details}}

    def _create(self, args: Json) -> Json:
        self.created_inputs.append(args)
        plans = [item["plan"] for item in args["lineItems"]]
        recurring = [p for p in plans if "appRecurringPricingDetails" in p]
        usage = [p for p in plans if "appUsagePricingDetails" in p]
        if len(recurring) > 1 or len(usage) > 1:
            errors = _error("lineItems", "Only one pricing plan per type is allowed")
            return {"appSubscription": None, "confirmationUrl": None, "userErrors": errors}
        annual = any(p["appRecurringPricingDetails"].get("interval") == "ANNUAL" for p in recurring)
        if annual and usage:
            errors = _error("lineItems", "Annual subscriptions can't have usage line items")
            return {"appSubscription": None, "confirmationUrl": None, "userErrors": errors}
        number = next(self._ids)
        sub_id = f"gid://shopify/AppSubscription/{number}"
        sub = {
            "id": sub_id,
            "name": args["name"],
            "status": "PENDING",
            "test": bool(args.get("test")),
            "trialDays": int(args.get("trialDays") or 0),
            "createdAt": _iso(self.now()),
            "currentPeriodEnd": None,
            "returnUrl": args["returnUrl"],
            "lineItems": [self._line_item(number, i, p) for i, p in enumerate(plans)],
        }
        self.subscriptions[sub_id] = sub
        url = (
            f"{self.confirmation_origin}/admin/charges/{number}/confirm_recurring_application_charge"
            f"?signature=BAh7BzoHaWRsKwc4AB7wOhJhdXRvX2FjdGl2YXRlVA"
        )
        return {"appSubscription": sub, "confirmationUrl": url, "userErrors": []}

    def _cancel(self, sub_id: str) -> Json:
        sub = self.subscriptions.get(sub_id)
        if sub is None:
            errors = _error("id", "Couldn't find RecurringApplicationCharge")
            return {"appSubscription": None, "userErrors": errors}
        sub["status"] = "CANCELLED"
        return {"appSubscription": sub, "userErrors": []}

    def _usage(self, args: Json) -> Json:
        key = args.get("idempotencyKey")
        for record in self.usage_records:
            if key is not None and record["idempotencyKey"] == key:
                return {"appUsageRecord": record, "userErrors": []}
        found = [
            (sub, item)
            for sub in self.subscriptions.values()
            for item in sub["lineItems"]
            if item["id"] == args["subscriptionLineItemId"]
        ]
        if not found or found[0][1]["plan"]["pricingDetails"]["__typename"] != "AppUsagePricing":
            errors = _error("subscriptionLineItemId", "Subscription line item not found")
            return {"appUsageRecord": None, "userErrors": errors}
        sub, item = found[0]
        details = item["plan"]["pricingDetails"]
        if sub["status"] != "ACTIVE":
            errors = _error("subscriptionLineItemId", "Subscription is not active")
            return {"appUsageRecord": None, "userErrors": errors}
        price = Decimal(str(args["price"]["amount"]))
        used = Decimal(details["balanceUsed"]["amount"])
        if used + price > Decimal(details["cappedAmount"]["amount"]):
            errors = _error("price", "Total price exceeds balance remaining")
            return {"appUsageRecord": None, "userErrors": errors}
        details["balanceUsed"]["amount"] = str(used + price)
        record = {
            "id": f"gid://shopify/AppUsageRecord/{next(self._ids)}",
            "idempotencyKey": key,
            "description": args["description"],
            "createdAt": _iso(self.now()),
            "price": {"amount": str(price), "currencyCode": args["price"]["currencyCode"]},
            "subscriptionLineItem": item,
        }
        self.usage_records.append(record)
        return {"appUsageRecord": record, "userErrors": []}
