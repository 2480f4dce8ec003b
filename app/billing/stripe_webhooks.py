"""The Stripe webhook receiver: ``/webhooks/stripe``, verified by the ``stripe`` package.

``stripe.Webhook.construct_event`` checks the ``Stripe-Signature`` header (HMAC-SHA256 of
``"{t}.{raw body}"`` with the endpoint secret, timestamp within the tolerance) on the raw body.
A verified event is recorded once per event id (a replay answers 200 and changes nothing),
and Stripe gets its 200 once the row is committed: no Stripe call here, and no dependence on
Redis (``app.webhook_events`` hands the job over, now or from the sweeper).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import stripe
from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import input_guard
from app.errors import ApiError
from app.extensions import get_redis, get_session
from app.models import BillingEvent, BillingProvider
from app.webhook_events import record_and_hand_over, redelivered

bp = Blueprint("stripe_webhooks", __name__)
log = logging.getLogger(__name__)

# What the handlers read of an event's object. Invoices and sessions also carry the customer's
# name, email and address: those are not kept (they would outlive a shop/redact otherwise).
KEPT_FIELDS = frozenset(
    {
        "id",
        "object",
        "customer",
        "status",
        "metadata",
        "livemode",
        "trial_end",
        "current_period_start",
        "current_period_end",
        "items",
        "mode",
        "client_reference_id",
        "subscription",
        "payment_status",
        "amount_paid",
        "billing_reason",
        "parent",
    }
)


def kept(event: dict[str, Any]) -> dict[str, Any]:
    obj = (event.get("data") or {}).get("object")
    fields = {k: v for k, v in obj.items() if k in KEPT_FIELDS} if isinstance(obj, dict) else {}
    return {"type": event.get("type"), "data": {"object": fields}}


def _verified(body: bytes) -> dict[str, Any]:
    """The event as sent; an ``ApiError`` for a delivery that cannot be trusted or read."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        raise ApiError(503, "not_configured", "Stripe webhooks are not configured.")
    tolerance = int(current_app.config["STRIPE_WEBHOOK_TOLERANCE"])
    header = request.headers.get("Stripe-Signature")
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance=tolerance)
        event: Any = input_guard.loads(body)  # bounded depth, no NUL: what the database can keep
    except stripe.SignatureVerificationError:
        raise ApiError(400, "invalid_signature", "The Stripe-Signature does not verify.") from None
    except ValueError:
        raise ApiError(400, "invalid_json", "The body is not a Stripe event.") from None
    if not isinstance(event, dict):
        raise ApiError(400, "invalid_event", "The event is not a JSON object.")
    if not isinstance(event.get("id"), str) or not isinstance(event.get("created"), int):
        raise ApiError(400, "invalid_event", "The event has no id or creation time.")
    return dict(event)


def _record(session: Session, event: dict[str, Any]) -> BillingEvent | None:
    """The new (flushed) row, or None when this event id was recorded before (a replay)."""
    row = BillingEvent(
        provider=BillingProvider.STRIPE,
        event_id=event["id"][:255],
        type=str(event.get("type") or "")[:128],
        created=datetime.fromtimestamp(event["created"], UTC),
        payload=kept(event),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # the same event, delivered concurrently, committed first
        session.rollback()
        return None
    return row


def _recorded(session: Session, event_id: str) -> BillingEvent | None:
    stmt = select(BillingEvent).where(
        BillingEvent.provider == BillingProvider.STRIPE, BillingEvent.event_id == event_id[:255]
    )
    return session.scalars(stmt).one_or_none()


@bp.post("/webhooks/stripe")
def receive() -> ResponseReturnValue:
    """Every Stripe event type the endpoint is subscribed to."""
    verified = _verified(request.get_data(cache=True))
    session, redis = get_session(), get_redis()
    earlier = _recorded(session, verified["id"])
    row = _record(session, verified) if earlier is None else None
    if row is None:  # a replay: its job may still be waiting for Redis
        earlier = earlier or _recorded(session, verified["id"])
        if earlier is not None:
            redelivered(session, redis, earlier)
        return jsonify({"status": "duplicate"})
    status = record_and_hand_over(session, redis, row)
    log.info("stripe event recorded", extra={"event_type": row.type, "billing_event": row.id})
    return jsonify({"status": status})
