"""Billing and partner writes are the store owners' (issue #15, item 5).

Each owner-only write of the admin API, for each way of being signed in: a WooCommerce store's
owner and staff (Luneo accounts), and a Shopify session token (Shopify decides which of its
staff open Luneo; charges are approved on Shopify's own page). Staff get 403 ``owner_only`` and
nothing happens: no call to Stripe, no subscription change, no partner row.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.models import (
    Partner,
    Role,
    Shop,
    ShopPartner,
    Subscription,
    SubscriptionStatus,
)
from tests.integration.accounts.conftest import Browser, csrf_of, make_member, make_user
from tests.integration.billing.test_stripe import post_event, subscription_object
from tests.support import fake_stripe
from tests.support.fake_stripe import FakeStripe
from tests.support.shopify import session_token
from tests.support.workers import run_jobs

# (method, path, JSON body): every owner-only write of the admin API
OWNER_WRITES = [
    ("POST", "/api/admin/billing/subscribe", {"plan": "free"}),
    ("POST", "/api/admin/billing/subscribe", {"plan": "pro", "interval": "year"}),
    ("POST", "/api/admin/billing/portal", None),
    ("POST", "/api/admin/fulfilment/partners", {"kind": "own", "name": "X", "email": "x@x.test"}),
    ("POST", "/api/admin/fulfilment/partners", {"partner_id": "{network_id}"}),
    ("DELETE", "/api/admin/fulfilment/partners/{linked_id}", None),
    ("PUT", "/api/admin/settings/order-edits", {"mode": "hours", "hours": 6}),
]


@pytest.fixture
def outbox(app: Flask) -> ConsoleMailer:
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    return mailer


@pytest.fixture
def paying_woo_shop(
    app: Flask, client: FlaskClient, session: Session, woo_shop: Shop, stripe_fake: FakeStripe
) -> Shop:
    """A WooCommerce store on an active Stripe subscription, a linked and a network partner."""
    stripe_fake.add_subscription("sub_1", "cus_woo1")
    sub = subscription_object(woo_shop, "active")
    event = fake_stripe.event("evt_c", "customer.subscription.created", sub, 1)
    assert post_event(client, event).status_code == 200
    run_jobs(app)
    for name in ("Linked Print", "Network Print"):
        session.add(Partner(name=name, email=f"{name[:4].lower()}@print.test", kind="network"))
    session.flush()
    linked = session.scalars(select(Partner).where(Partner.name == "Linked Print")).one()
    session.add(ShopPartner(shop_id=woo_shop.id, partner_id=linked.id))
    session.commit()
    return woo_shop


def _ids(session: Session) -> dict[str, int]:
    partners = {p.name: p.id for p in session.scalars(select(Partner))}
    return {"linked_id": partners["Linked Print"], "network_id": partners["Network Print"]}


def _body(body: Any, ids: dict[str, int]) -> Any:
    if isinstance(body, dict) and body.get("partner_id") == "{network_id}":
        return {"partner_id": ids["network_id"]}
    return body


def _member_browser(
    app: Flask, session: Session, shop: Shop, role: Role, outbox: ConsoleMailer
) -> tuple[Browser, dict[str, str]]:
    email = f"{role.value}@shop.test"
    make_member(session, make_user(session, email), shop, role)
    session.commit()
    browser = Browser(app.test_client(), outbox)
    assert browser.sign_in(email).status_code == 302
    return browser, {"X-CSRF-Token": csrf_of(browser.client.get("/admin/").text)}


def _state(session: Session, shop_id: int) -> tuple[Any, ...]:
    session.expire_all()
    subs = [(s.external_id, s.status) for s in session.scalars(select(Subscription))]
    partners = session.scalar(select(func.count()).select_from(Partner))
    links = sorted(
        session.scalars(select(ShopPartner.partner_id).where(ShopPartner.shop_id == shop_id))
    )
    return subs, partners, links


@pytest.mark.parametrize(("method", "path", "body"), OWNER_WRITES)
def test_staff_cannot_make_any_owner_write(
    app: Flask,
    session: Session,
    paying_woo_shop: Shop,
    stripe_fake: FakeStripe,
    outbox: ConsoleMailer,
    method: str,
    path: str,
    body: Any,
) -> None:
    staff, headers = _member_browser(app, session, paying_woo_shop, Role.STAFF, outbox)
    ids = _ids(session)
    before, calls_before = _state(session, paying_woo_shop.id), len(stripe_fake.requests)

    answer = staff.client.open(
        path.format(**ids), method=method, json=_body(body, ids), headers=headers
    )

    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "owner_only"
    assert len(stripe_fake.requests) == calls_before  # Stripe was not called
    assert _state(session, paying_woo_shop.id) == before
    assert [m for m in outbox.outbox if m.to == "x@x.test"] == []


@pytest.mark.parametrize(("method", "path", "body"), OWNER_WRITES)
def test_owners_make_every_owner_write(
    app: Flask,
    session: Session,
    paying_woo_shop: Shop,
    outbox: ConsoleMailer,
    method: str,
    path: str,
    body: Any,
) -> None:
    owner, headers = _member_browser(app, session, paying_woo_shop, Role.OWNER, outbox)
    ids = _ids(session)

    answer = owner.client.open(
        path.format(**ids), method=method, json=_body(body, ids), headers=headers
    )

    assert answer.status_code in (200, 201), answer.json


def test_the_staff_downgrade_of_the_issue_no_longer_cancels_the_subscription(
    app: Flask,
    session: Session,
    paying_woo_shop: Shop,
    stripe_fake: FakeStripe,
    outbox: ConsoleMailer,
) -> None:
    staff, headers = _member_browser(app, session, paying_woo_shop, Role.STAFF, outbox)

    answer = staff.client.post(
        "/api/admin/billing/subscribe", json={"plan": "free"}, headers=headers
    )

    assert answer.status_code == 403
    assert [r for r in stripe_fake.requests if r[0] == "DELETE"] == []
    session.expire_all()
    [row] = session.scalars(select(Subscription)).all()
    assert row.status is SubscriptionStatus.ACTIVE
    assert session.get_one(Shop, paying_woo_shop.id).plan == "pro"


def test_staff_see_the_billing_and_partner_pages_without_the_owner_buttons(
    app: Flask, session: Session, paying_woo_shop: Shop, outbox: ConsoleMailer
) -> None:
    staff, _ = _member_browser(app, session, paying_woo_shop, Role.STAFF, outbox)

    billing = staff.client.get("/admin/billing").text
    partners = staff.client.get("/admin/partners").text

    assert "data-owner-only" in billing
    assert "data-choose" not in billing
    assert "data-portal" not in billing
    assert "data-owner-only" in partners
    assert "admin_partners.create_partner" not in partners
    assert "/api/admin/fulfilment/partners" not in partners


def test_owners_see_the_buttons(
    app: Flask, session: Session, paying_woo_shop: Shop, outbox: ConsoleMailer
) -> None:
    owner, _ = _member_browser(app, session, paying_woo_shop, Role.OWNER, outbox)

    billing = owner.client.get("/admin/billing").text
    partners = owner.client.get("/admin/partners").text

    assert "data-owner-only" not in billing
    assert "data-choose" in billing
    assert "data-portal" in billing
    assert "/api/admin/fulfilment/partners" in partners


def test_a_shopify_session_token_acts_for_the_shop_as_documented(
    client: FlaskClient, shopify_shop: Shop
) -> None:
    headers = {"Authorization": f"Bearer {session_token(shopify_shop.domain)}"}

    answer = client.post("/api/admin/billing/subscribe", json={"plan": "pro"}, headers=headers)

    assert answer.status_code == 200, answer.json
    assert answer.json["redirect_url"]
