"""The Shopify webhook receiver: every topic in shopify.app.toml arrives at ``/webhooks/shopify``.

Verify the HMAC on the raw body (the guard), parse, record the delivery once, enqueue its job
after the commit, answer 200: no Shopify API call here, so the answer stays far inside
Shopify's 5-second limit. Shopify retries anything but a 2xx, so a topic Luneo does not handle
is recorded as ignored and still answered 200, and so is a repeated delivery (changing nothing).

A duplicate is recognised as Shopify documents it: the same ``X-Shopify-Event-Id`` (here per
topic); deliveries without one fall back to ``X-Shopify-Webhook-Id``, then to the body's hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from redis import Redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers

from app import input_guard
from app.errors import error_response
from app.extensions import get_redis, get_session
from app.models import Platform, WebhookEvent
from app.shopify import webhook_topics
from app.shopify.install import find_shop
from app.shopify.signatures import valid_shop_domain
from app.shopify.webhook_guard import hmac_verified
from app.webhook_events import BadDelivery, dispatch

bp = Blueprint("shopify_webhooks", __name__)


@dataclass(frozen=True)
class Delivery:
    topic: str
    shop_domain: str
    delivery_id: str
    payload: dict[str, Any]


def _delivery_id(headers: Headers, topic: str, body: bytes) -> str:
    """The key a repeated delivery of the same event shares."""
    event_id = headers.get("X-Shopify-Event-Id", "").strip()
    if event_id:
        return f"event:{topic}:{event_id}"[:255]
    webhook_id = headers.get("X-Shopify-Webhook-Id", "").strip()
    if webhook_id:
        return f"webhook:{webhook_id}"[:255]
    return f"sha256:{topic}:{hashlib.sha256(body).hexdigest()}"[:255]


def _shop_domain(headers: Headers, payload: dict[str, Any]) -> str:
    """The myshopify domain from the header, else from the body (compliance and shop topics)."""
    for candidate in (
        headers.get("X-Shopify-Shop-Domain"),
        payload.get("shop_domain"),
        payload.get("myshopify_domain"),
    ):
        domain = valid_shop_domain(candidate) if isinstance(candidate, str) else None
        if domain:
            return domain
    return ""


def parse_delivery(headers: Headers, body: bytes) -> Delivery:
    """Read a verified delivery; BadDelivery for a missing topic or a body that is not JSON."""
    topic = headers.get("X-Shopify-Topic", "").strip().lower()
    if not topic:
        raise BadDelivery("missing_topic", "X-Shopify-Topic is missing")
    try:
        payload = input_guard.loads(body)  # bounded depth, no NUL: what the database can keep
    except ValueError:
        raise BadDelivery("invalid_json", "the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadDelivery("invalid_json", "the body must be a JSON object")
    return Delivery(
        topic=topic[:128],
        shop_domain=_shop_domain(headers, payload),
        delivery_id=_delivery_id(headers, topic, body),
        payload=payload,
    )


def _already_recorded(session: Session, delivery_id: str) -> bool:
    stmt = select(WebhookEvent.id).where(
        WebhookEvent.platform == Platform.SHOPIFY, WebhookEvent.delivery_id == delivery_id
    )
    return session.scalar(stmt) is not None


def _insert(session: Session, delivery: Delivery) -> WebhookEvent | None:
    """The new event row, or None when the same delivery got there first."""
    shop = find_shop(session, delivery.shop_domain) if delivery.shop_domain else None
    event = WebhookEvent(
        platform=Platform.SHOPIFY,
        shop_id=shop.id if shop is not None else None,  # unknown shop: still recorded
        shop_domain=delivery.shop_domain,
        topic=delivery.topic,
        delivery_id=delivery.delivery_id,
        payload=webhook_topics.stored_payload(delivery.topic, delivery.payload),
    )
    session.add(event)
    try:
        session.flush()
    except IntegrityError:  # a concurrent copy of this delivery committed first
        session.rollback()
        return None
    return event


def record(session: Session, redis: Redis, delivery: Delivery) -> str:
    """Record the delivery once and enqueue its job after commit; the outcome for the reply."""
    if _already_recorded(session, delivery.delivery_id):
        return "duplicate"
    event = _insert(session, delivery)
    if event is None:
        return "duplicate"
    return dispatch(session, redis, event, webhook_topics.job_for(delivery.topic))


@bp.post("/webhooks/shopify")
@hmac_verified
def receive() -> ResponseReturnValue:
    """Every Shopify topic, compliance ones included (the topic is in X-Shopify-Topic)."""
    try:
        delivery = parse_delivery(request.headers, request.get_data(cache=True))
    except BadDelivery as exc:
        return error_response(400, exc.code, str(exc))
    outcome = record(get_session(), get_redis(), delivery)
    return jsonify({"status": outcome})
