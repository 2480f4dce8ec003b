"""The ``woo_webhooks`` blueprint: signed WooCommerce deliveries, recorded once, 200 at once.

Verify (the guard), parse, record the delivery once, answer 200 once it is committed; a worker's
dispatcher hands its job to the queue (``app.webhook_events``: no Redis on the request path): no
call to the store here. WooCommerce disables a webhook after repeated non-2xx answers,
so a topic Luneo does not handle is recorded as ignored and still answered 200, and so is a
repeated delivery (changing nothing).

A repeat is recognised by ``X-WC-Webhook-Delivery-ID`` (per store: ids are only unique within
one WordPress), or by the body's hash when a delivery carries none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers

from app import input_guard
from app.errors import ApiError
from app.extensions import get_session
from app.models import Platform, Shop, WebhookEvent
from app.webhook_events import BadDelivery, record_delivery
from app.woocommerce import webhook_topics
from app.woocommerce.webhook_guard import woo_signed

bp = Blueprint("woo_webhooks", __name__)


@dataclass(frozen=True)
class Delivery:
    topic: str
    delivery_id: str
    payload: dict[str, Any]


def _topic(headers: Headers) -> str:
    topic = headers.get("X-WC-Webhook-Topic", "").strip().lower()
    if not topic:
        resource = headers.get("X-WC-Webhook-Resource", "").strip().lower()
        event = headers.get("X-WC-Webhook-Event", "").strip().lower()
        topic = f"{resource}.{event}" if resource and event else ""
    return topic[:128]


def _delivery_id(shop_id: int, headers: Headers, topic: str, body: bytes) -> str:
    given = headers.get("X-WC-Webhook-Delivery-ID", "").strip()
    if given:
        return f"{shop_id}:{given}"[:255]
    return f"{shop_id}:sha256:{topic}:{hashlib.sha256(body).hexdigest()}"[:255]


def parse_delivery(shop_id: int, headers: Headers, body: bytes) -> Delivery:
    topic = _topic(headers)
    if not topic:
        raise BadDelivery("missing_topic", "X-WC-Webhook-Topic is missing")
    try:
        payload = input_guard.loads(body)  # bounded depth, no NUL: what the database can keep
    except ValueError:
        raise BadDelivery("invalid_json", "the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadDelivery("invalid_json", "the body must be a JSON object")
    return Delivery(topic, _delivery_id(shop_id, headers, topic, body), payload)


def record(session: Session, shop: Shop, delivery: Delivery) -> str:
    """Record the delivery once (its job is the dispatcher's); the outcome for the reply."""
    event = WebhookEvent(
        platform=Platform.WOOCOMMERCE,
        shop_id=shop.id,
        shop_domain=shop.domain,
        topic=delivery.topic,
        delivery_id=delivery.delivery_id,
        payload=webhook_topics.stored_payload(delivery.payload),
    )
    return record_delivery(session, event)


@bp.post("/webhooks/woocommerce/<webhook_path>")
@woo_signed
def receive(webhook_path: str) -> ResponseReturnValue:
    """Every topic of one store (the topic is in X-WC-Webhook-Topic)."""
    shop: Shop = g.woo_shop
    try:
        delivery = parse_delivery(shop.id, request.headers, request.get_data(cache=True))
    except BadDelivery as exc:
        raise ApiError(400, exc.code, str(exc)) from None
    return jsonify({"status": record(get_session(), shop, delivery)})
