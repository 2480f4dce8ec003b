"""Webhooks delivered while Redis is down are answered 200 and each processed exactly once after it
comes back (issue 15, item 3). On a real redis-server of the test's own, stopped and restarted
empty (no persistence: the worst outage); Shopify, WooCommerce and Stripe deliveries signed here
as each platform documents it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

import jobs.billing
import jobs.shopify_events
from app import create_app, privacy, webhook_events
from app.billing import stripe_events
from app.db import utcnow
from app.models import BillingEvent, Order, Platform, Shop, WebhookEvent, WebhookStatus
from app.queue import JobSpec, enqueue, get_queue
from app.shopify import events as shopify_events
from app.webhook_events import dispatch, run_event, sweep
from app.woocommerce import events as woocommerce_events
from jobs.schedule import build_scheduler
from jobs.worker import LuneoSimpleWorker, build_worker
from tests.factories import make_order, make_shop
from tests.integration.shopify.test_webhooks import SHOP, shopify_headers
from tests.support.redis_server import RedisServer
from tests.support.workers import run_jobs

STRIPE_SECRET = "whsec_outage_test"
WOO_SECRET = "woo-secret-of-shop-test"
WOO_PATH = "p" * 32
CUSTOMER = {"id": 191167, "email": "john@example.com"}


@pytest.fixture
def server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def settings(settings: dict[str, Any], server: RedisServer) -> dict[str, Any]:
    return {
        **settings,
        "REDIS_URL": server.url,
        "STRIPE_WEBHOOK_SECRET": STRIPE_SECRET,
        "STRIPE_WEBHOOK_TOLERANCE": 300,
    }


@pytest.fixture
def shops(session: Session) -> tuple[Shop, Shop, Order]:
    shopify = make_shop(session, domain=SHOP)
    woo = make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain="shop.test",
        webhook_secret=WOO_SECRET,
        extra={"webhook_path": WOO_PATH},
    )
    order = make_order(session, shopify, customer_ref="191167", email=CUSTOMER["email"])
    session.commit()
    return shopify, woo, order


# ------------------------------------------------------------------ deliveries as documented
def shopify(
    client: FlaskClient, topic: str, payload: dict[str, Any], event_id: str
) -> TestResponse:
    body = json.dumps(payload).encode()
    headers = shopify_headers(topic, body, event_id=event_id)
    return client.post("/webhooks/shopify", data=body, headers=headers)


def woocommerce(client: FlaskClient, product_id: int, delivery_id: str) -> TestResponse:
    body = json.dumps({"id": product_id, "type": "simple", "status": "publish"}).encode()
    digest = hmac.new(WOO_SECRET.encode(), body, hashlib.sha256).digest()
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "product.updated",
        "X-WC-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-WC-Webhook-Delivery-ID": delivery_id,
    }
    return client.post(f"/webhooks/woocommerce/{WOO_PATH}", data=body, headers=headers)


def stripe(client: FlaskClient, event_id: str) -> TestResponse:
    event = {
        "id": event_id,
        "object": "event",
        "type": "customer.subscription.updated",
        "created": int(time.time()),
        "data": {"object": {"id": "sub_unknown", "object": "subscription", "status": "active"}},
    }
    body = json.dumps(event).encode()
    at = int(time.time())
    mac = hmac.new(STRIPE_SECRET.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return client.post(
        "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": f"t={at},v1={mac}", "Content-Type": "application/json"},
    )


# ---------------------------------------------------------------------------- helpers


def run_scheduled_sweep(app: Flask, redis: Redis) -> None:
    """What the cron scheduler does every minute, then a worker: the sweep job, run."""
    scheduler = build_scheduler(redis)
    for cron in scheduler._cron_jobs:
        if cron.func_name == "jobs.webhook_sweep.sweep":
            cron.next_enqueue_time = utcnow() - timedelta(seconds=1)
        else:
            cron.next_enqueue_time = utcnow() + timedelta(days=1)
    scheduler.enqueue_jobs()
    run_jobs(app, "default")


def all_events(session: Session) -> list[WebhookEvent | BillingEvent]:
    session.expire_all()
    hooks = session.scalars(select(WebhookEvent).order_by(WebhookEvent.id))
    return [*hooks, *session.scalars(select(BillingEvent))]


@pytest.fixture
def work_done(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, int]]:
    """How many times each event's work ran, counted in the handlers themselves."""
    done: Counter[tuple[str, int]] = Counter()

    def counting(module: Any, name: str, key: Any) -> None:
        real = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            done[key(*args)] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counting(shopify_events, "_enqueue_sync", lambda _s, event, **_k: ("hook", event.id))
    counting(woocommerce_events, "_enqueue_sync", lambda _s, event, **_k: ("hook", event.id))
    counting(privacy, "_redact_customer", lambda _s, event, _d: ("hook", event.id))
    counting(stripe_events, "handle", lambda _s, event, _g: ("stripe", event.id))
    return done


