"""Shopify merchants through the Billing API: subscribe, approve, verify, change, cancel, usage.

The fake store executes Luneo's documents against the captured 2026-07 Admin schema, and keeps
app subscriptions as Shopify documents them (pending until approved, replaced on approval,
usage capped, idempotent usage records).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.billing import quota, shopify_billing, usage_report
from app.billing.plans import get_plan
from app.models import (
    BillingInterval,
    BillingProvider,
    Shop,
    Subscription,
    SubscriptionStatus,
    UsageKind,
    UsageRecord,
)
from standins.shopify import FakeStore
from tests.conftest import SHOPIFY_API_KEY
from tests.support.shopify import session_token
from tests.support.workers import run_jobs


def _auth(shop: Shop) -> dict[str, str]:
    return {"Authorization": f"Bearer {session_token(shop.domain)}"}


def _subscribe(client: FlaskClient, shop: Shop, plan: str, interval: str = "month") -> dict:  # type: ignore[type-arg]
    response = client.post(
        "/api/admin/billing/subscribe",
        json={"plan": plan, "interval": interval},
        headers=_auth(shop),
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _rows(session: Session) -> list[Subscription]:
    session.expire_all()
    return list(session.scalars(select(Subscription).order_by(Subscription.id)))


def _return(client: FlaskClient, shop: Shop, charge_id: str) -> str:
    token = session_token(shop.domain)
    response = client.get(
        f"/admin/billing?charge_id={charge_id}&id_token={token}&embedded=1&shop={shop.domain}"
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _active_plan(
    app: Flask, session: Session, shop: Shop, store: FakeStore, plan: str, days_ago: int
) -> None:
    then = datetime.now(UTC) - timedelta(days=days_ago)
    store.billing.now = lambda: then
    with app.app_context():
        shopify_billing.subscribe(
            session, shop, get_plan(plan), BillingInterval.MONTH, app.config, then
        )
        store.billing.approve(store.billing.latest()["id"])
        shopify_billing.sync_active(session, shop, app.config, datetime.now(UTC))
    session.commit()


def test_choosing_pro_creates_a_pending_subscription_with_a_capped_usage_line_item(
    client: FlaskClient, session: Session, shopify_shop: Shop, store: FakeStore
) -> None:
    answer = _subscribe(client, shopify_shop, "pro")

    created = store.billing.latest()
    assert answer == {"plan": "pro", "redirect_url": answer["redirect_url"]}
    assert answer["redirect_url"].startswith(f"https://{shopify_shop.domain}/admin/charges/")
    [sent] = store.billing.created_inputs
    assert sent["name"] == "Pro"
    assert sent["trialDays"] == 14
    assert sent["test"] is False
    assert sent["returnUrl"] == (
        f"https://admin.shopify.com/store/example/apps/{SHOPIFY_API_KEY}/admin/billing"
    )
    assert sent["lineItems"] == [
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
                    "terms": sent["lineItems"][1]["plan"]["appUsagePricingDetails"]["terms"],
                }
            }
        },
    ]
    [row] = _rows(session)
    assert (row.provider, row.external_id, row.status, row.plan) == (
        BillingProvider.SHOPIFY,
        created["id"],
        SubscriptionStatus.PENDING,
        "pro",
    )
    assert row.usage_line_item_id == created["lineItems"][1]["id"]
    # pending is not paid for: the shop keeps the free plan until Shopify says otherwise
    assert quota.effective_plan(session, session.get(Shop, shopify_shop.id)).key == "free"  # type: ignore[arg-type]


def test_development_stores_get_test_charges_and_annual_plans_no_usage_item(
    client: FlaskClient, session: Session, shopify_shop: Shop, store: FakeStore
) -> None:
    shopify_shop.is_development = True
    session.commit()

    _subscribe(client, shopify_shop, "starter", "year")

    [sent] = store.billing.created_inputs
    assert sent["test"] is True
    assert [list(item["plan"]) for item in sent["lineItems"]] == [["appRecurringPricingDetails"]]
    assert sent["lineItems"][0]["plan"]["appRecurringPricingDetails"]["price"]["amount"] == "190.00"
    [row] = _rows(session)
    assert (row.interval, row.usage_line_item_id, row.is_test) == (BillingInterval.YEAR, None, True)


def test_the_return_url_is_verified_with_shopify_not_trusted(
    client: FlaskClient, session: Session, shopify_shop: Shop, store: FakeStore
) -> None:
    _subscribe(client, shopify_shop, "pro")
    pending_id = store.billing.latest()["id"]

    # Back without approving (a forged or early return): nothing becomes active
    page = _return(client, shopify_shop, pending_id.rsplit("/", 1)[1])
    assert 'data-billing-notice="not_approved"' in page
    assert _rows(session)[0].status is SubscriptionStatus.PENDING

    store.billing.approve(pending_id)
    page = _return(client, shopify_shop, pending_id.rsplit("/", 1)[1])

    assert 'data-billing-notice="approved"' in page
    [row] = _rows(session)
    assert row.status is SubscriptionStatus.TRIALING  # approved, inside its 14-day trial
    assert row.trial_ends_at is not None
    assert session.get(Shop, shopify_shop.id).plan == "pro"  # type: ignore[union-attr]
    assert 'data-field="trial_days_left">14 days left' in page


def test_a_plan_change_replaces_the_subscription_and_free_cancels_it(
    client: FlaskClient, session: Session, shopify_shop: Shop, store: FakeStore
) -> None:
    _subscribe(client, shopify_shop, "starter")
    store.billing.approve(store.billing.latest()["id"])
    _return(client, shopify_shop, "1")

    _subscribe(client, shopify_shop, "pro")
    second = store.billing.latest()
    assert (
        second["trialDays"] == 14
    )  # what is left of the first trial, not a fresh one… the same day
    store.billing.approve(second["id"])
    _return(client, shopify_shop, "2")

    starter, pro = _rows(session)
    assert (starter.plan, starter.status) == ("starter", SubscriptionStatus.CANCELLED)
    assert (pro.plan, pro.status) == ("pro", SubscriptionStatus.TRIALING)

    answer = _subscribe(client, shopify_shop, "free")

    assert answer == {"plan": "free", "redirect_url": None}
    assert store.billing.subscriptions[second["id"]]["status"] == "CANCELLED"
    assert _rows(session)[1].status is SubscriptionStatus.CANCELLED
    assert session.get(Shop, shopify_shop.id).plan == "free"  # type: ignore[union-attr]


def test_overage_is_charged_once_per_usage_record_with_its_idempotency_key(
    app: Flask, session: Session, shopify_shop: Shop, store: FakeStore
) -> None:
    # Given a Pro subscription approved 20 days ago: past its 14-day trial
    _active_plan(app, session, shopify_shop, store, "pro", days_ago=20)
    [row] = _rows(session)
    assert row.status is SubscriptionStatus.ACTIVE

    # When the shop generates 3 images past its 1,500 included ones
    quota.reserve(session, shopify_shop, UsageKind.AI_GENERATION, "bulk-1", quantity=1500)
    over = quota.reserve(session, shopify_shop, UsageKind.AI_GENERATION, "gen-over", quantity=3)
    session.commit()
    assert over.overage_quantity == 3

    run_jobs_twice = [usage_report.report_shop, usage_report.report_shop]
    with app.app_context():
        reports = [report(session, shopify_shop, app.config) for report in run_jobs_twice]

    assert [r.reported for r in reports] == [1, 0]
    [charge] = store.billing.usage_records
    assert charge["idempotencyKey"] == f"luneo-usage-{over.id}"
    assert charge["price"] == {"amount": "0.18", "currencyCode": "USD"}
    assert charge["description"] == "3 AI generations past the Pro plan's included amount"
    session.expire_all()
    record = session.get(UsageRecord, over.id)
    assert record is not None
    assert record.reported_at is not None
    assert record.external_id == charge["id"]


def test_a_frozen_subscription_keeps_the_plan_for_the_grace_period(
    app: Flask, client: FlaskClient, session: Session, shopify_shop: Shop, store: FakeStore
) -> None:
    from tests.integration.shopify.test_webhooks import deliver

    _subscribe(client, shopify_shop, "pro")
    sub = store.billing.approve(store.billing.latest()["id"])
    _return(client, shopify_shop, "1")
    body = {
        "app_subscription": {
            "admin_graphql_api_id": sub["id"],
            "name": "Pro",
            "status": "FROZEN",
            "admin_graphql_api_shop_id": "gid://shopify/Shop/690933842",
            "created_at": sub["createdAt"],
            "updated_at": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
            "currency": "USD",
        }
    }
    deliver(client, "app_subscriptions/update", body, shop=shopify_shop.domain)
    run_jobs(app)

    [row] = _rows(session)
    assert row.status is SubscriptionStatus.PAST_DUE
    assert row.grace_until is not None
    shop = session.get(Shop, shopify_shop.id)
    assert shop is not None
    assert quota.effective_plan(session, shop).key == "pro"
    assert quota.effective_plan(session, shop, datetime.now(UTC) + timedelta(days=8)).key == "free"
