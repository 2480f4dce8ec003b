"""The ``woo_auth`` blueprint: WooCommerce's key POST and the page the merchant comes back to.

The key POST comes from the store's server, not a browser, and is not signed: the service
(``app.woocommerce.connect``) checks its ``user_id`` token and has the store confirm the keys
before anything is stored. WooCommerce deletes the key and shows the merchant an error unless
it gets a 200, so a genuine POST always gets one (even when the store is another team's).
The body is a few hundred bytes of flat JSON: anything larger or not flat JSON is a 4xx.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from app.accounts.session import select_shop
from app.errors import ApiError
from app.extensions import get_redis, get_session
from app.woocommerce import pending
from app.woocommerce.connect import ConnectionRefused, complete_connection, find_store

bp = Blueprint("woo_auth", __name__)
log = logging.getLogger(__name__)


MAX_KEY_POST_BYTES = 8 * 1024


class _TooLarge(Exception):
    pass


def _json_body() -> Any:
    """The parsed body; None if not JSON (deep nesting included); _TooLarge past the cap."""
    if (request.content_length or 0) > MAX_KEY_POST_BYTES:
        raise _TooLarge
    raw = request.stream.read(MAX_KEY_POST_BYTES + 1)  # a chunked body has no length to check
    if len(raw) > MAX_KEY_POST_BYTES:
        raise _TooLarge
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


@bp.post("/woocommerce/callback")
def callback() -> ResponseReturnValue:
    """``{key_id, user_id, consumer_key, consumer_secret, key_permissions}`` as JSON."""
    try:
        payload = _json_body()
    except _TooLarge:
        log.warning("woocommerce key post refused", extra={"code": "too_large"})
        raise ApiError(413, "too_large", "the body is larger than a key POST can be") from None
    try:
        result = complete_connection(get_session(), get_redis(), current_app.config, payload)
    except ConnectionRefused as exc:
        log.warning(
            "woocommerce key post refused",
            extra={"code": exc.code, "store": exc.store, "reason": str(exc)},
        )
        raise ApiError(exc.status, exc.code, str(exc)) from None
    return jsonify({"status": result.status, "domain": result.domain})


@bp.get("/woocommerce/return")
def returned() -> ResponseReturnValue:
    """Where WooCommerce sends the merchant: ``success=1|0`` and our ``user_id``."""
    approved = request.args.get("success") == "1"
    token = request.args.get("user_id")
    record = pending.result_record(get_redis(), token) if approved else None
    domain = pending.result_for(get_redis(), token) if approved else None
    shop_id = record.get("shop_id") if record else None
    if isinstance(shop_id, int) and select_shop(shop_id):
        # The account that connected it is back: straight to the dashboard and its first sync.
        flash(f"{domain} is connected. The first sync of your catalog has started.", "success")
        return redirect(url_for("admin.dashboard"))
    if domain is not None:
        outcome = "connected"
    elif approved:
        outcome = "keys_missing"  # approved, but the key POST never reached us (or was refused)
    else:
        outcome = "denied"
    refused = bool(record and record.get("membership") == "refused")
    shop = find_store(get_session(), domain) if domain is not None else None
    key = shop.storefront_key if shop is not None and not refused else None
    return render_template(
        "woocommerce/return.html",
        outcome=outcome,
        domain=domain,
        refused=refused,
        storefront_key=key,
    )
