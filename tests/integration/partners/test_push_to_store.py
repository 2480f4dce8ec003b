"""A shipped report reaches the (simulated) store, even when the store is down for a while."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import JobAssignment, Partner, Platform, PushStatus, ShipmentPush, Shop
from app.storage import Storage
from standins.shopify import (
    FakeShopify,
    FakeStore,
    serve,
    upstream_line,
    upstream_order,
    upstream_product,
)
from tests.factories import make_shop
from tests.support.fake_woocommerce import FakeWooStore
from tests.support.pages import technical_details, visible_text
from tests.support.workers import run_jobs

from .conftest import (
    PartnerSetup,
    assign,
    bearer,
    make_partner,
    ready_job,
    route_to,
)

TOKEN = "shpat_" + "c" * 32
SHIPPED = {
    "status": "shipped",
    "carrier": "DHL",
    "tracking_number": "JD014600003828",
    "tracking_url": "https://www.dhl.com/track?id=JD014600003828",
}


@pytest.fixture
def shopify() -> Iterator[FakeShopify]:
    with serve() as server:
        yield server


@pytest.fixture
def woo() -> Iterator[FakeWooStore]:
    fake = FakeWooStore()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        mock.add_passthru(re.compile(r"http://127\.0\.0\.1:\d+/.*"))
        yield fake


@pytest.fixture
def settings(settings: dict[str, Any], shopify: FakeShopify) -> dict[str, Any]:
    return {
        **settings,
        "SHOPIFY_SHOP_ORIGIN": shopify.origin_template,
        "SHOPIFY_MAX_ATTEMPTS": 1,
        "WOOCOMMERCE_MAX_ATTEMPTS": 1,
        "PUSH_RETRY_INTERVALS": "0,0,0",
    }


@pytest.fixture
def partner(session: Session) -> PartnerSetup:
    return make_partner(session, "Print A", "a@print-a.test")


def shopify_job(
    session: Session, storage: Storage, shopify: FakeShopify, partner: Partner
) -> tuple[Shop, JobAssignment, FakeStore]:
    shop = make_shop(session, plan="pro", access_token=TOKEN)
    store = shopify.add_store(FakeStore(shop.domain, TOKEN))
    mug = upstream_product(1)
    line = upstream_line(41, mug)
    store.add_products(mug)
    store.add_orders(upstream_order(9, [line]))
    route_to(session, shop, partner)
    job = ready_job(
        session,
        storage,
        shop,
        order_external_id="gid://shopify/Order/9",
        line_external_id=line["id"],
    )
    assignment = assign(session, job)
    session.commit()
    return shop, assignment, store


def woo_job(
    session: Session, storage: Storage, woo: FakeWooStore, partner: Partner
) -> tuple[Shop, JobAssignment, int]:
    key, secret = woo.issue_keys()
    shop = make_shop(
        session,
        plan="pro",
        platform=Platform.WOOCOMMERCE,
        domain="shop.test",
        api_key=key,
        access_token=secret,
        extra={"store_url": woo.url},
    )
    product = woo.add_simple("Mug")
    order = woo.add_order([woo.line(product, quantity=1)])
    route_to(session, shop, partner)
    job = ready_job(
        session,
        storage,
        shop,
        order_external_id=str(order["id"]),
        line_external_id=str(order["line_items"][0]["id"]),
        quantity=1,
    )
    assignment = assign(session, job)
    session.commit()
    return shop, assignment, order["id"]


def report_shipped(client: FlaskClient, key: str, assignment_id: int) -> None:
    response = client.post(
        f"/partner-api/v1/jobs/{assignment_id}/status", json=SHIPPED, headers=bearer(key)
    )
    assert response.status_code == 200, response.get_json()


def the_push(session: Session) -> ShipmentPush:
    session.expire_all()
    return session.scalars(select(ShipmentPush)).one()


def test_shopify_down_twice_then_the_fulfillment_lands_with_tracking(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    shopify: FakeShopify,
    partner: PartnerSetup,
) -> None:
    _shop, assignment, store = shopify_job(session, storage, shopify, partner.partner)
    store.fail_with = [503, 502]

    report_shipped(client, partner.key, assignment.id)
    assert the_push(session).status is PushStatus.REPORTED  # stored before any push
    run_jobs(app)

    push = the_push(session)
    assert push.status is PushStatus.PUSHED
    assert push.attempts == 3
    assert push.last_error is None
    assert len(store.fulfillments) == 1
    assert store.fulfillments[0]["trackingInfo"] == [
        {
            "number": "JD014600003828",
            "url": "https://www.dhl.com/track?id=JD014600003828",
            "company": "DHL",
        }
    ]
    assert push.fulfillment_ids == {"ids": [store.fulfillments[0]["id"]]}


def test_woocommerce_down_then_the_order_completes_with_a_tracking_note(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    woo: FakeWooStore,
    partner: PartnerSetup,
) -> None:
    _shop, assignment, order_id = woo_job(session, storage, woo, partner.partner)
    woo.failures.extend([(503, {}), (500, {})])

    report_shipped(client, partner.key, assignment.id)
    run_jobs(app)

    push = the_push(session)
    assert push.status is PushStatus.PUSHED
    assert push.attempts == 3
    assert woo.orders[order_id]["status"] == "completed"
    [note] = woo.notes[order_id]
    assert note["customer_note"] is True
    assert "JD014600003828" in note["note"]
    assert "DHL" in note["note"]


def test_a_store_down_past_the_retries_shows_failed_and_the_merchant_retries(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    shopify: FakeShopify,
    partner: PartnerSetup,
) -> None:
    shop, assignment, store = shopify_job(session, storage, shopify, partner.partner)
    store.fail_with = [503] * 4  # one first attempt and three retries

    report_shipped(client, partner.key, assignment.id)
    run_jobs(app)

    push = the_push(session)
    assert push.status is PushStatus.FAILED
    assert "did not answer" in (push.last_error or "")
    assert store.fulfillments == []
    # the partner's report is kept whatever happened to the push
    session.expire_all()
    kept = session.get(JobAssignment, assignment.id)
    assert kept is not None
    assert kept.tracking_number == "JD014600003828"

    # the merchant sees it on the order page, and retries once the store is back
    page = _admin_order_page(client, session, shop, assignment)
    assert 'data-push-status="failed">Not sent to the store<' in page
    # in words, with the raw error one click away
    assert "Couldn't reach Shopify after" in visible_text(page)
    assert "did not answer" not in visible_text(page)
    assert "did not answer" in technical_details(page)
    csrf = re.search(r'name="luneo-csrf" content="([^"]+)"', page)
    assert csrf is not None
    retried = client.post(
        f"/api/admin/fulfilment/pushes/{push.id}/retry", headers={"X-CSRF-Token": csrf.group(1)}
    )
    assert retried.status_code == 200
    run_jobs(app)

    assert the_push(session).status is PushStatus.PUSHED
    assert len(store.fulfillments) == 1
    page = _admin_order_page(client, session, shop, assignment)
    assert 'data-push-status="pushed">Sent to the store<' in page
    for action in (
        "status_shipped",
        "push_started",
        "push_retrying",
        "push_failed",
        "push_retry",
        "push_done",
    ):
        assert f'data-event="{action}"' in page


def _admin_order_page(
    client: FlaskClient, session: Session, shop: Shop, assignment: JobAssignment
) -> str:
    from app.models import OrderItem, ProductionJob

    page = client.get("/dev/")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    assert token is not None
    client.post(
        "/dev/sign-in", data={"csrf_token": token.group(1).decode(), "shop_id": str(shop.id)}
    )
    job = session.get(ProductionJob, assignment.production_job_id)
    assert job is not None
    item = session.get(OrderItem, job.order_item_id)
    assert item is not None
    response = client.get(f"/admin/orders/{item.order_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_shipment_push_renews_an_expiring_shopify_token_first(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    shopify: FakeShopify,
    partner: PartnerSetup,
) -> None:
    from datetime import UTC, datetime

    shop, assignment, store = shopify_job(session, storage, shopify, partner.partner)
    store.client = (app.config["SHOPIFY_API_KEY"], app.config["SHOPIFY_API_SECRET"])
    store.scope = shop.scopes
    access, refresh = store.expiring_grant(expires_in=2)  # the install's hour is nearly over
    assert store.token_expires_at is not None
    shop.access_token, shop.refresh_token = access, refresh
    shop.token_expires_at = datetime.fromtimestamp(store.token_expires_at, UTC)
    session.commit()

    report_shipped(client, partner.key, assignment.id)
    run_jobs(app)

    push = the_push(session)
    assert push.status is PushStatus.PUSHED, push.last_error
    assert push.attempts == 1
    assert [r["status"] for r in store.token_requests] == [200]
    assert len(store.fulfillments) == 1
    session.expire_all()
    row = session.get(Shop, shop.id)
    assert row is not None
    assert (row.access_token, row.refresh_token) == (store.token, *store.refresh_tokens)
