"""A fake WooCommerce store (REST through `responses`), connected as a merchant would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Platform, Shop
from app.woocommerce.connect import start_connection
from tests.support.fake_woocommerce import FakeWooStore
from tests.support.workers import run_jobs

PUBLIC_IP = "93.184.215.14"  # what the (pretend) DNS answers for shop.test


def public_dns(_host: str, _port: int) -> list[str]:
    return [PUBLIC_IP]


@pytest.fixture
def rest_mock() -> Iterator[responses.RequestsMock]:
    """Where fake stores serve their REST API; an address no fake serves does not connect."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def store(rest_mock: responses.RequestsMock) -> FakeWooStore:
    fake = FakeWooStore()
    fake.install(rest_mock)
    return fake


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {**settings, "WOOCOMMERCE_MAX_ATTEMPTS": 2}


def authorize_url(app: Flask, redis: Redis, store_url: str = "https://shop.test") -> str:
    with app.app_context():
        return start_connection(store_url, config=app.config, redis=redis, resolve=public_dns)


def woo_shop(session: Session, domain: str = "shop.test") -> Shop | None:
    session.expire_all()
    stmt = select(Shop).where(Shop.platform == Platform.WOOCOMMERCE, Shop.domain == domain)
    return session.scalars(stmt).one_or_none()


@pytest.fixture
def connected(
    app: Flask, client: FlaskClient, redis: Redis, session: Session, store: FakeWooStore
) -> Shop:
    """shop.test connected through the auth endpoint, webhooks created, first sync done."""
    store.approve(client, authorize_url(app, redis))
    run_jobs(app, "default", "sync")
    shop = woo_shop(session)
    assert shop is not None
    return shop
