"""Tracking after "Shipped" (issue #21): shown with a safe link, corrected by the partner (API
and portal) or the merchant (staff too), audited, and pushed to the store once per change."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.models import (
    AuditEvent,
    JobAssignment,
    OrderItem,
    ProductionJob,
    PushStatus,
    Role,
    TrackingUpdate,
)
from app.storage import Storage
from standins.shopify import FakeShopify, serve
from tests.integration.accounts.conftest import Browser, make_member, make_user
from tests.integration.accounts.conftest import csrf_of as page_csrf
from tests.support.fake_woocommerce import FakeWooStore
from tests.support.workers import run_jobs

from .conftest import PartnerSetup, World, bearer, csrf_of, make_partner, portal_login
from .test_push_to_store import report_shipped, shopify_job, woo_job

FIXED = {
    "carrier": "UPS",
    "tracking_number": "1Z999AA10123456784",
    "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
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


def patch(client: FlaskClient, key: str, job_id: int, body: Any) -> Any:
    return client.patch(f"/partner-api/v1/jobs/{job_id}/tracking", json=body, headers=bearer(key))


def updates(session: Session) -> list[TrackingUpdate]:
    session.expire_all()
    return list(session.scalars(select(TrackingUpdate).order_by(TrackingUpdate.id)))


def test_a_partner_corrects_shopify_tracking_and_the_fulfillment_follows_once(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    shopify: FakeShopify,
    partner: PartnerSetup,
) -> None:
    _shop, assignment, store = shopify_job(session, storage, shopify, partner.partner)
    report_shipped(client, partner.key, assignment.id)
    run_jobs(app)
    (fulfillment,) = store.fulfillments
    store.fail_with = [503]  # the store is down once: the update is retried

    answer = patch(client, partner.key, assignment.id, FIXED)
    again = patch(client, partner.key, assignment.id, FIXED)  # a client retrying
    run_jobs(app)

    assert answer.status_code == again.status_code == 200, answer.get_json()
    assert answer.get_json()["job"]["shipment"]["tracking_number"] == FIXED["tracking_number"]
    (update,) = updates(session)
    assert update.status is PushStatus.PUSHED
    assert update.attempts == 2
    assert fulfillment["trackingInfo"] == [
        {"number": FIXED["tracking_number"], "url": FIXED["tracking_url"], "company": "UPS"}
    ]
    (sent,) = store.tracking_updates
    assert sent["fulfillmentId"] == fulfillment["id"]
    assert sent["notifyCustomer"] is True
    job = session.get(ProductionJob, assignment.production_job_id)
    assert job is not None
    assert job.tracking_number == FIXED["tracking_number"]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "tracking_corrected")
    ).one()
    assert event.actor_type == "api_key"
    assert event.detail["before"]["number"] == "JD014600003828"
    assert event.detail["after"]["number"] == FIXED["tracking_number"]


def test_a_correction_before_the_shipment_reached_the_store_rides_with_it(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    shopify: FakeShopify,
    partner: PartnerSetup,
) -> None:
    _shop, assignment, store = shopify_job(session, storage, shopify, partner.partner)
    report_shipped(client, partner.key, assignment.id)
    assert patch(client, partner.key, assignment.id, FIXED).status_code == 200
    run_jobs(app)

    (fulfillment,) = store.fulfillments
    assert fulfillment["trackingInfo"][0]["number"] == FIXED["tracking_number"]
    assert store.tracking_updates == []
    assert [u.status for u in updates(session)] == [PushStatus.PUSHED]


def test_a_partner_corrects_woocommerce_tracking_in_the_portal(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    woo: FakeWooStore,
    partner: PartnerSetup,
) -> None:
    _shop, assignment, order_id = woo_job(session, storage, woo, partner.partner)
    report_shipped(client, partner.key, assignment.id)
    run_jobs(app)
    portal_login(client, "a@print-a.test")
    page = client.get(f"/partners/jobs/{assignment.id}").get_data(as_text=True)
    assert 'href="https://www.dhl.com/track?id=JD014600003828"' in page
    token = csrf_of(client, f"/partners/jobs/{assignment.id}")

    refused = client.post(f"/partners/jobs/{assignment.id}/tracking", data=FIXED)
    saved = client.post(
        f"/partners/jobs/{assignment.id}/tracking", data={**FIXED, "csrf_token": token}
    )
    run_jobs(app)

    assert refused.status_code in (400, 403)
    assert saved.status_code == 302
    shipped_note, fixed_note = woo.notes[order_id]
    assert "JD014600003828" in shipped_note["note"]
    assert FIXED["tracking_number"] in fixed_note["note"]
    assert fixed_note["customer_note"] is True
    meta = {m["key"]: m["value"] for m in woo.orders[order_id]["meta_data"]}
    line = str(woo.orders[order_id]["line_items"][0]["id"])
    assert meta["_luneo_tracking"][line]["number"] == FIXED["tracking_number"]
    page = client.get(f"/partners/jobs/{assignment.id}").get_data(as_text=True)
    assert f'href="{FIXED["tracking_url"]}"' in page
    assert "tracking_corrected" in page or "racking corrected" in page  # the history row
    listing = client.get("/partners/").get_data(as_text=True)
    assert FIXED["tracking_number"] in listing


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FIXED, "tracking_url": "javascript:alert(1)"}, "tracking_url"),
        ({**FIXED, "tracking_url": "www.ups.com/track"}, "tracking_url"),
        ({**FIXED, "tracking_number": "  "}, "tracking_number"),
        ({"tracking_number": "1Z"}, "carrier"),
        ({**FIXED, "carrier": 7}, "carrier"),
    ],
)
def test_bad_tracking_is_refused_naming_the_field(
    client: FlaskClient, session: Session, world: World, body: dict[str, Any], field: str
) -> None:
    job = world.jobs_a[0]
    shipped = {"status": "shipped", "carrier": "DHL", "tracking_number": "JD1"}
    client.post(f"/partner-api/v1/jobs/{job.id}/status", json=shipped, headers=bearer(world.a.key))

    answer = patch(client, world.a.key, job.id, body)

    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_tracking"
    assert field in error.get("fields", {})
    assert session.scalar(select(func.count()).select_from(TrackingUpdate)) == 0


def test_another_partners_job_is_not_found_and_an_unshipped_one_is_a_conflict(
    client: FlaskClient, session: Session, world: World
) -> None:
    theirs, ours = world.jobs_b[0], world.jobs_a[0]
    assert patch(client, world.a.key, theirs.id, FIXED).status_code == 404
    assert patch(client, world.a.key, 2_000_000_000, FIXED).status_code == 404
    unshipped = patch(client, world.a.key, ours.id, FIXED)
    assert unshipped.status_code == 409
    assert unshipped.get_json()["error"]["code"] == "not_shipped"
    portal_login(client, "a@print-a.test")
    token = csrf_of(client)
    page = client.post(f"/partners/jobs/{theirs.id}/tracking", data={**FIXED, "csrf_token": token})
    assert page.status_code == 404
    session.expire_all()
    assert session.get(JobAssignment, theirs.id).tracking_number is None  # type: ignore[union-attr]


def _ship_in_db(session: Session, assignment: JobAssignment, url: str) -> None:
    from app.models import AssignmentStatus

    assignment.status = AssignmentStatus.SHIPPED
    assignment.carrier, assignment.tracking_number, assignment.tracking_url = ("DHL", "JD1", url)
    session.commit()


def _order_id(session: Session, assignment: JobAssignment) -> int:
    job = session.get(ProductionJob, assignment.production_job_id)
    assert job is not None
    item = session.get(OrderItem, job.order_item_id)
    assert item is not None
    return item.order_id


def test_staff_correct_tracking_on_the_order_page_and_unsafe_links_stay_text(
    app: Flask, session: Session, world: World, outbox: ConsoleMailer, redis: Redis
) -> None:
    shop, assignment = world.shops[0], world.jobs_a[0]
    other = world.jobs_b[0]  # another shop's job
    _ship_in_db(session, assignment, "javascript:alert(1)")
    make_member(session, make_user(session, "staff@one.test"), shop, Role.STAFF)
    session.commit()
    staff = Browser(app.test_client(), outbox)
    assert staff.sign_in("staff@one.test").status_code == 302

    page = staff.client.get(f"/admin/orders/{_order_id(session, assignment)}").text
    assert 'href="javascript:' not in page
    assert "data-tracking-url>javascript:alert(1)<" in page
    assert "data-tracking-fix" in page
    headers = {"X-CSRF-Token": page_csrf(page)}
    url = f"/api/admin/fulfilment/jobs/{assignment.id}/tracking"

    unguarded = staff.client.post(url, json=FIXED)
    bad = staff.client.post(url, json={**FIXED, "tracking_url": "ftp://x.test/1"}, headers=headers)
    foreign = staff.client.post(
        f"/api/admin/fulfilment/jobs/{other.id}/tracking", json=FIXED, headers=headers
    )
    saved = staff.client.post(url, json=FIXED, headers=headers)

    assert unguarded.status_code == 403
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"]["tracking_url"]
    assert foreign.status_code == 404
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["update"] == "reported"
    page = staff.client.get(f"/admin/orders/{_order_id(session, assignment)}").text
    assert f'href="{FIXED["tracking_url"]}"' in page
    assert 'data-event="tracking_corrected"' in page
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "tracking_corrected")
    ).one()
    assert event.actor_type == "merchant"
    assert event.partner_id == world.a.partner.id  # the partner sees who changed it


def test_a_store_refusing_the_update_fails_it_and_saving_again_retries(
    app: Flask,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    shopify: FakeShopify,
    partner: PartnerSetup,
) -> None:
    _shop, assignment, store = shopify_job(session, storage, shopify, partner.partner)
    report_shipped(client, partner.key, assignment.id)
    run_jobs(app)
    (fulfillment,) = store.fulfillments
    store.fulfillments.clear()  # the merchant deleted it in Shopify: a user error, not retried

    assert patch(client, partner.key, assignment.id, FIXED).status_code == 200
    run_jobs(app)
    (failed,) = updates(session)
    assert failed.status is PushStatus.FAILED
    assert "Fulfillment not found" in (failed.last_error or "")

    store.fulfillments.append(fulfillment)  # back: the same tracking saved again is retried
    assert patch(client, partner.key, assignment.id, FIXED).status_code == 200
    run_jobs(app)
    assert [u.status for u in updates(session)] == [PushStatus.FAILED, PushStatus.PUSHED]
    assert fulfillment["trackingInfo"][0]["number"] == FIXED["tracking_number"]
