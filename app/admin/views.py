"""Merchant admin pages: parse the request, call one query, render. Every view is guarded."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from app.admin import queries
from app.admin.auth import shop_admin_required, signed_in_shop
from app.extensions import get_session, get_storage
from app.models import ShopScope, StoredFile

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def _scope() -> ShopScope:
    return ShopScope(get_session(), signed_in_shop().id)


def _file_linker() -> queries.FileLinker:
    """Signed, expiring download links, named after the original file when it had a name."""
    storage = get_storage()
    ttl = int(current_app.config["DOWNLOAD_URL_TTL"])

    def link(stored: StoredFile) -> str:
        return storage.download_url(stored.key, expires_in=ttl, filename=stored.original_name)

    return link


def _page_arg() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.context_processor
def _layout_context() -> dict[str, Any]:
    return {"dev_sign_in": "devtools" in current_app.blueprints}


@bp.get("/")
@shop_admin_required
def dashboard() -> str:
    shop = signed_in_shop()
    data = queries.dashboard(_scope(), shop)
    return render_template("admin/dashboard.html", shop=shop, data=data)


@bp.get("/products")
@shop_admin_required
def products() -> str:
    query = request.args.get("q", "").strip()[: queries.MAX_SEARCH_LENGTH]
    page = queries.product_page(_scope(), query, _page_arg())
    return render_template("admin/products.html", shop=signed_in_shop(), page=page, q=query)


@bp.get("/orders")
@shop_admin_required
def orders() -> str:
    page = queries.order_page(_scope(), _file_linker(), _page_arg())
    return render_template("admin/orders.html", shop=signed_in_shop(), page=page)


@bp.get("/orders/<int:order_id>")
@shop_admin_required
def order(order_id: int) -> str:
    row = queries.order_detail(_scope(), order_id, _file_linker())
    if row is None:
        abort(404, description="There is no order with this number in your store.")
    return render_template("admin/order.html", shop=signed_in_shop(), row=row)
