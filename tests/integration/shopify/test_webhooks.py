"""The Shopify webhook receiver through the real app, with deliveries signed here as Shopify
documents it: base64 HMAC-SHA256 of the raw body, keyed with the app's client secret, in
``X-Shopify-Hmac-Sha256`` (computed with hmac/base64 directly, not with the code under test)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import tomllib
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.models import (
    BillingProvider,
    Shop,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookStatus,
)
from app.queue import QUEUE_NAMES, JobSpec, enqueue, get_queue
from app.webhook_events import dispatch
from tests.conftest import SHOPIFY_API_SECRET
from tests.factories import make_shop
from tests.support.workers import run_jobs

REPO = Path(__file__).resolve().parents[3]
SHOP = "example.myshopify.com"

# Shopify's example orders/create body, trimmed; the customer fields are what must not be kept.
ORDER = {
    "id": 820982911946154508,
    "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
    "email": "jon@example.com",
    "updated_at": "2026-07-01T12:00:00-04:00",
    "customer": {"id": 115310627314723954, "email": "john@example.com"},
    "shipping_address": {"name": "Steve Shipper", "address1": "123 Shipping Street"},
}


# ---------------------------------------------------------------- Shopify, as documented
def sign(body: bytes, secret: str = SHOPIFY_API_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify_headers(
    topic: str, body: bytes, *, shop: str = SHOP, event_id: str | None = None, **extra: str
) -> dict[str, str]:
    """The headers of an HTTPS delivery, a fresh webhook and event id unless given."""
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": "2026-07-01T16:00:00.000000000Z",
    }
    headers.update(extra)
    return headers


def deliver(
    client: FlaskClient,
    topic: str,
    payload: dict[str, Any] | bytes,
    *,
    headers: dict[str, str] | None = None,
    **options: Any,
) -> TestResponse:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    sent = headers if headers is not None else shopify_headers(topic, body, **options)
    return client.post("/webhooks/shopify", data=body, headers=sent)


# ---------------------------------------------------------------------------- helpers
def events(session: Session) -> list[WebhookEvent]:
    session.expire_all()
    return list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def queued(session: Session, redis: Redis, queue: str = "default") -> list[Job]:
    """The jobs on ``queue`` once a worker's dispatcher has handed the recorded events over
    (the receiver itself only commits the row)."""
    dispatch(session, redis)
    return [j for j in get_queue(queue, redis).get_jobs() if j is not None]


def all_queued(session: Session, redis: Redis) -> int:
    dispatch(session, redis)
    return sum(get_queue(name, redis).count for name in QUEUE_NAMES)


@pytest.fixture
def shop(session: Session) -> Shop:
    shop = make_shop(session, domain=SHOP)
    session.commit()
    return shop


# ------------------------------------------------------------------------- recording
def test_signed_delivery_is_recorded_and_one_job_enqueued(
    client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    headers = shopify_headers("orders/create", json.dumps(ORDER).encode(), event_id="evt-1")

    response = deliver(client, "orders/create", ORDER, headers=headers)

    assert response.status_code == 200
    assert response.json == {"status": "received"}
    [event] = events(session)
    assert (event.shop_id, event.shop_domain, event.topic) == (shop.id, SHOP, "orders/create")
    assert event.delivery_id == "event:orders/create:evt-1"
    assert event.status is WebhookStatus.RECEIVED
    # Only the ids are kept: the body's customer data never reaches the database.
    assert event.payload == {
        "id": ORDER["id"],
        "admin_graphql_api_id": ORDER["admin_graphql_api_id"],
        "updated_at": ORDER["updated_at"],
    }
    [job] = queued(session, redis)
    assert (job.id, job.func_name, job.args) == (
        f"shopify-webhook-{event.id}",
        "jobs.shopify_events.order_changed",
        (event.id,),
    )
    assert all_queued(session, redis) == 1


@pytest.mark.parametrize(
    ("_case", "same"),
    [
        ("a retry of the same delivery", {"X-Shopify-Webhook-Id", "X-Shopify-Event-Id"}),
        ("the same event on another subscription", {"X-Shopify-Event-Id"}),
    ],
)
def test_repeated_delivery_changes_nothing(
    client: FlaskClient, session: Session, redis: Redis, shop: Shop, _case: str, same: set[str]
) -> None:
    body = json.dumps(ORDER).encode()
    first = shopify_headers("orders/create", body)
    again = {**shopify_headers("orders/create", body), **{k: first[k] for k in same}}
    assert deliver(client, "orders/create", body, headers=first).status_code == 200
    before = [(e.id, e.status, e.payload, e.received_at) for e in events(session)]

    response = deliver(client, "orders/create", body, headers=again)

    assert response.status_code == 200
    assert response.json == {"status": "duplicate"}
    assert [(e.id, e.status, e.payload, e.received_at) for e in events(session)] == before
    assert len(before) == 1
    assert all_queued(session, redis) == 1


def test_same_event_id_on_another_topic_is_its_own_delivery(
    client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    deliver(client, "orders/create", ORDER, event_id="evt-7")

    response = deliver(client, "orders/updated", ORDER, event_id="evt-7")

    assert response.json == {"status": "received"}
    assert [e.topic for e in events(session)] == ["orders/create", "orders/updated"]
    assert all_queued(session, redis) == 2


def test_delivery_without_event_id_is_deduplicated_on_its_webhook_id(
    client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    body = json.dumps(ORDER).encode()
    headers = shopify_headers("orders/create", body)
    del headers["X-Shopify-Event-Id"]

    deliver(client, "orders/create", body, headers=headers)
    response = deliver(client, "orders/create", body, headers=headers)

    assert response.json == {"status": "duplicate"}
    assert [e.delivery_id for e in events(session)] == [
        f"webhook:{headers['X-Shopify-Webhook-Id']}"
    ]
    assert all_queued(session, redis) == 1


# ---------------------------------------------------------------------- refused deliveries
def _bad_signature(case: str, body: bytes) -> dict[str, str]:
    headers = shopify_headers("customers/redact", body)
    if case == "missing":
        del headers["X-Shopify-Hmac-Sha256"]
    elif case == "wrong secret":
        headers["X-Shopify-Hmac-Sha256"] = sign(body, "shpss_" + secrets.token_hex(16))
    elif case == "another body":
        headers["X-Shopify-Hmac-Sha256"] = sign(body + b" ")
    elif case == "hex instead of base64":
        digest = hmac.new(SHOPIFY_API_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Shopify-Hmac-Sha256"] = digest
    elif case == "empty":
        headers["X-Shopify-Hmac-Sha256"] = ""
    return headers


@pytest.mark.parametrize(
    "_case", ["missing", "wrong secret", "another body", "hex instead of base64", "empty"]
)
@pytest.mark.parametrize("topic", ["customers/redact", "orders/create", "shop/redact"])
def test_delivery_without_a_valid_hmac_gets_401_and_nothing_happens(
    client: FlaskClient, session: Session, redis: Redis, shop: Shop, _case: str, topic: str
) -> None:
    body = json.dumps({"shop_id": 954889, "shop_domain": SHOP}).encode()
    headers = {**_bad_signature(_case, body), "X-Shopify-Topic": topic}

    response = deliver(client, topic, body, headers=headers)

    assert response.status_code == 401
    assert response.json is not None
    assert response.json["error"]["code"] == "invalid_hmac"
    assert events(session) == []
    assert all_queued(session, redis) == 0


def test_hmac_is_checked_before_the_body_is_parsed(
    client: FlaskClient, session: Session, redis: Redis
) -> None:
    body = b"{not json"
    headers = {**shopify_headers("orders/create", body), "X-Shopify-Hmac-Sha256": sign(b"{}")}

    response = deliver(client, "orders/create", body, headers=headers)

    assert response.status_code == 401
    assert events(session) == []


@pytest.mark.parametrize(("_case", "body"), [("malformed", b'{"id": 1'), ("not an object", b"[1]")])
def test_signed_body_that_is_not_a_json_object_gets_400(
    client: FlaskClient, session: Session, redis: Redis, shop: Shop, _case: str, body: bytes
) -> None:
    response = deliver(client, "orders/create", body)

    assert response.status_code == 400
    assert response.json is not None
    assert response.json["error"]["code"] == "invalid_json"
    assert events(session) == []
    assert all_queued(session, redis) == 0


def test_signed_delivery_without_topic_gets_400(
    client: FlaskClient, session: Session, redis: Redis
) -> None:
    body = b"{}"
    headers = shopify_headers("orders/create", body)
    del headers["X-Shopify-Topic"]

    response = deliver(client, "orders/create", body, headers=headers)

    assert response.status_code == 400
    assert events(session) == []


# ------------------------------------------------------------------- topics and shops
def test_unknown_topic_is_recorded_as_ignored_and_answered_200(
    client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    response = deliver(client, "collections/create", {"id": 1})

    assert response.status_code == 200
    assert response.json == {"status": "ignored"}
    [event] = events(session)
    assert (event.topic, event.status) == ("collections/create", WebhookStatus.IGNORED)
    assert all_queued(session, redis) == 0


def test_delivery_for_an_unknown_shop_is_recorded_without_a_shop(
    client: FlaskClient, session: Session, redis: Redis
) -> None:
    payload = {"shop_id": 954889, "shop_domain": "gone.myshopify.com"}

    response = deliver(client, "shop/redact", payload, shop="gone.myshopify.com")

    assert response.status_code == 200
    [event] = events(session)
    assert (event.shop_id, event.shop_domain) == (None, "gone.myshopify.com")
    assert [j.func_name for j in queued(session, redis)] == ["jobs.privacy.shop_redact"]


def _toml_subscriptions() -> list[tuple[str, str]]:
    config = tomllib.loads((REPO / "shopify.app.toml").read_text())
    pairs = []
    for sub in config["webhooks"]["subscriptions"]:
        for topic in sub.get("topics", []) + sub.get("compliance_topics", []):
            pairs.append((topic, sub["uri"]))
    return pairs


@pytest.mark.parametrize(("topic", "uri"), _toml_subscriptions())
def test_every_subscription_in_the_toml_reaches_a_job(
    client: FlaskClient, session: Session, redis: Redis, shop: Shop, topic: str, uri: str
) -> None:
    # app/uninstalled names its shop in myshopify_domain, the compliance topics in shop_domain
    body = json.dumps({"id": 1, "shop_domain": SHOP, "myshopify_domain": SHOP}).encode()

    response = client.post(uri, data=body, headers=shopify_headers(topic, body))

    assert response.status_code == 200
    assert response.json == {"status": "received"}
    [job] = queued(session, redis)
    assert job.func_name is not None
    assert job.func_name.startswith(("jobs.shopify_events.", "jobs.privacy."))


# ------------------------------------------------------------- products and orders jobs
@pytest.mark.parametrize(
    ("topic", "payload", "func", "job_id", "gid"),
    [
        (
            "products/update",
            {"id": 632910392, "admin_graphql_api_id": "gid://shopify/Product/632910392"},
            "jobs.sync.sync_product",
            "sync-product-{shop}-632910392",
            "gid://shopify/Product/632910392",
        ),
        (
            "products/delete",  # Shopify sends only the id
            {"id": 632910392},
            "jobs.sync.archive_product",
            "archive-product-{shop}-632910392",
            "gid://shopify/Product/632910392",
        ),
        (
            "orders/updated",
            ORDER,
            "jobs.sync.sync_order",
            "sync-order-{shop}-820982911946154508",
            "gid://shopify/Order/820982911946154508",
        ),
    ],
)
def test_resource_webhooks_enqueue_one_narrow_sync_per_burst(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shop: Shop,
    topic: str,
    payload: dict[str, Any],
    func: str,
    job_id: str,
    gid: str,
) -> None:
    for _ in range(3):  # three separate events for the same resource
        assert deliver(client, topic, payload).status_code == 200

    run_jobs(app, "default")

    assert [e.status for e in events(session)] == [WebhookStatus.PROCESSED] * 3
    [job] = queued(session, redis, "sync")
    assert (job.id, job.func_name, job.args) == (job_id.format(shop=shop.id), func, (shop.id, gid))


def test_resource_webhook_for_an_uninstalled_shop_syncs_nothing(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    shop.uninstalled_at = shop.installed_at
    session.commit()
    deliver(client, "products/update", {"id": 1})

    run_jobs(app, "default")

    [event] = events(session)
    assert (event.status, event.error) == (WebhookStatus.IGNORED, "the shop is not installed")
    assert queued(session, redis, "sync") == []


# ------------------------------------------------------------- app_subscriptions/update
def _subscription_payload(status: str, name: str = "Pro") -> dict[str, Any]:
    # Shopify's example app_subscriptions/update body.
    return {
        "app_subscription": {
            "admin_graphql_api_id": "gid://shopify/AppSubscription/1029266947",
            "name": name,
            "status": status,
            "admin_graphql_api_shop_id": "gid://shopify/Shop/690933842",
            "created_at": "2026-07-01T16:17:42-04:00",
            "updated_at": "2026-07-01T16:17:42-04:00",
            "currency": "USD",
            "capped_amount": "20.0",
        }
    }


def _subscription(session: Session) -> Subscription:
    session.expire_all()
    return session.scalars(select(Subscription)).one()


def _created_by_luneo(session: Session, shop: Shop, plan: str = "pro") -> Subscription:
    """The pending row ``shopify_billing.subscribe`` makes when it creates the subscription."""
    row = Subscription(
        shop_id=shop.id,
        plan=plan,
        provider=BillingProvider.SHOPIFY,
        external_id="gid://shopify/AppSubscription/1029266947",
        status=SubscriptionStatus.PENDING,
    )
    session.add(row)
    session.commit()
    return row


@pytest.mark.parametrize(
    ("shopify_status", "ours", "plan"),
    [
        ("PENDING", SubscriptionStatus.PENDING, "free"),
        ("ACTIVE", SubscriptionStatus.ACTIVE, "pro"),
        ("FROZEN", SubscriptionStatus.PAST_DUE, "pro"),  # the grace period keeps the plan
        ("DECLINED", SubscriptionStatus.CANCELLED, "free"),
        ("EXPIRED", SubscriptionStatus.CANCELLED, "free"),
        ("CANCELLED", SubscriptionStatus.CANCELLED, "free"),
    ],
)
def test_subscription_update_sets_the_state_and_the_plan(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shop: Shop,
    shopify_status: str,
    ours: SubscriptionStatus,
    plan: str,
) -> None:
    _created_by_luneo(session, shop)
    deliver(client, "app_subscriptions/update", _subscription_payload(shopify_status))

    run_jobs(app)

    row = _subscription(session)
    assert (row.shop_id, row.provider, row.external_id, row.plan, row.status) == (
        shop.id,
        BillingProvider.SHOPIFY,
        "gid://shopify/AppSubscription/1029266947",
        "pro",
        ours,
    )
    assert session.get(Shop, shop.id).plan == plan  # type: ignore[union-attr]


def test_cancelling_the_active_subscription_returns_the_shop_to_free(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    _created_by_luneo(session, shop)
    deliver(client, "app_subscriptions/update", _subscription_payload("ACTIVE"))
    run_jobs(app)

    deliver(client, "app_subscriptions/update", _subscription_payload("CANCELLED"))
    deliver(client, "app_subscriptions/update", _subscription_payload("ACTIVE"))  # late, stale
    run_jobs(app)

    row = _subscription(session)
    assert row.status is SubscriptionStatus.CANCELLED
    assert row.cancelled_at is not None
    assert session.get(Shop, shop.id).plan == "free"  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(Subscription)) == 1


def test_change_during_a_running_sync_queues_one_follow_up_run(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    # Given a sync of the product that a worker has already started (it may read stale data)
    gid = "gid://shopify/Product/632910392"
    job_id = f"sync-product-{shop.id}-632910392"
    running = enqueue(
        redis, JobSpec("sync", "jobs.sync.sync_product", (shop.id, gid), job_id=job_id)
    )
    get_queue("sync", redis).remove(running)
    running.set_status(JobStatus.STARTED)

    for _ in range(2):
        deliver(client, "products/update", {"id": 632910392, "admin_graphql_api_id": gid})
    run_jobs(app, "default")

    assert [(j.id, j.args) for j in queued(session, redis, "sync")] == [
        (f"{job_id}-next", (shop.id, gid))
    ]
