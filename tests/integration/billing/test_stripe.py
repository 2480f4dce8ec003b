"""WooCommerce merchants through Stripe: Checkout, the portal, signed webhooks, meter events.

Deliveries are signed here as Stripe documents it (``t=<unix>,v1=<hex HMAC-SHA256 of
"{t}.{body}" keyed with the endpoint secret>``), computed with hmac directly; the app verifies
them with the ``stripe`` package. The SDK talks to ``tests.support.fake_stripe`` on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.billing import quota, usage_report
from app.models import (
    BillingEvent,
    BillingProvider,
    Shop,
    Subscription,
    SubscriptionStatus,
    UsageKind,
)
from tests.integration.billing.conftest import WEBHOOK_SECRET
from tests.support import fake_stripe
from tests.support.fake_stripe import FakeStripe
from tests.support.workers import run_jobs

CSRF = "csrf-token-for-tests"


def sign(body: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def post_event(client: FlaskClient, body: bytes, header: str | None = None) -> TestResponse:
    headers = {"Stripe-Signature": header if header is not None else sign(body)}
    return client.post(
        "/webhooks/stripe", data=body, headers=headers, content_type="application/json"
    )


def subscription_object(
    shop: Shop, status: str, plan: str = "pro", sub_id: str = "sub_1", **extra: Any
) -> dict[str, Any]:
    """A Subscription as Stripe sends it (API 2025+: periods on the items)."""
    now = int(time.time())
    obj = {
        "id": sub_id,
        "object": "subscription",
        "customer": "cus_woo1",
        "status": status,
        "livemode": False,
        "metadata": {"shop_id": str(shop.id), "plan": plan, "interval": "month"},
        "trial_end": None,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "current_period_start": now,
                    "current_period_end": now + 30 * 86400,
                    "price": {"id": "price_x", "lookup_key": f"luneo_{plan}_month"},
                }
            ],
        },
    }
    obj.update(extra)
    return obj


def _rows(session: Session) -> list[Subscription]:
    session.expire_all()
    return list(session.scalars(select(Subscription).order_by(Subscription.id)))


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(BillingEvent)) or 0


def _sign_in(client: FlaskClient, shop: Shop) -> dict[str, str]:
    with client.session_transaction() as cookie:
        cookie["shop_id"] = shop.id
        cookie["admin_csrf"] = CSRF
    return {"X-CSRF-Token": CSRF}


# ------------------------------------------------------------------- signatures
def test_the_signature_is_stripes_documented_hmac_known_answer() -> None:
    body = b'{"id":"evt_fixed","object":"event"}'
    header = sign(body, at=1700000000)

    assert header == (
        "t=1700000000,v1=936c953342fee00420b2c88c73caafa1f4296646c3b842be2afe89cbd53d4bc0"
    )
    assert header == fake_stripe.signature(body, WEBHOOK_SECRET, 1700000000)
    assert stripe.WebhookSignature.verify_header(body.decode(), header, WEBHOOK_SECRET, None)


@pytest.mark.parametrize(
    ("_case", "header"),
    [
        ("wrong secret", lambda body: sign(body, secret="whsec_someone_else")),
        ("stale timestamp", lambda body: sign(body, at=int(time.time()) - 301)),
        ("no v1 signature", lambda body: f"t={int(time.time())}"),
        ("tampered body", lambda body: sign(body + b" ")),
        ("no header", lambda body: ""),
    ],
)
def test_an_untrusted_delivery_gets_400_and_changes_nothing(
    client: FlaskClient, session: Session, woo_shop: Shop, _case: str, header: Any
) -> None:
    body = fake_stripe.event(
        "evt_forged",
        "customer.subscription.updated",
        subscription_object(woo_shop, "active"),
        int(time.time()),
    )

    response = post_event(client, body, header(body))

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_signature"
    assert _events(session) == 0
    assert _rows(session) == []


def test_a_delivery_within_the_tolerance_is_accepted(
    app: Flask, client: FlaskClient, session: Session, woo_shop: Shop
) -> None:
    body = fake_stripe.event(
        "evt_ok", "customer.subscription.created", subscription_object(woo_shop, "active"), 1
    )

    response = post_event(client, body, sign(body, at=int(time.time()) - 290))
    run_jobs(app)

    assert (response.status_code, response.get_json()) == (200, {"status": "received"})
    [row] = _rows(session)
    assert (row.provider, row.external_id, row.status, row.plan, row.customer_id) == (
        BillingProvider.STRIPE,
        "sub_1",
        SubscriptionStatus.ACTIVE,
        "pro",
        "cus_woo1",
    )


# ------------------------------------------------------ replays and ordering
def test_a_replayed_event_is_recorded_once_and_changes_nothing(
    app: Flask, client: FlaskClient, session: Session, woo_shop: Shop
) -> None:
    now = int(time.time())
    created = fake_stripe.event(
        "evt_1", "customer.subscription.created", subscription_object(woo_shop, "active"), now
    )
    post_event(client, created)
    run_jobs(app)
    cancel = fake_stripe.event(
        "evt_2", "customer.subscription.deleted", subscription_object(woo_shop, "canceled"), now + 5
    )
    post_event(client, cancel)
    run_jobs(app)

    again = post_event(client, created)  # the same event, re-signed and sent again
    run_jobs(app)

    assert again.get_json() == {"status": "duplicate"}
    assert _events(session) == 2
    [row] = _rows(session)
    assert row.status is SubscriptionStatus.CANCELLED
    assert session.get(Shop, woo_shop.id).plan == "free"  # type: ignore[union-attr]


def test_out_of_order_events_never_take_the_subscription_back(
    app: Flask, client: FlaskClient, session: Session, woo_shop: Shop
) -> None:
    now = int(time.time())
    newer = subscription_object(woo_shop, "past_due")
    older = subscription_object(woo_shop, "active")
    post_event(client, fake_stripe.event("evt_new", "customer.subscription.updated", newer, now))
    run_jobs(app)
    post_event(
        client, fake_stripe.event("evt_old", "customer.subscription.updated", older, now - 60)
    )
    post_event(client, fake_stripe.event("evt_paid_old", "invoice.paid", _invoice(), now - 30))
    run_jobs(app)

    [row] = _rows(session)
    assert row.status is SubscriptionStatus.PAST_DUE
    assert row.state_at == datetime.fromtimestamp(now, UTC)
    stale = session.scalars(select(BillingEvent).where(BillingEvent.event_id != "evt_new")).all()
    assert {(e.status, e.error) for e in stale} == {
        ("ignored", "older than the subscription's current state")
    }


def _invoice(sub_id: str = "sub_1", amount_paid: int = 7900) -> dict[str, Any]:
    """An Invoice as Stripe sends it (API 2025+: the subscription under ``parent``)."""
    return {
        "id": "in_1",
        "object": "invoice",
        "customer": "cus_woo1",
        "amount_paid": amount_paid,
        "billing_reason": "subscription_cycle",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": sub_id, "metadata": {}},
        },
    }


def test_a_failed_payment_starts_the_grace_period_and_a_paid_invoice_ends_it(
    app: Flask, client: FlaskClient, session: Session, woo_shop: Shop
) -> None:
    now = int(time.time())
    sub = subscription_object(woo_shop, "active")
    post_event(client, fake_stripe.event("evt_a", "customer.subscription.created", sub, now))
    post_event(client, fake_stripe.event("evt_f", "invoice.payment_failed", _invoice(), now + 10))
    run_jobs(app)

    [row] = _rows(session)
    assert row.status is SubscriptionStatus.PAST_DUE
    assert row.grace_until == datetime.fromtimestamp(now + 10, UTC) + timedelta(days=7)
    shop = session.get(Shop, woo_shop.id)
    assert shop is not None
    assert quota.effective_plan(session, shop).key == "pro"
    assert quota.effective_plan(session, shop, datetime.now(UTC) + timedelta(days=8)).key == "free"

    post_event(client, fake_stripe.event("evt_p", "invoice.paid", _invoice(), now + 20))
    run_jobs(app)

    [row] = _rows(session)
    assert (row.status, row.grace_until) == (SubscriptionStatus.ACTIVE, None)


def test_a_customer_portal_plan_change_follows_the_price_lookup_key(
    app: Flask, client: FlaskClient, session: Session, woo_shop: Shop
) -> None:
    now = int(time.time())
    sub = subscription_object(woo_shop, "active", plan="starter")
    post_event(client, fake_stripe.event("evt_s", "customer.subscription.created", sub, now))
    changed = subscription_object(woo_shop, "active", plan="enterprise")
    changed["metadata"]["plan"] = "starter"  # metadata keeps what Checkout set
    post_event(
        client, fake_stripe.event("evt_u", "customer.subscription.updated", changed, now + 1)
    )
    run_jobs(app)

    [row] = _rows(session)
    assert row.plan == "enterprise"
    assert session.get(Shop, woo_shop.id).plan == "enterprise"  # type: ignore[union-attr]


def test_unconfigured_webhooks_answer_503(
    settings: dict[str, Any], woo_shop: Shop, client: FlaskClient
) -> None:
    client.application.config["STRIPE_WEBHOOK_SECRET"] = None
    body = fake_stripe.event("evt_x", "invoice.paid", _invoice(), int(time.time()))
    assert post_event(client, body).status_code == 503


# ------------------------------------------------------- checkout and portal
def test_choosing_a_plan_opens_a_subscription_checkout_for_the_shop(
    client: FlaskClient, session: Session, woo_shop: Shop, stripe_fake: FakeStripe
) -> None:
    headers = _sign_in(client, woo_shop)

    response = client.post(
        "/api/admin/billing/subscribe", json={"plan": "pro", "interval": "year"}, headers=headers
    )

    assert response.status_code == 200, response.get_json()
    [checkout] = stripe_fake.sessions
    assert response.get_json() == {"plan": "pro", "redirect_url": checkout["url"]}
    sent = checkout["input"]
    prices = {p["id"]: key for key, p in stripe_fake.prices.items()}
    assert sent["mode"] == "subscription"
    assert sent["client_reference_id"] == str(woo_shop.id)
    assert sent["metadata"] == {"shop_id": str(woo_shop.id), "plan": "pro", "interval": "year"}
    assert sent["subscription_data"] == {
        "metadata": {"shop_id": str(woo_shop.id), "plan": "pro", "interval": "year"},
        "trial_period_days": "14",
    }
    assert sent["customer_email"] == "owner@shop.test"
    assert [(prices[i["price"]], i.get("quantity")) for i in sent["line_items"]] == [
        ("luneo_pro_year", "1"),
        ("luneo_pro_year_ai_overage", None),
        ("luneo_pro_year_order_overage", None),
    ]
    assert sent["success_url"] == "https://luneo.test/admin/billing?checkout=success"


def test_writes_without_the_csrf_token_are_refused(
    client: FlaskClient, woo_shop: Shop, stripe_fake: FakeStripe
) -> None:
    _sign_in(client, woo_shop)
    response = client.post("/api/admin/billing/subscribe", json={"plan": "pro"})
    assert response.status_code == 403
    assert stripe_fake.requests == []


@pytest.mark.parametrize(
    ("_case", "body", "code"),
    [
        ("unknown plan", {"plan": "platinum"}, "invalid"),
        ("bad interval", {"plan": "pro", "interval": "weekly"}, "invalid"),
        ("not an object", ["pro"], "invalid_json"),
    ],
)
def test_bad_choices_get_a_clear_400(
    client: FlaskClient, woo_shop: Shop, stripe_fake: FakeStripe, _case: str, body: Any, code: str
) -> None:
    response = client.post(
        "/api/admin/billing/subscribe", json=body, headers=_sign_in(client, woo_shop)
    )
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, code)
    assert stripe_fake.sessions == []


def test_the_portal_opens_for_the_shops_stripe_customer(
    app: Flask, client: FlaskClient, session: Session, woo_shop: Shop, stripe_fake: FakeStripe
) -> None:
    headers = _sign_in(client, woo_shop)
    missing = client.post("/api/admin/billing/portal", headers=headers)
    assert missing.status_code == 409

    stripe_fake.add_subscription("sub_1", "cus_woo1")
    sub = subscription_object(woo_shop, "active")
    post_event(client, fake_stripe.event("evt_c", "customer.subscription.created", sub, 1))
    run_jobs(app)

    response = client.post("/api/admin/billing/portal", headers=headers)

    [portal] = stripe_fake.portal_sessions
    assert response.get_json() == {"redirect_url": portal["url"]}
    assert (portal["customer"], portal["return_url"]) == (
        "cus_woo1",
        "https://luneo.test/admin/billing",
    )


# ------------------------------------------------------------------ usage
def test_overage_is_sent_as_meter_events_once(
    app: Flask, client: FlaskClient, session: Session, woo_shop: Shop, stripe_fake: FakeStripe
) -> None:
    stripe_fake.add_subscription("sub_1", "cus_woo1")
    sub = subscription_object(woo_shop, "active", plan="starter")
    post_event(client, fake_stripe.event("evt_c", "customer.subscription.created", sub, 1))
    run_jobs(app)
    shop = session.get(Shop, woo_shop.id)
    assert shop is not None
    quota.reserve(session, shop, UsageKind.PRODUCED_ORDER, "orders", quantity=250)
    over = quota.reserve(session, shop, UsageKind.PRODUCED_ORDER, "order:9", quantity=1)
    session.commit()

    with app.app_context():
        first = usage_report.report_shop(session, shop, app.config)
        second = usage_report.report_shop(session, shop, app.config)

    assert (first.reported, second.reported) == (1, 0)
    assert stripe_fake.meter_total("luneo_produced_orders", "cus_woo1") == 1
    [meter_event] = stripe_fake.meter_events.values()
    assert meter_event["identifier"] == f"luneo-usage-{over.id}"
    assert meter_event["payload"] == {"stripe_customer_id": "cus_woo1", "value": "1"}


def test_customer_details_in_an_event_are_not_kept(
    client: FlaskClient, session: Session, woo_shop: Shop
) -> None:
    invoice = {
        **_invoice(),
        "customer_email": "jenny@example.com",
        "customer_name": "Jenny Rosen",
        "customer_address": {"line1": "1 Main St"},
    }
    post_event(client, fake_stripe.event("evt_pii", "invoice.payment_failed", invoice, 1))

    [event] = session.scalars(select(BillingEvent)).all()
    assert event.payload["data"]["object"] == _invoice()


def test_a_paying_shop_changes_plan_in_the_portal_not_in_a_second_checkout(
    app: Flask, client: FlaskClient, session: Session, woo_shop: Shop, stripe_fake: FakeStripe
) -> None:
    stripe_fake.add_subscription("sub_1", "cus_woo1")
    sub = subscription_object(woo_shop, "active", plan="starter")
    post_event(client, fake_stripe.event("evt_c", "customer.subscription.created", sub, 1))
    run_jobs(app)

    response = client.post(
        "/api/admin/billing/subscribe", json={"plan": "pro"}, headers=_sign_in(client, woo_shop)
    )

    assert stripe_fake.sessions == []
    [portal] = stripe_fake.portal_sessions
    assert response.get_json() == {"plan": "pro", "redirect_url": portal["url"]}
    [(_, _, sent)] = [r for r in stripe_fake.requests if r[1] == "/v1/billing_portal/sessions"]
    assert sent["flow_data"]["type"] == "subscription_update"
    assert sent["flow_data"]["subscription_update"] == {"subscription": "sub_1"}