def _key(row: WebhookEvent | BillingEvent) -> tuple[str, int]:
    return ("stripe" if isinstance(row, BillingEvent) else "hook", row.id)


# ------------------------------------------------------------------------------ tests
@pytest.mark.slow
def test_events_delivered_while_redis_is_down_are_each_processed_once_after_it_returns(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    server: RedisServer,
    shops: tuple[Shop, Shop, Order],
    work_done: Counter[tuple[str, int]],
) -> None:
    shop, woo, order = shops
    # Given Redis is down (the database is fine)
    server.stop()

    # When Shopify, WooCommerce and Stripe deliver: each delivery is answered 200 once recorded
    replies = [
        shopify(client, "products/update", {"id": 1000 + n}, event_id=f"evt-{n}") for n in range(20)
    ]
    redact = {"shop_id": 1, "shop_domain": SHOP, "customer": CUSTOMER, "orders_to_redact": []}
    replies.append(shopify(client, "customers/redact", redact, event_id="evt-redact"))
    replies.append(woocommerce(client, 501, delivery_id="d-1"))
    replies.append(stripe(client, "evt_stripe_1"))
    assert [(r.status_code, r.get_json()) for r in replies] == [(200, {"status": "received"})] * 23
    # and Shopify's retries of the same events (still down) are answered 200 as repeats
    retry = shopify(client, "products/update", {"id": 1000}, event_id="evt-0")
    assert (retry.status_code, retry.get_json()) == (200, {"status": "duplicate"})
    events = all_events(session)
    assert len(events) == 23
    assert {(e.status, e.enqueued_at) for e in events} == {(WebhookStatus.RECEIVED, None)}

    # and a worker's dispatch meanwhile hands nothing over and loses nothing
    assert dispatch(session, redis) is False
    events = all_events(session)
    assert {(e.status, e.enqueued_at) for e in events} == {(WebhookStatus.RECEIVED, None)}

    # Then once Redis is back (empty), a worker's dispatch hands every event over; each is
    # processed exactly once, and the minute's sweep after it finds nothing left to do
    server.start()
    again = shopify(client, "products/update", {"id": 1001}, event_id="evt-1")
    assert (again.status_code, again.get_json()) == (200, {"status": "duplicate"})
    run_jobs(app, "default")
    run_scheduled_sweep(app, redis)
    events = all_events(session)
    assert {e.status for e in events} == {WebhookStatus.PROCESSED, "ignored"}
    assert [e.status for e in events if isinstance(e, BillingEvent)] == ["ignored"]  # not ours
    assert work_done == Counter({_key(e): 1 for e in events})
    assert len(get_queue("sync", redis).job_ids) == 21  # 20 Shopify products, 1 WooCommerce
    session.expire_all()
    redacted = session.get(Order, order.id)
    assert redacted is not None
    assert (redacted.email, redacted.customer_ref) == (None, None)


