"""The storefront widget's API, reached through Shopify's app proxy (``/apps/luneo/...``).

Every request is signed by Shopify (``signature`` in the query): the guard checks it before
anything reads ``shop`` or ``logged_in_customer_id``, which are otherwise just text a visitor
typed. Answers are JSON, scoped to the signed shop.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.errors import error_response
from app.extensions import get_session, get_storage
from app.models import Platform, Product, Shop, ShopScope, StoredFile, Template
from app.shopify.signatures import InvalidSignature, verify_proxy
from app.template_documents import template_document

bp = Blueprint("proxy", __name__, url_prefix="/proxy")
P = ParamSpec("P")


def app_proxy_signed(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Run the view only for a request Shopify signed for a shop that has Luneo installed."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        secret = current_app.config.get("SHOPIFY_API_SECRET") or ""
        try:
            domain = verify_proxy(request.args.to_dict(flat=False), secret)
        except InvalidSignature as exc:
            return error_response(401, "invalid_signature", str(exc))
        stmt = select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == domain)
        shop = get_session().scalars(stmt).one_or_none()
        if shop is None or not shop.is_installed:
            return error_response(404, "shop_not_found", "Luneo is not installed on this store.")
        g.proxy_shop = shop
        return view(*args, **kwargs)

    return guarded


def _scope() -> ShopScope:
    shop: Shop = g.proxy_shop
    return ShopScope(get_session(), shop.id)


def _link(stored: StoredFile) -> str:
    ttl = int(current_app.config["DOWNLOAD_URL_TTL"])
    return get_storage().download_url(stored.key, expires_in=ttl)


@bp.get("/products/<product_id>/template")
@app_proxy_signed
def product_template(product_id: str) -> ResponseReturnValue:
    """The customizable template of a product (by Shopify's numeric id or gid), if active."""
    scope = _scope()
    external_id = (
        product_id
        if product_id.startswith("gid://")
        else (f"gid://shopify/Product/{product_id}" if product_id.isdigit() else "")
    )
    product = scope.get_by(Product, external_id=external_id) if external_id else None
    template = scope.get_by(Template, product_id=product.id) if product else None
    if product is None or template is None or not template.is_active:
        return error_response(404, "not_customizable", "This product cannot be personalized.")
    shop: Shop = g.proxy_shop
    return jsonify(template_document(scope, template, product, shop.currency, _link))
