"""A WooCommerce delivery is bound to its store by the per-store path *and* the per-store secret
(issue 15, item 8, the same class as Shopify's unsigned shop header): a body signed by store A
and sent to store B's address is refused, and so is anything for a disconnected store (its
secret is gone). Signed here with hmac + base64 as ``WC_Webhook::generate_signature`` does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy.orm import Session

from app.models import Platform, Shop
from app.queue import QUEUE_NAMES, get_queue
from tests.factories import make_shop
from tests.integration.woocommerce.test_webhooks import events


def _store(session: Session, name: str) -> Shop:
    return make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain=f"{name}.test",
        webhook_secret=f"secret-of-{name}-" + "x" * 24,
        extra={"webhook_path": f"path-of-{name}-" + "y" * 16},
    )


def _deliver(client: FlaskClient, to: Shop, signed_by: str) -> int:
    body = json.dumps({"id": 42, "type": "simple", "status": "publish"}).encode()
    digest = hmac.new(signed_by.encode(), body, hashlib.sha256).digest()
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "product.updated",
        "X-WC-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-WC-Webhook-Delivery-ID": "d-42",
        "X-WC-Webhook-Source": "https://a.test/",
    }
    path = to.extra["webhook_path"]
    return client.post(f"/webhooks/woocommerce/{path}", data=body, headers=headers).status_code


@pytest.fixture
def stores(session: Session) -> tuple[Shop, Shop]:
    a, b = _store(session, "a"), _store(session, "b")
    session.commit()
    return a, b


def _nothing_happened(session: Session, redis: Redis) -> None:
    assert events(session) == []
    assert sum(get_queue(name, redis).count for name in QUEUE_NAMES) == 0


def test_a_delivery_signed_by_store_a_sent_to_store_bs_address_is_refused(
    client: FlaskClient, session: Session, redis: Redis, stores: tuple[Shop, Shop]
) -> None:
    a, b = stores

    assert _deliver(client, to=b, signed_by=str(a.webhook_secret)) == 401

    _nothing_happened(session, redis)
    assert _deliver(client, to=a, signed_by=str(a.webhook_secret)) == 200  # A's own: accepted


def test_a_disconnected_store_accepts_nothing_signed_with_its_old_secret(
    client: FlaskClient, session: Session, redis: Redis, stores: tuple[Shop, Shop]
) -> None:
    a, _ = stores
    old_secret = str(a.webhook_secret)
    a.webhook_secret = None  # what ``luneo woo disconnect`` does
    session.commit()

    assert _deliver(client, to=a, signed_by=old_secret) == 401

    _nothing_happened(session, redis)