@pytest.mark.slow
def test_an_event_handed_over_twice_is_processed_once(
    app: Flask,
    client: FlaskClient,
    session: Session,
    redis: Redis,
    shops: tuple[Shop, Shop, Order],
    work_done: Counter[tuple[str, int]],
) -> None:
    # Given an event whose job Redis lost after it was queued (the sweeper hands it over again)
    shopify(client, "products/update", {"id": 77}, event_id="evt-77")
    [event] = all_events(session)
    assert isinstance(event, WebhookEvent)
    redis.flushdb()
    session.execute(
        update(WebhookEvent).values(enqueued_at=utcnow() - timedelta(minutes=10)),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    run_scheduled_sweep(app, redis)

    # When another copy of its job runs as well (a copy that survived, a second sweeper)
    copy = enqueue(
        redis, JobSpec("default", "jobs.shopify_events.product_changed", (event.id,), job_id="c")
    )
    run_jobs(app, "default")

    # Then the work was done once, and the copy found the event taken
    assert work_done == Counter({("hook", event.id): 1})
    assert copy.return_value(refresh=True) == "skipped"
    assert all_events(session)[0].status is WebhookStatus.PROCESSED


def test_a_failed_run_is_claimed_again_by_its_retry_but_a_processed_one_never(
    app: Flask, session: Session, shops: tuple[Shop, Shop, Order]
) -> None:
    shop = shops[0]
    event = WebhookEvent(
        platform=Platform.SHOPIFY,
        shop_id=shop.id,
        shop_domain=shop.domain,
        topic="products/update",
        delivery_id=str(uuid.uuid4()),
        payload={"id": 5},
        status=WebhookStatus.FAILED,
    )
    session.add(event)
    session.commit()
    with app.app_context():
        assert jobs.shopify_events.product_changed(event.id) == "processed"
        assert jobs.shopify_events.product_changed(event.id) == "skipped"


@pytest.mark.slow
def test_two_concurrent_runs_of_one_event_do_its_work_once(settings: dict[str, Any]) -> None:
    """Two workers on the same event at the same moment (a job handed over twice): the second
    waits for the first's claim to commit, then finds the event taken. On a database of its own
    commits (not the test's rolled-back transaction), so two connections really race."""
    racing = create_app(settings)
    db = racing.extensions["luneo.db"]
    domain = f"race-{uuid.uuid4().hex[:8]}.myshopify.com"
    with db.session() as s:
        shop = make_shop(s, domain=domain)
        event = WebhookEvent(
            platform=Platform.SHOPIFY,
            shop_id=shop.id,
            shop_domain=domain,
            topic="products/update",
            delivery_id=f"race:{domain}",
            payload={"id": 1},
        )
        s.add(event)
        s.flush()
        event_id, shop_id = event.id, shop.id
    first_inside, release = threading.Event(), threading.Event()
    worked: list[str] = []
    outcomes: dict[str, str] = {}

    def handler(_session: Session, _event: WebhookEvent) -> WebhookStatus:
        worked.append(threading.current_thread().name)
        first_inside.set()
        release.wait(10)
        return WebhookStatus.PROCESSED

    def run() -> None:
        with racing.app_context():
            outcomes[threading.current_thread().name] = run_event(event_id, handler)

    try:
        first = threading.Thread(target=run, name="first")
        first.start()
        assert first_inside.wait(10)
        second = threading.Thread(target=run, name="second")
        second.start()
        time.sleep(0.5)  # the second run is now at its claim, waiting on the first
        release.set()
        first.join(15)
        second.join(15)
        assert worked == ["first"]
        assert outcomes == {"first": "processed", "second": "skipped"}
    finally:
        release.set()
        with db.session() as s:
            s.execute(delete(WebhookEvent).where(WebhookEvent.id == event_id))
            s.execute(delete(Shop).where(Shop.id == shop_id))
        db.engine.dispose()
        racing.extensions["luneo.redis"].close()


def _record_products(session: Session, shop: Shop, count: int) -> list[int]:
    """``count`` products/update deliveries, committed as the receiver commits them."""
    rows = [
        WebhookEvent(
            platform=Platform.SHOPIFY,
            shop_id=shop.id,
            shop_domain=shop.domain,
            topic="products/update",
            delivery_id=f"dispatch:{shop.domain}:{n}",
            payload={"id": 4000 + n},
        )
        for n in range(count)
    ]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


@pytest.mark.slow
def test_two_dispatchers_racing_hand_each_event_over_once(
    settings: dict[str, Any], work_done: Counter[tuple[str, int]]
) -> None:
    """Two workers' dispatchers at the same moment, on a database of their own commits (so two
    connections really race): each waiting event is taken by one of them, its job is queued
    once, and its work runs once."""
    racing = create_app(settings)
    db = racing.extensions["luneo.db"]
    redis: Redis = racing.extensions["luneo.redis"]
    redis.flushdb()
    domain = f"dispatch-{uuid.uuid4().hex[:8]}.myshopify.com"
    with db.session() as s:
        shop = make_shop(s, domain=domain)
        s.commit()
        ids = _record_products(s, shop, 40)
        shop_id = shop.id
    start = threading.Barrier(2)
    handed: list[int] = []

    def dispatcher() -> None:
        with racing.app_context(), db.session() as s:
            start.wait(10)
            handed.append(sweep(s, redis))

    try:
        threads = [threading.Thread(target=dispatcher) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sum(handed) == len(ids)  # no event taken by both
        assert sorted(get_queue("default", redis).job_ids) == sorted(
            f"shopify-webhook-{event_id}" for event_id in ids
        )
        run_jobs(racing, "default")
        assert work_done == Counter({("hook", event_id): 1 for event_id in ids})
    finally:
        with db.session() as s:
            s.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(ids)))
            s.execute(delete(Shop).where(Shop.id == shop_id))
        redis.flushdb()
        db.engine.dispose()
        redis.close()


