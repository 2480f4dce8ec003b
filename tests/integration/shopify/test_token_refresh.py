"""Expiring offline tokens are renewed by every Shopify call path (issue #16, item 1).

The store is standins.shopify, whose token endpoint issues hour-long access tokens
with single-use refresh tokens and revokes what a refresh replaced, as Shopify does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq.job import JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app, migrate, sync
from app.billing import shopify_billing
from app.models import Product, Shop
from connectors.shopify import billing as shopify_api
from jobs.sync_cli import register_sync_commands
from standins.shopify import FakeShopify, FakeStore, serve, upstream_product
from tests.conftest import SHOPIFY_API_KEY, SHOPIFY_API_SECRET, _server_database
from tests.factories import make_shop
from tests.integration.test_sync_jobs import run

SCOPES = "read_products,write_orders"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with serve() as server:
        yield server


@pytest.fixture
def settings(settings: dict[str, Any], fake: FakeShopify) -> dict[str, Any]:
    return {**settings, "SHOPIFY_SHOP_ORIGIN": fake.origin_template, "SHOPIFY_MAX_ATTEMPTS": 2}


def expiring_shop(
    session: Session, fake: FakeShopify, *, expires_in: float = 3, domain: str | None = None
) -> tuple[Shop, FakeStore]:
    """A shop whose offline token (issued by the fake) dies in ``expires_in`` seconds."""
    extra = {"domain": domain} if domain else {}
    shop = make_shop(session, scopes=SCOPES, **extra)
    store = fake.add_store(FakeStore(shop.domain, "unused"))
    store.client, store.scope = (SHOPIFY_API_KEY, SHOPIFY_API_SECRET), SCOPES
    access, refresh = store.expiring_grant(expires_in=expires_in)
    shop.access_token, shop.refresh_token = access, refresh
    shop.token_expires_at = store_expiry(store)
    session.commit()
    store.add_products(upstream_product(1), upstream_product(2))
    return shop, store


def store_expiry(store: FakeStore) -> datetime:
    assert store.token_expires_at is not None
    return datetime.fromtimestamp(store.token_expires_at, UTC)


def reloaded(session: Session, shop: Shop) -> Shop:
    session.expire_all()
    row = session.get(Shop, shop.id)
    assert row is not None
    return row


def assert_holds_the_live_tokens(row: Shop, store: FakeStore) -> None:
    assert row.access_token == store.token
    assert list(store.refresh_tokens) == [row.refresh_token]
    assert row.needs_reauth is False


def test_cli_sync_renews_a_token_that_expires_in_seconds(
    app: Flask, session: Session, fake: FakeShopify
) -> None:
    shop, store = expiring_shop(session, fake, expires_in=3)
    old_refresh = shop.refresh_token
    register_sync_commands(app.cli)

    result = app.test_cli_runner().invoke(args=["sync", "products", "--shop", shop.domain])

    assert result.exit_code == 0, result.output
    assert "products: 2 created" in result.output
    assert store.token_requests == [
        {"grant_type": "refresh_token", "refresh_token": old_refresh, "status": 200}
    ]
    row = reloaded(session, shop)
    assert_holds_the_live_tokens(row, store)
    assert row.token_expires_at is not None
    assert len(session.scalars(select(Product).where(Product.shop_id == shop.id)).all()) == 2


def test_a_401_on_an_unexpired_token_renews_once_and_retries(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = expiring_shop(session, fake, expires_in=3600)
    store.token = "shpat_revoked_by_shopify"  # still "valid" for an hour by our clock: a 401

    job = run(app, redis, sync.initial_sync_spec(shop.id))

    assert job.get_status() == JobStatus.FINISHED
    assert [r["status"] for r in store.token_requests] == [200]  # exactly one refresh
    row = reloaded(session, shop)
    assert_holds_the_live_tokens(row, store)
    assert (row.extra.get("sync") or {}).get("state") == "succeeded"
    assert len(session.scalars(select(Product).where(Product.shop_id == shop.id)).all()) == 2


def test_a_revoked_refresh_token_marks_needs_reauth_once_without_a_loop(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = expiring_shop(session, fake, expires_in=2)
    store.revoke_refresh_tokens()  # e.g. it expired, or the merchant's store revoked it

    job = run(app, redis, sync.initial_sync_spec(shop.id))
    again = run(app, redis, sync.incremental_sync_spec(shop.id))

    assert job.get_status() == JobStatus.FINISHED  # not failed, no retry scheduled
    assert again.return_value() is None  # skipped until the merchant re-authorizes
    assert [r["status"] for r in store.token_requests] == [400]  # one try, no loop
    assert store.calls == []  # no Admin query was sent with a dead token
    row = reloaded(session, shop)
    assert row.needs_reauth is True
    state = row.extra["sync"]
    assert state["state"] == "needs_reauth"
    assert "re-authorize" in state["last_error"]
    assert "expired or was revoked" in state["last_error"]


def test_billing_calls_renew_the_token_too(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = expiring_shop(session, fake, expires_in=1)
    with app.app_context():
        graphql = shopify_billing.client(shop, app.config)
        try:
            assert shopify_api.active_subscriptions(graphql) == []
        finally:
            graphql.close()

    assert [r["status"] for r in store.token_requests] == [200]
    assert_holds_the_live_tokens(reloaded(session, shop), store)


# ------------------------------------------------------------- two worker processes at once
WORKER = """
import json, sys
from app import create_app
from app.extensions import get_db
from app.models import Shop
from app.shopify import tokens
from app.sync import sync_shop
settings, shop_id, mode = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
app = create_app(settings)
with app.app_context():
    if mode == "sync":
        print(json.dumps(sync_shop(shop_id, "products", full=True)))
    else:  # the Shopify calls of a job, without its database writes
        with get_db().session() as session:
            shop = session.get(Shop, shop_id)
            connector = tokens.connector(shop, app.config)
            try:
                print(json.dumps({"count": connector.count_products()}))
            finally:
                connector.close()
