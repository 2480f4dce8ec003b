"""The ``woo_auth`` blueprint: WooCommerce's key POST and the page the merchant comes back to.

The key POST comes from the store's server, not a browser: its only credential is the
single-use ``user_id`` token (see ``app.woocommerce.pending``), checked by the service before
anything is stored. WooCommerce shows the merchant an error unless it gets a 200.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.accounts.session import select_shop
from app.errors import error_response
from app.extensions import get_redis, get_session
from app.woocommerce import pending
from app.woocommerce.connect import ConnectionRefused, complete_connection, find_store

bp = Blueprint("woo_auth", __name__)
log = logging.getLogger(__name__)


@bp.post("/woocommerce/callback")
def callback() -> ResponseReturnValue:
    """``{key_id, user_id, consumer_key, consumer_secret, key_permissions}`` as JSON."""
    payload = request.get_json(force=True, silent=True)
    try:
        shop = complete_connection(get_session(), get_redis(), payload)
    except ConnectionRefused as exc:
        log.warning("woocommerce key post refused", extra={"code": exc.code})
        return error_response(exc.status, exc.code, str(exc))
    return jsonify({"status": "connected", "domain": shop.domain})


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
