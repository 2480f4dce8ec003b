"""One Shopify shop and one WooCommerce shop, each through trial → paid → over quota →
failed payment → grace → free limits → downgrade, driven by simulated provider events."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.billing import quota, shopify_billing
from app.billing.plans import get_plan
from app.models import BillingInterval, Shop, Subscription, SubscriptionStatus, UsageKind
from jobs.billing import report_usage
from standins.shopify import FakeStore
from tests.integration.billing.test_stripe import CSRF, _invoice, post_event
from tests.integration.shopify.test_webhooks import deliver
from tests.support import fake_stripe
from tests.support.fake_stripe import FakeStripe
from tests.support.shopify import session_token
from tests.support.workers import run_jobs

AI, ORDERS = UsageKind.AI_GENERATION, UsageKind.PRODUCED_ORDER


def _row(session: Session, shop: Shop) -> Subscription:
    session.expire_all()
    stmt = select(Subscription).where(Subscription.shop_id == shop.id).order_by(Subscription.id)
    return list(session.scalars(stmt))[-1]


def _fresh(session: Session, shop: Shop) -> Shop:
    session.expire_all()
    found = session.get(Shop, shop.id)
    assert found is not None
    return found


def test_a_shopify_shop_from_trial_to_downgrade(
    app: Flask, client: FlaskClient, session: Session, shopify_shop: Shop, store: FakeStore
) -> None:
    now = datetime.now(UTC)
    started = now - timedelta(days=20)
    auth = {"Authorization": f"Bearer {session_token(shopify_shop.domain)}"}

    # Trial: Starter chosen 20 days ago and approved; inside the trial usage stops at the limit
    store.billing.now = lambda: started
    with app.app_context():
        url = shopify_billing.subscribe(
            session,
            shopify_shop,
            get_plan("starter"),
            BillingInterval.MONTH,
            app.config,
            started,
        )
        assert "/confirm_recurring_application_charge" in url
        store.billing.approve(store.billing.latest()["id"])
        shopify_billing.sync_active(session, shopify_shop, app.config, started + timedelta(hours=1))
    session.commit()
    shop = _fresh(session, shopify_shop)
    in_trial = started + timedelta(days=2)
    assert _row(session, shop).status is SubscriptionStatus.TRIALING
    assert quota.effective_plan(session, shop, in_trial).key == "starter"
    assert quota.allowance(session, shop, AI, in_trial).unit_overage_price is None

    # Paid: the trial is over; Shopify still reports the subscription active
    page = client.get(f"/admin/billing?charge_id=1&id_token={session_token(shop.domain)}")
    assert page.status_code == 200
    assert _row(session, shop).status is SubscriptionStatus.ACTIVE

    # Over quota: 5 generations past Starter's 200 are billed as a usage charge
    quota.reserve(session, shop, AI, "gens", quantity=200)
    quota.reserve(session, shop, AI, "gens-over", quantity=5)
    session.commit()
    with app.app_context():
        assert report_usage(shop.id) == {"reported": 1, "skipped": 0}
    [charge] = store.billing.usage_records
    assert charge["price"] == {"amount": "0.40", "currencyCode": "USD"}

    # Failed payment: Shopify freezes the subscription; the plan holds for the grace period
    sub = store.billing.set_status(_row(session, shop).external_id or "", "FROZEN")
    body = {
        "app_subscription": {
            "admin_graphql_api_id": sub["id"],
            "name": "Starter",
            "status": "FROZEN",
            "updated_at": (now + timedelta(minutes=1)).isoformat(),
        }
    }
    deliver(client, "app_subscriptions/update", body, shop=shop.domain)
    run_jobs(app)
    row = _row(session, shop)
    assert row.status is SubscriptionStatus.PAST_DUE
    assert quota.effective_plan(session, shop, now + timedelta(days=6)).key == "starter"

    # Grace over: the free plan's limits apply (10 generations, no overage)
    after_grace = now + timedelta(days=8)
    assert quota.effective_plan(session, shop, after_grace).key == "free"
    limits = quota.allowance(session, shop, AI, after_grace)
    assert (limits.included, limits.unit_overage_price) == (10, None)

    # Downgrade: the merchant picks Free; Luneo cancels the subscription at Shopify
    answer = client.post("/api/admin/billing/subscribe", json={"plan": "free"}, headers=auth)
    assert answer.get_json() == {"plan": "free", "redirect_url": None}
    assert store.billing.subscriptions[sub["id"]]["status"] == "CANCELLED"
    assert _row(session, shop).status is SubscriptionStatus.CANCELLED
    assert _fresh(session, shop).plan == "free"


def test_a_woocommerce_shop_from_trial_to_downgrade(
    app: Flask,
    client: FlaskClient,
    session: Session,
    woo_shop: Shop,
    stripe_fake: FakeStripe,
) -> None:
    now = int(time.time())
    day = 86400
    with client.session_transaction() as cookie:
        cookie["shop_id"] = woo_shop.id
        cookie["admin_csrf"] = CSRF
    csrf = {"X-CSRF-Token": CSRF}

    # Trial: Checkout for Starter, then Stripe's events for the new trialing subscription
    answer = client.post("/api/admin/billing/subscribe", json={"plan": "starter"}, headers=csrf)
    [checkout] = stripe_fake.sessions
    assert answer.get_json()["redirect_url"] == checkout["url"]
    assert checkout["input"]["subscription_data"]["trial_period_days"] == "14"
    stripe_fake.add_subscription("sub_w", "cus_w", status="trialing")
    started = now - 15 * day
    completed = {
        **checkout,
        "status": "complete",
        "payment_status": "no_payment_required",
        "customer": "cus_w",
        "subscription": "sub_w",
    }
    completed.pop("input")
    sub = _stripe_subscription(woo_shop, "trialing", started, trial_end=now - day)
    post_event(client, fake_stripe.event("evt_1", "checkout.session.completed", completed, started))
    post_event(
        client, fake_stripe.event("evt_2", "customer.subscription.created", sub, started + 1)
    )
    run_jobs(app)
    shop = _fresh(session, woo_shop)
    row = _row(session, shop)
    assert (row.status, row.plan, row.customer_id) == (
        SubscriptionStatus.TRIALING,
        "starter",
        "cus_w",
    )

    # Paid: the trial ends, the first invoice is paid
    active = _stripe_subscription(woo_shop, "active", now - day, trial_end=now - day)
    post_event(
        client, fake_stripe.event("evt_3", "customer.subscription.updated", active, now - day)
    )
    paid = _invoice("sub_w", amount_paid=1900)
    post_event(client, fake_stripe.event("evt_4", "invoice.paid", paid, now - day + 5))
    run_jobs(app)
    assert _row(session, shop).status is SubscriptionStatus.ACTIVE

    # Over quota: 2 produced orders past Starter's 250 reach Stripe's meter
    quota.reserve(session, shop, ORDERS, "orders", quantity=250)
    quota.reserve(session, shop, ORDERS, "order:over", quantity=2)
    session.commit()
    with app.app_context():
        assert report_usage(shop.id) == {"reported": 1, "skipped": 0}
    assert stripe_fake.meter_total("luneo_produced_orders", "cus_w") == 2

    # Failed payment: grace, then the free plan's limits
    failed = _invoice("sub_w", amount_paid=0)
    post_event(client, fake_stripe.event("evt_5", "invoice.payment_failed", failed, now))
    run_jobs(app)
    assert _row(session, shop).status is SubscriptionStatus.PAST_DUE
    moment = datetime.fromtimestamp(now, UTC)
    assert quota.effective_plan(session, shop, moment + timedelta(days=6)).key == "starter"
    assert quota.effective_plan(session, shop, moment + timedelta(days=8)).key == "free"
    page = client.get("/admin/billing").get_data(as_text=True)
    assert "Your last payment failed" in page

    # Downgrade: Free cancels the Stripe subscription; late and replayed events change nothing
    answer = client.post("/api/admin/billing/subscribe", json={"plan": "free"}, headers=csrf)
    assert answer.get_json() == {"plan": "free", "redirect_url": None}
    assert stripe_fake.subscriptions["sub_w"]["status"] == "canceled"
    post_event(client, fake_stripe.event("evt_4", "invoice.paid", paid, now - day + 5))
    post_event(
        client, fake_stripe.event("evt_6", "customer.subscription.updated", active, now - 60)
    )
    run_jobs(app)
    assert _row(session, shop).status is SubscriptionStatus.CANCELLED
    assert _fresh(session, shop).plan == "free"


def _stripe_subscription(shop: Shop, status: str, start: int, trial_end: int) -> dict:  # type: ignore[type-arg]
    return {
        "id": "sub_w",
        "object": "subscription",
        "customer": "cus_w",
        "status": status,
        "livemode": False,
        "trial_end": trial_end,
        "metadata": {"shop_id": str(shop.id), "plan": "starter", "interval": "month"},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_w",
                    "current_period_start": start,
                    "current_period_end": start + 30 * 86400,
                    "price": {"id": "price_s", "lookup_key": "luneo_starter_month"},
                }
            ],
        },
    }