"""


@pytest.fixture
def committed_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own: worker processes only see committed rows."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        from app.config import from_environment

        base = from_environment({"DATABASE_URL": configured}, Path("."))
        servers = _server_database(base["SQLALCHEMY_DATABASE_URI"])
        url = next(servers)
        migrate.upgrade(url)
        yield url
        next(servers, None)
        return
    url = f"sqlite:///{tmp_path / 'workers.sqlite3'}"
    migrate.upgrade(url)
    yield url


@pytest.mark.parametrize("mode", ["calls", "sync"])
def test_two_worker_processes_renewing_at_once_both_succeed_with_one_refresh(
    settings: dict[str, Any], fake: FakeShopify, committed_database: str, mode: str
) -> None:
    # In "sync" mode both processes also run a full sync of the shop at once: both read "no such
    # product" and both insert it, so this also proves the upserts survive that race.
    settings = {**settings, "SQLALCHEMY_DATABASE_URI": committed_database}
    app = create_app(settings)
    app.extensions["luneo.redis"].delete("luneo:shopify:install:token-race.myshopify.com")
    db = app.extensions["luneo.db"]
    with db.session() as session:
        shop, store = expiring_shop(session, fake, expires_in=2, domain="token-race.myshopify.com")
    store.token_delay = 1.0  # Shopify takes its time: the second worker arrives meanwhile

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [json.dumps(settings, default=str), str(shop.id), mode]
    workers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", WORKER, *argv],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]

    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        summary = json.loads(out.strip().splitlines()[-1])
        assert summary is not None
    assert [r["status"] for r in store.token_requests] == [200]  # one refresh, never reused
    with db.session() as session:
        row = session.get(Shop, shop.id)
        assert row is not None
        assert_holds_the_live_tokens(row, store)
        if mode == "sync":
            assert (row.extra.get("sync") or {}).get("state") == "succeeded"
            products = session.scalars(select(Product).where(Product.shop_id == shop.id))
            assert len(products.all()) == 2
    db.engine.dispose()
    app.extensions["luneo.redis"].close()
