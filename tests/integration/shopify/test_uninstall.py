"""app/uninstalled: the shop is marked uninstalled, its tokens dropped and its queued jobs
stopped, while its data stays for the shop/redact that Shopify sends 48 hours later."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq.job import JobStatus
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Design, Order, Shop, WebhookEvent, WebhookStatus
from app.queue import JobSpec, enqueue, get_queue
from jobs.shopify_events import app_uninstalled
from tests.factories import make_design, make_order, make_product, make_shop, make_template
from tests.integration.shopify.test_webhooks import SHOP, deliver, events
from tests.support.workers import run_jobs

# Shopify's example app/uninstalled body (the shop resource), trimmed.
UNINSTALLED = {
    "id": 548380009,
    "name": "Example Store",
    "email": "owner@example.com",
    "domain": "example.com",
    "myshopify_domain": SHOP,
}


@pytest.fixture
def shop(session: Session) -> Shop:
    shop = make_shop(session, domain=SHOP, refresh_token="shprt_" + "1" * 32)
    design = make_design(session, make_template(session, make_product(session, shop)))
    make_order(session, shop, design)
    session.commit()
    return shop


def _fresh(session: Session, shop: Shop) -> Shop:
    session.expire_all()
    row = session.get(Shop, shop.id)
    assert row is not None
    return row


def _count(session: Session, model: type[Design] | type[Order], shop: Shop) -> int:
    stmt = select(func.count()).select_from(model).where(model.shop_id == shop.id)
    return int(session.scalar(stmt) or 0)


def test_uninstall_marks_the_shop_and_drops_its_tokens_but_keeps_its_data(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    response = deliver(client, "app/uninstalled", UNINSTALLED)
    assert response.status_code == 200

    run_jobs(app)

    row = _fresh(session, shop)
    [event] = events(session)
    assert event.status is WebhookStatus.PROCESSED
    assert row.uninstalled_at == event.received_at
    assert not row.is_installed
    assert (row.access_token, row.refresh_token, row.token_expires_at) == (None, None, None)
    assert (_count(session, Design, shop), _count(session, Order, shop)) == (1, 1)


def test_uninstall_cancels_the_shops_waiting_jobs_only(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    other = make_shop(session)
    session.commit()
    gid = "gid://shopify/Product/1"
    mine = [
        enqueue(redis, JobSpec("sync", "jobs.sync.initial_sync", (shop.id,), job_id="sync-a")),
        enqueue(redis, JobSpec("sync", "jobs.sync.sync_product", (shop.id, gid))),
        enqueue(redis, JobSpec("render", "jobs.render.x", (7,), meta={"shop_id": shop.id})),
    ]
    theirs = [
        enqueue(redis, JobSpec("sync", "jobs.sync.initial_sync", (other.id,), job_id="sync-b")),
        enqueue(redis, JobSpec("render", "jobs.render.x", (shop.id,), meta={"shop_id": other.id})),
    ]
    deliver(client, "app/uninstalled", UNINSTALLED)

    run_jobs(app, "default")

    assert [job.get_status(refresh=True) for job in mine] == [JobStatus.CANCELED] * 3
    assert [job.get_status(refresh=True) for job in theirs] == [JobStatus.QUEUED] * 2
    assert get_queue("sync", redis).job_ids == ["sync-b"]


def test_uninstall_twice_changes_nothing_more(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    deliver(client, "app/uninstalled", UNINSTALLED)
    run_jobs(app)
    [event] = events(session)
    first = _fresh(session, shop).uninstalled_at
    event.status = WebhookStatus.RECEIVED  # as if the job ran again from the start
    session.commit()

    with app.app_context():
        assert app_uninstalled(event.id) == "processed"

    assert _fresh(session, shop).uninstalled_at == first


def test_late_uninstall_after_a_reinstall_changes_nothing(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    deliver(client, "app/uninstalled", UNINSTALLED)
    [event] = events(session)
    row = _fresh(session, shop)
    row.installed_at = event.received_at + timedelta(seconds=5)  # the merchant came back
    session.commit()

    run_jobs(app)

    row = _fresh(session, shop)
    assert row.is_installed
    assert row.access_token is not None
    event = session.get(WebhookEvent, event.id)  # type: ignore[assignment]
    assert (event.status, event.error) == (
        WebhookStatus.IGNORED,
        "the shop was installed again after this uninstall",
    )


def test_uninstall_of_an_unknown_shop_is_answered_and_ignored(
    app: Flask, client: FlaskClient, session: Session, redis: Redis
) -> None:
    payload = {**UNINSTALLED, "myshopify_domain": "nobody.myshopify.com"}

    response = deliver(client, "app/uninstalled", payload, shop="nobody.myshopify.com")
    run_jobs(app)

    assert response.status_code == 200
    [event] = events(session)
    assert (event.shop_id, event.status) == (None, WebhookStatus.IGNORED)
