"""Shopify's app proxy surface (``/apps/luneo/...`` on the store → ``/proxy/...`` here).

Every request is signed by Shopify (``signature`` in the query): the guard checks it before
anything reads ``shop`` or ``logged_in_customer_id``, which are otherwise just text a visitor typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from flask import Blueprint, current_app, g, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.client_address import client_address
from app.errors import ApiError
from app.extensions import get_session
from app.models import Platform, Shop
from app.shopify.signatures import InvalidSignature, verify_proxy
from app.storefront import Shopper
from app.storefront.surface import finish


def _guard() -> ResponseReturnValue | None:
    """Let the request through only when Shopify signed it for a shop that has Luneo installed."""
    secret = current_app.config["SHOPIFY_API_SECRET"] or ""
    try:
        domain = verify_proxy(request.args.to_dict(flat=False), secret)
    except InvalidSignature as exc:
        raise ApiError(401, "invalid_signature", str(exc)) from None
    stmt = select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == domain)
    shop = get_session().scalars(stmt).one_or_none()
    if shop is None or not shop.is_installed:
        raise ApiError(404, "shop_not_found", "Luneo is not installed on this store.")
    customer = request.args.get("logged_in_customer_id") or None
    g.storefront_shopper = Shopper(shop, customer, client_key=f"ip:{client_address(extra_hops=1)}")
    return None


def build(modules: Iterable[ModuleType]) -> Blueprint:
    bp = Blueprint("proxy", __name__, url_prefix="/proxy")
    bp.before_request(_guard)
    return finish(bp, modules)
