"""Who the merchant admin acts for: the signed-in, installed shop, or a 401.

Resolution lives in one function, ``current_shop()``, so each way of signing in plugs in there:
the development sign-in stores ``session["shop_id"]`` today; Shopify session tokens and
WooCommerce merchant accounts will resolve to the same Shop later.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from flask import current_app, g, render_template, request, session
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from app.errors import error_response, wants_json
from app.extensions import get_session
from app.models import Shop

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


def current_shop() -> Shop | None:
    """The installed shop this request acts for, or None; resolved once per request."""
    if _CACHE_KEY not in g:
        shop_id = _shop_id_from_flask_session()
        setattr(g, _CACHE_KEY, None if shop_id is None else installed_shop(get_session(), shop_id))
    shop: Shop | None = g.get(_CACHE_KEY)
    return shop


def signed_in_shop() -> Shop:
    """The shop of a view behind ``shop_admin_required`` (a missing guard is a bug, not a 401)."""
    shop = current_shop()
    if shop is None:
        raise LookupError("no signed-in shop: the view is missing @shop_admin_required")
    return shop


def sign_in(shop: Shop) -> None:
    session[SHOP_SESSION_KEY] = shop.id
    g.pop(_CACHE_KEY, None)


def sign_out() -> None:
    session.pop(SHOP_SESSION_KEY, None)
    g.pop(_CACHE_KEY, None)


def _wants_json() -> bool:
    return "/api/" in request.path or wants_json()


def unauthorized() -> ResponseReturnValue:
    """401: JSON for API callers; for people, a page pointing them back to their store admin."""
    if _wants_json():
        return error_response(401, "unauthorized", UNAUTHORIZED_MESSAGE)
    dev_sign_in = "devtools" in current_app.blueprints
    page = render_template(
        "admin/unauthorized.html", message=UNAUTHORIZED_MESSAGE, dev_sign_in=dev_sign_in
    )
    return page, 401


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
