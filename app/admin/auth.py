"""Who the merchant admin acts for: the signed-in, installed shop, or a 401.

Resolution lives in one function, ``current_shop()``, so each way of signing in plugs in there:
a Shopify App Bridge session token (``Authorization: Bearer``, or ``id_token`` on a document
load inside the Shopify admin; never a query token on a write), else the cookie session: a
Luneo account (WooCommerce merchants, ``app.accounts``) acting for a shop it is a member of, or
the development sign-in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from app.errors import ApiError, error_response, wants_json
from app.extensions import get_session
from app.models import Shop
from app.shopify import embedded

SHOP_SESSION_KEY = "shop_id"
_CACHE_KEY = "luneo_admin_shop"
UNAUTHORIZED_MESSAGE = "Open Luneo from your store admin to continue."

P = ParamSpec("P")


def installed_shop(db: Session, shop_id: int) -> Shop | None:
    """The shop with this id if it is installed; an uninstalled shop cannot be acted for."""
    shop = db.get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        return None
    return shop


def _shop_id_from_flask_session() -> int | None:
    raw = session.get(SHOP_SESSION_KEY)
    # bool is an int subclass; a tampered-with session must not turn True into shop 1.
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None
    return raw


def _resolve() -> Shop | None:
    # A Shopify session token, when one is presented, decides alone (no cookie fallback).
    token = embedded.resolve_request_token()
    g.luneo_token_result = token
    if token.presented:
        return token.shop
    return _cookie_shop()


def _cookie_shop() -> Shop | None:
    """The shop of the cookie session: a Luneo account's membership, else the dev sign-in."""
    from app.accounts.session import has_account_session, member_shop

    if has_account_session():
        return member_shop()  # only a shop the account is a member of, and connected
    shop_id = _shop_id_from_flask_session()
    if shop_id is None or "devtools" not in current_app.blueprints:
        return None  # outside development, only an account session names a shop
    return installed_shop(get_session(), shop_id)


def current_shop() -> Shop | None:
    """The installed shop this request acts for, or None; resolved once per request."""
    if _CACHE_KEY not in g:
        setattr(g, _CACHE_KEY, _resolve())
    shop: Shop | None = g.get(_CACHE_KEY)
    return shop


def signed_in_with_token() -> bool:
    """Whether a Shopify session token (not the cookie) signed this request in.

    A write's token comes only in the ``Authorization`` header, sent by our own script and never
    attached by the browser on its own, so such requests need no CSRF token (see
    ``app.admin.csrf``). A token in the query of a write is ignored: it is no credential there.
    """
    if current_shop() is None:
        return False
    token: embedded.TokenResult | None = g.get("luneo_token_result")
    return token is not None and token.presented and token.shop is not None


def acts_as_owner() -> bool:
    """Whether this request may do what only a store's owners do (billing, partners).

    A Shopify session token speaks for the shop: Shopify decides which of its staff may open
    Luneo (app permissions), and a charge is approved on Shopify's own page, which only the store
    owner or staff allowed to do so can pass. A Luneo account needs the owner role in the shop
    it acts for. The development sign-in acts as the shop's owner.
    """
    if current_shop() is None:
        return False
    if signed_in_with_token():
        return True
    from app.accounts.session import has_account_session, is_owner

    return is_owner() if has_account_session() else True


def signed_in_shop() -> Shop:
    """The shop of a view behind ``shop_admin_required`` (a missing guard is a bug, not a 401)."""
    shop = current_shop()
    if shop is None:
        raise LookupError("no signed-in shop: the view is missing @shop_admin_required")
    return shop


def sign_in(shop: Shop) -> None:
    """The development sign-in: act for ``shop`` with no account (ends any account session)."""
    session.clear()
    session[SHOP_SESSION_KEY] = shop.id
    g.pop(_CACHE_KEY, None)


def sign_out() -> None:
    session.pop(SHOP_SESSION_KEY, None)
    g.pop(_CACHE_KEY, None)


def _wants_json() -> bool:
    return "/api/" in request.path or wants_json()


def unauthorized() -> ResponseReturnValue:
    """No usable session: the right next step for an API call, an embedded load or a person."""
    token: embedded.TokenResult = g.get("luneo_token_result") or embedded.TokenResult(False)
    if _wants_json():
        body = error_response(401, "unauthorized", UNAUTHORIZED_MESSAGE)
        return embedded.unauthorized(token, body)
    if embedded.is_embedded_document_load():
        if token.claims is not None and token.shop is None:
            return embedded.reinstall_redirect()
        return embedded.bounce_to_fresh_token()
    from app.accounts.session import current_user

    if current_user() is not None:  # signed in to Luneo, but no connected store to show
        return redirect(url_for("account_stores.stores"))
    dev_sign_in = "devtools" in current_app.blueprints
    page = render_template(
        "admin/unauthorized.html", message=UNAUTHORIZED_MESSAGE, dev_sign_in=dev_sign_in
    )
    return embedded.unauthorized(token, page)


def shop_admin_required(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    """Guard for every admin view: run it only when an installed shop is signed in."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if current_shop() is None:
            return unauthorized()
        return view(*args, **kwargs)

    return guarded


OWNER_ONLY_MESSAGE = "Only the store's owners can do this."


def owner_required(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    """Guard for owner-only admin writes; goes under ``shop_admin_required`` (who, then may)."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if not acts_as_owner():
            raise ApiError(403, "owner_only", OWNER_ONLY_MESSAGE)
        return view(*args, **kwargs)

    return guarded
