"""Webhook deliveries from the fake store through the real app, then the jobs they enqueue.

Deliveries are built as ``WC_Webhook::deliver`` builds them; the bad-signature cases sign with
hmac + base64 here, independently of the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.models import (
    DesignStatus,
    Order,
    Product,
    ProductionJob,
    ProductionStatus,
    ProductStatus,
    Shop,
    ShopScope,
    WebhookEvent,
    WebhookStatus,
)
from app.queue import QUEUE_NAMES, get_queue
from app.webhook_events import dispatch
from tests.factories import make_design, make_product, make_template
from tests.integration.woocommerce.conftest import woo_shop
from tests.support.fake_woocommerce import FakeWooStore
from tests.support.workers import run_jobs


def deliver(client: FlaskClient, store: FakeWooStore, topic: str, resource_id: int) -> TestResponse:
    ((path, body, headers),) = store.deliveries(topic, resource_id)
    return client.post(path, data=body, headers=headers)


def events(session: Session) -> list[WebhookEvent]:
    session.expire_all()
    return list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def queued(session: Session, redis: Redis) -> list[str]:
    """The queued job ids once a worker's dispatcher has handed the recorded events over."""
    dispatch(session, redis)
    return [job_id for name in QUEUE_NAMES for job_id in get_queue(name, redis).job_ids]


def product(session: Session, shop: Shop, external_id: int) -> Product | None:
    session.expire_all()
    return ShopScope(session, shop.id).get_by(Product, external_id=str(external_id))


# ---------------------------------------------------------------------- deliveries
def test_signed_product_update_is_recorded_once_and_synced(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
) -> None:
    mug = store.add_simple("Mug")
    store.update_product(mug["id"], name="Mug, renamed")

    answer = deliver(client, store, "product.updated", mug["id"])

    assert (answer.status_code, answer.json) == (200, {"status": "received"})
    (event,) = events(session)
    assert (event.topic, event.shop_id, event.status) == (
        "product.updated",
        connected.id,
        WebhookStatus.RECEIVED,
    )
    assert set(event.payload) == {"id", "type", "status", "date_modified_gmt"}  # no customer data
    assert queued(session, redis) == [f"woocommerce-webhook-{event.id}"]

    run_jobs(app, "default", "sync")

    synced = product(session, connected, mug["id"])
    assert synced is not None
    assert synced.title == "Mug, renamed"
    assert events(session)[0].status is WebhookStatus.PROCESSED


def test_a_repeated_delivery_changes_nothing(
    client: FlaskClient, redis: Redis, session: Session, store: FakeWooStore, connected: Shop
) -> None:
    mug = store.add_simple("Mug")
    ((path, body, headers),) = store.deliveries("product.created", mug["id"])

    first = client.post(path, data=body, headers=headers)
    second = client.post(path, data=body, headers=headers)

    assert [first.json, second.json] == [{"status": "received"}, {"status": "duplicate"}]
    assert len(events(session)) == 1
    assert len(queued(session, redis)) == 1


def test_without_a_delivery_id_the_body_hash_recognises_a_repeat(
    client: FlaskClient, session: Session, store: FakeWooStore, connected: Shop
) -> None:
    mug = store.add_simple("Mug")
    ((path, body, headers),) = store.deliveries("product.created", mug["id"])
    del headers["X-WC-Webhook-Delivery-ID"]

    client.post(path, data=body, headers=headers)
    client.post(path, data=body, headers=headers)

    (event,) = events(session)
    assert event.delivery_id.startswith(f"{connected.id}:sha256:product.created:")


def _resign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.mark.parametrize("_case", ["other secret", "tampered body", "missing", "hex digest"])
def test_a_badly_signed_delivery_gets_401_and_nothing_happens(
    client: FlaskClient,
    redis: Redis,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
    _case: str,
) -> None:
    mug = store.add_simple("Mug")
    ((path, body, headers),) = store.deliveries("product.updated", mug["id"])
    secret = connected.webhook_secret or ""
    if _case == "other secret":
        headers["X-WC-Webhook-Signature"] = _resign(body, "not-the-secret")
    elif _case == "tampered body":
        body = body.replace(b"Mug", b"Hacked")
    elif _case == "missing":
        del headers["X-WC-Webhook-Signature"]
    else:
        headers["X-WC-Webhook-Signature"] = hmac.new(secret.encode(), body, "sha256").hexdigest()
    before = queued(session, redis)

    answer = client.post(path, data=body, headers=headers)

    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "invalid_signature"
    assert events(session) == []
    assert queued(session, redis) == before


def test_unknown_delivery_paths_get_404(client: FlaskClient, session: Session) -> None:
    answer = client.post("/webhooks/woocommerce/nope", data=b"webhook_id=3")

    assert answer.status_code == 404
    assert events(session) == []


