"""The Shopify webhook receiver: every topic in shopify.app.toml arrives at ``/webhooks/shopify``.

Verify the HMAC on the raw body (the guard), parse, record the delivery once, answer 200 once
it is committed; a worker's dispatcher hands its job to the queue (``app.webhook_events``: no
Redis on the request path, so a Redis outage only delays the job). No Shopify API call here,
so the answer stays far inside Shopify's 5-second limit. Shopify retries anything but a 2xx,
so a topic Luneo does not handle is recorded as ignored and still answered 200, and so is a
repeated delivery (changing nothing).

The HMAC covers the body, not the headers: a body signed for shop A can be replayed with
``X-Shopify-Shop-Domain: B``. So where the signed body names the shop (``webhook_topics.
body_shop_field``) that is the shop acted on, and a header naming another one is refused (400,
logged). Topics whose body names no shop (products, orders, subscriptions) act on the header's
shop only through ids Shopify makes unique across shops, re-read with that shop's own token
(products, orders) or matched to a subscription Luneo created for that shop: a replay there
finds nothing of B's to change (see ``jobs.shopify_events``).

A duplicate is recognised as Shopify documents it: the same ``X-Shopify-Event-Id`` (here per
topic); deliveries without one fall back to ``X-Shopify-Webhook-Id``, then to the body's hash.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers

from app import input_guard
from app.errors import ApiError
from app.extensions import get_session
from app.models import Platform, WebhookEvent
from app.shopify import webhook_topics
from app.shopify.signatures import valid_shop_domain
from app.shopify.webhook_guard import hmac_verified
from app.webhook_events import BadDelivery, record_delivery

bp = Blueprint("shopify_webhooks", __name__)
log = logging.getLogger(__name__)


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


def _domain(raw: Any) -> str:
    return (valid_shop_domain(raw) or "") if isinstance(raw, str) else ""


def _shop_domain(headers: Headers, topic: str, payload: dict[str, Any]) -> str:
    """The shop the delivery acts on: the signed body's where it names one, else the header's.

    BadDelivery when the header names another shop than the body (a replay) or the body of such
    a topic names none.
    """
    header = _domain(headers.get("X-Shopify-Shop-Domain"))
    field = webhook_topics.body_shop_field(topic)
    if field is None:
        return header
    signed = _domain(payload.get(field))
    if not signed:
        raise BadDelivery("missing_shop", f"the body of {topic} names no shop ({field})")
    if header and header != signed:
        log.warning(
            "shopify webhook refused: the header names another shop than the signed body",
            extra={"topic": topic, "header_shop": header, "body_shop": signed},
        )
        raise BadDelivery("shop_mismatch", "X-Shopify-Shop-Domain is not the shop of the body")
    return signed


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
        shop_domain=_shop_domain(headers, topic[:128], payload),
        delivery_id=_delivery_id(headers, topic, body),
        payload=payload,
    )


def record(session: Session, delivery: Delivery) -> str:
    """Record the delivery once (an unknown shop's too); its job is the dispatcher's.

    The shop is looked up by the INSERT itself (one round trip, not two); an unknown shop's
    delivery is still recorded, with no shop."""
    event = WebhookEvent(
        platform=Platform.SHOPIFY,
        shop_domain=delivery.shop_domain,
        topic=delivery.topic,
        delivery_id=delivery.delivery_id,
        payload=webhook_topics.stored_payload(delivery.topic, delivery.payload),
    )
    return record_delivery(session, event, shop_by_domain=bool(delivery.shop_domain))


@bp.post("/webhooks/shopify")
@hmac_verified
def receive() -> ResponseReturnValue:
    """Every Shopify topic, compliance ones included (the topic is in X-Shopify-Topic)."""
    try:
        delivery = parse_delivery(request.headers, request.get_data(cache=True))
    except BadDelivery as exc:
        raise ApiError(400, exc.code, str(exc)) from None
    outcome = record(get_session(), delivery)
    return jsonify({"status": outcome})
