"""The ``account_stores`` blueprint: connect a WooCommerce store, switch shops, disconnect.

Connecting starts WooCommerce's auth endpoint flow (``app.woocommerce.connect``) with the
account's id kept beside the single-use token, so the store created by the key POST gets this
account as its owner. ``GET /woocommerce/connect?store_url=`` is the WordPress plugin's
"Connect to Luneo" link: it signs the merchant in (or up) first, then asks them to confirm,
so a link on another site cannot connect a store to someone's account behind their back.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from app.accounts import memberships
from app.accounts.session import (
    account_required,
    current_membership,
    current_user,
    role_required,
    select_shop,
)
from app.accounts.web import form_protected
from app.extensions import get_redis, get_session
from app.ids import parse_row_id
from app.models import Platform, Role
from app.woocommerce.connect import find_store, start_connection
from app.woocommerce.disconnect import NotConnected, disconnect
from app.woocommerce.store_url import InvalidStoreUrl, Resolver, normalize, resolve_host
from app.woocommerce.urls import NotConfigured

bp = Blueprint("account_stores", __name__, template_folder="templates")
log = logging.getLogger(__name__)

MAX_URL_FIELD = 2000


def _resolver() -> Resolver:
    """DNS for store URLs; tests put a resolver for their pretend stores in the extensions."""
    resolve: Resolver = current_app.extensions.get("luneo.resolve_host", resolve_host)
    return resolve


def _stores_page(
    store_url: str = "", error: str | None = None, status: int = 200
) -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    rows = memberships.memberships_of(get_session(), user.id)
    page = render_template(
        "accounts/stores.html", memberships=rows, store_url=store_url, error=error, user=user
    )
    return page, status


def _staff_of_connected_store(user_id: int, store_url: str) -> bool:
    """Whether ``store_url`` names a store this account is staff of: its keys are the owners'.

    The README keeps the store's connection to owners; a reconnect replaces the store's keys,
    so staff may not start one (a bad address is left to ``start_connection`` to refuse).
    """
    try:
        domain = normalize(store_url).domain
    except InvalidStoreUrl:
        return False
    db = get_session()
    shop = find_store(db, domain)
    row = memberships.membership(db, user_id, shop.id) if shop is not None else None
    return row is not None and row.role is not Role.OWNER


@bp.get("/account/stores")
@account_required
def stores() -> ResponseReturnValue:
    return _stores_page()


@bp.get("/woocommerce/connect")
@account_required
def connect_from_plugin() -> ResponseReturnValue:
    """The plugin's "Connect to Luneo" button: confirm the store, then the authorize page."""
    store_url = request.args.get("store_url", "")[:MAX_URL_FIELD]
    user = current_user()
    assert user is not None
    if not user.is_verified:
        return redirect(url_for("accounts.verify_pending"))
    return render_template("accounts/connect_confirm.html", store_url=store_url, user=user)


@bp.post("/account/stores/connect")
@account_required
@form_protected
def connect() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    store_url = request.form.get("store_url", "")[:MAX_URL_FIELD]
    if not user.is_verified:
        return _stores_page(
            store_url, "Confirm your e-mail address before connecting a store.", 403
        )
    if _staff_of_connected_store(user.id, store_url):
        return _stores_page(store_url, "Only the store's owners can reconnect it.", 403)
    try:
        url = start_connection(
            store_url,
            config=current_app.config,
            redis=get_redis(),
            resolve=_resolver(),
            account_id=user.id,
        )
    except InvalidStoreUrl as exc:
        return _stores_page(store_url, f"This store address cannot be used: {exc}.", 400)
    except NotConfigured:
        log.error("APP_URL is not set: stores cannot reach Luneo")
        return _stores_page(store_url, "Connecting stores is not available right now.", 503)
    log.info("store connection started", extra={"user_id": user.id})
    return redirect(url, code=303)


@bp.post("/account/shop")
@account_required
@form_protected
def switch_shop() -> ResponseReturnValue:
    shop_id = request.form.get("shop_id", type=parse_row_id)
    if shop_id is None or not select_shop(shop_id):
        abort(404, description="You are not a member of that store.")
    return redirect(url_for("admin.dashboard"))


@bp.post("/account/stores/disconnect")
@account_required
@role_required(Role.OWNER)
@form_protected
def disconnect_store() -> ResponseReturnValue:
    """Delete Luneo's webhooks from the store and forget its keys (owners only)."""
    row = current_membership()
    assert row is not None
    shop = row.shop
    if shop.platform is not Platform.WOOCOMMERCE:
        abort(400, description="Shopify stores are removed by uninstalling Luneo in Shopify.")
    try:
        result = disconnect(get_session(), get_redis(), current_app.config, shop.domain)
    except NotConnected:
        abort(404, description="This store is not connected.")
    message = f"{result.domain} is disconnected: Luneo's webhooks and keys were removed."
    if result.error:
        message = (
            f"{result.domain} is disconnected and its keys forgotten, but the store could not "
            "be reached to delete Luneo's webhooks; they will stop on their own."
        )
    flash(message, "success" if not result.error else "warning")
    return redirect(url_for("account_stores.stores"))