def test_a_worker_dispatches_until_nothing_waits_then_once_a_second(
    app: Flask,
    session: Session,
    redis: Redis,
    shops: tuple[Shop, Shop, Order],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given five recorded events and dispatch batches of two
    monkeypatch.setattr(webhook_events, "SWEEP_BATCH", 2)
    ids = _record_products(session, shops[0], 5)
    with app.app_context():
        worker = build_worker(app, ["default"], simple=True)
        assert isinstance(worker, LuneoSimpleWorker)
        # When it dispatches: a full batch is followed at once by the next (more may wait)
        worker.dispatch_events(now=100.0)
        worker.dispatch_events(now=100.0)
        assert len(get_queue("default", redis).job_ids) == 4
        worker.dispatch_events(now=100.0)  # the last one: not a full batch
        assert len(get_queue("default", redis).job_ids) == 5
        # Then a new event waits for the next dispatch, DISPATCH_EVERY later, not sooner
        [late] = _record_products_late(session, shops[0])
        worker.dispatch_events(now=100.5)
        assert f"shopify-webhook-{late}" not in get_queue("default", redis).job_ids
        worker.dispatch_events(now=100.0 + webhook_events.DISPATCH_EVERY)
        assert f"shopify-webhook-{late}" in get_queue("default", redis).job_ids
        # and an idle worker serving ``default`` waits no longer than that for a job
        assert worker.dequeue_timeout <= max(1, webhook_events.DISPATCH_EVERY)
        assert build_worker(app, ["sync"], simple=True).dequeue_timeout > 1  # no dispatch there
    assert len(ids) == 5


def _record_products_late(session: Session, shop: Shop) -> list[int]:
    row = WebhookEvent(
        platform=Platform.SHOPIFY,
        shop_id=shop.id,
        shop_domain=shop.domain,
        topic="products/update",
        delivery_id=f"dispatch:{shop.domain}:late",
        payload={"id": 4999},
    )
    session.add(row)
    session.commit()
    return [row.id]


def test_a_burst_worker_processes_every_recorded_event_before_it_quits(
    app: Flask,
    session: Session,
    redis: Redis,
    shops: tuple[Shop, Shop, Order],
    work_done: Counter[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(webhook_events, "SWEEP_BATCH", 2)
    ids = _record_products(session, shops[0], 5)  # three batches
    run_jobs(app, "default")
    assert work_done == Counter({("hook", event_id): 1 for event_id in ids})
