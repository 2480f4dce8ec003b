"""The guard of the WooCommerce webhook receiver: nothing in a delivery is read before it verifies.

Each store delivers to its own path, ``/webhooks/woocommerce/<webhook_path>``, a random token
kept in ``shop.extra["webhook_path"]`` (never the row id): the path names the shop, hence the
secret, before the body is touched. ``X-WC-Webhook-Signature`` must then be the base64
HMAC-SHA256 of the raw body with that store's secret, compared in constant time.

WooCommerce's creation ping (``webhook_id=<id>``, form-encoded) is sent without any signature
or ``X-WC-Webhook-*`` header, and the webhook stays "pending delivery" unless it gets a 200: so
an unsigned ping to a known path is answered 200 and nothing is recorded.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable
from typing import ParamSpec

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ApiError
from app.extensions import get_session
from app.models import Platform, Shop
from connectors.woocommerce.signatures import SIGNATURE_HEADER, is_ping, is_valid

log = logging.getLogger(__name__)
P = ParamSpec("P")
MAX_PATH_LENGTH = 64


def find_by_webhook_path(session: Session, webhook_path: str) -> Shop | None:
    if not webhook_path or len(webhook_path) > MAX_PATH_LENGTH:
        return None
    stmt = select(Shop).where(
        Shop.platform == Platform.WOOCOMMERCE,
        Shop.extra["webhook_path"].as_string() == webhook_path,
    )
    shop = session.scalars(stmt).first()
    stored = str(shop.extra.get("webhook_path", "")) if shop is not None else ""
    if shop is None or not hmac.compare_digest(stored.encode(), webhook_path.encode()):
        return None
    return shop


def _unsigned_ping(body: bytes) -> bool:
    return not request.headers.get(SIGNATURE_HEADER) and is_ping(body)


def woo_signed(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """401 (and nothing recorded) unless the delivery is signed with the store's secret."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        shop = find_by_webhook_path(get_session(), str(kwargs.get("webhook_path", "")))
        if shop is None:
            raise ApiError(404, "unknown_webhook", "no store delivers to this address")
        body = request.get_data(cache=True)
        if _unsigned_ping(body):
            return jsonify({"status": "ping"})
        if not is_valid(body, request.headers.get(SIGNATURE_HEADER), shop.webhook_secret):
            log.warning(
                "woocommerce webhook refused",
                extra={"shop_id": shop.id, "topic": request.headers.get("X-WC-Webhook-Topic", "")},
            )
            raise ApiError(401, "invalid_signature", "the delivery is not signed")
        if is_ping(body):
            return jsonify({"status": "ping"})
        g.woo_shop = shop
        return view(*args, **kwargs)

    return guarded