def test_a_topic_luneo_does_not_use_is_recorded_as_ignored(
    client: FlaskClient, redis: Redis, session: Session, connected: Shop
) -> None:
    body = b'{"id":7,"code":"summer"}'
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "coupon.created",
        "X-WC-Webhook-Signature": _resign(body, connected.webhook_secret or ""),
        "X-WC-Webhook-Delivery-ID": "abc",
    }

    answer = client.post(
        f"/webhooks/woocommerce/{connected.extra['webhook_path']}", data=body, headers=headers
    )

    assert answer.json == {"status": "ignored"}
    assert [e.status for e in events(session)] == [WebhookStatus.IGNORED]
    assert queued(session, redis) == []


def test_a_signed_but_deeply_nested_body_gets_400(
    client: FlaskClient, redis: Redis, session: Session, connected: Shop
) -> None:
    body = b'{"id":' + b"[" * 5000 + b"]" * 5000 + b"}"
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "product.updated",
        "X-WC-Webhook-Signature": _resign(body, connected.webhook_secret or ""),
        "X-WC-Webhook-Delivery-ID": "deep",
    }

    answer = client.post(
        f"/webhooks/woocommerce/{connected.extra['webhook_path']}", data=body, headers=headers
    )

    assert (answer.status_code, answer.json["error"]["code"]) == (400, "invalid_json")
    assert events(session) == []
    assert queued(session, redis) == []


# ------------------------------------------------------------------ what the jobs do
def test_a_deleted_product_is_archived(
    app: Flask, client: FlaskClient, session: Session, store: FakeWooStore, connected: Shop
) -> None:
    mug = store.add_simple("Mug")
    deliver(client, store, "product.created", mug["id"])
    run_jobs(app, "default", "sync")
    store.trash_product(mug["id"])

    answer = deliver(client, store, "product.deleted", mug["id"])
    run_jobs(app, "default", "sync")

    assert answer.status_code == 200
    archived = product(session, connected, mug["id"])
    assert archived is not None
    assert archived.status is ProductStatus.ARCHIVED


def test_a_variation_update_syncs_its_parent(
    app: Flask, client: FlaskClient, session: Session, store: FakeWooStore, connected: Shop
) -> None:
    shirt = store.add_variable("Shirt")
    variation = store.variations[shirt["id"]][0]
    variation["price"] = "30.00"
    payload_id = variation["id"]
    store.products[payload_id] = {
        **variation,
        "type": "variation",
        "parent_id": shirt["id"],
        "name": "Shirt - S",
        "status": "publish",
    }
    ((path, body, headers),) = store.deliveries("product.updated", payload_id)
    del store.products[payload_id]

    client.post(path, data=body, headers=headers)
    run_jobs(app, "default", "sync")

    synced = product(session, connected, shirt["id"])
    assert synced is not None
    assert [str(v.price) for v in synced.variants] == ["30.00", "25.00", "26.00"]


def test_an_order_with_a_design_is_linked_and_waits_for_production(
    app: Flask, client: FlaskClient, session: Session, store: FakeWooStore, connected: Shop
) -> None:
    mug = store.add_simple("Mug")
    local = make_product(session, connected, external_id=str(mug["id"]), title="Mug")
    design = make_design(session, make_template(session, local), status=DesignStatus.SAVED)
    session.commit()
    order = store.add_order([store.line(mug, design=design.public_id), store.line(mug)])

    deliver(client, store, "order.created", order["id"])
    run_jobs(app, "default", "sync")

    session.expire_all()
    stored = ShopScope(session, connected.id).get_by(Order, external_id=str(order["id"]))
    assert stored is not None
    assert stored.name == f"#{order['id']}"
    with_design, plain = sorted(stored.items, key=lambda item: item.external_id)
    assert (with_design.design_id, with_design.product_id, plain.design_id) == (
        design.id,
        local.id,
        None,
    )
    jobs = ShopScope(session, connected.id).all(ProductionJob, ProductionJob.id)
    assert [(j.order_item_id, j.status) for j in jobs] == [
        (with_design.id, ProductionStatus.QUEUED)
    ]
    session.refresh(design)
    assert design.status is DesignStatus.ORDERED

    deliver(client, store, "order.updated", order["id"])  # again: nothing new
    run_jobs(app, "default", "sync")
    count = select(func.count()).select_from(ProductionJob)
    assert session.scalar(count) == 1


def test_a_store_answering_401_marks_the_shop_for_reauthorization(
    app: Flask, client: FlaskClient, session: Session, store: FakeWooStore, connected: Shop
) -> None:
    mug = store.add_simple("Mug")
    ((path, body, headers),) = store.deliveries("product.updated", mug["id"])
    store.keys.clear()  # the merchant revoked the key in WooCommerce

    client.post(path, data=body, headers=headers)
    run_jobs(app, "default", "sync")

    shop = woo_shop(session)
    assert shop is not None
    assert shop.needs_reauth is True
    assert shop.extra["sync"]["state"] == "needs_reauth"
    requests_after = [entry for entry in store.log if entry[1] == f"products/{mug['id']}"]
    assert len(requests_after) == 1  # no retry storm
