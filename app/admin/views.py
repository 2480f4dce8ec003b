"""Merchant admin pages: parse the request, call one query, render. Every view is guarded."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for

from app.admin import queries, shop_settings, sync_status
from app.admin.auth import shop_admin_required, signed_in_shop
from app.ai.providers import provider_identity
from app.csrf import csrf_token
from app.extensions import get_redis, get_session, get_storage
from app.models import OrderItem, Product, ShopScope, StoredFile
from app.product_templates import document as template_documents
from app.product_templates import presets as product_presets
from app.product_templates import service as template_service
from app.product_templates import shop_clipart, shop_fonts
from app.shopify import install
from app.sync import order_edits

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def _scope() -> ShopScope:
    return ShopScope(get_session(), signed_in_shop().id)


def _file_linker() -> template_documents.FileLinker:
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
    # csrf_token is a function: only cookie-mode pages call it (the iframe keeps no cookie).
    return {"dev_sign_in": "devtools" in current_app.blueprints, "csrf_token": csrf_token}


@bp.get("/")
@shop_admin_required
def dashboard() -> str:
    shop = signed_in_shop()
    data = queries.dashboard(_scope(), shop, _file_linker())
    sync = sync_status.shop_sync_status(_scope(), shop, get_redis())
    return render_template("admin/dashboard.html", shop=shop, data=data, sync=sync)


@bp.get("/products")
@shop_admin_required
def products() -> str:
    query = request.args.get("q", "").strip()[: queries.MAX_SEARCH_LENGTH]
    page = queries.product_page(_scope(), query, _page_arg())
    return render_template(
        "admin/products.html",
        shop=signed_in_shop(),
        page=page,
        q=query,
        presets=product_presets.offered(),
    )


@bp.get("/products/<int:product_id>/template")
@shop_admin_required
def template_editor(product_id: int) -> str:
    """The template editor; for a product without a template, the offer to make one."""
    shop, scope = signed_in_shop(), _scope()
    product = scope.get(Product, product_id)
    if product is None:
        abort(404, description="There is no product with this id in your store.")
    template = template_service.template_of(scope, product)
    document = None
    if template is not None:
        document = template_documents.template_document(
            scope,
            template,
            product,
            shop.currency,
            _file_linker(),
            ai_provider=provider_identity(current_app.config),
        )
    return render_template(
        "admin/template_editor.html",
        shop=shop,
        product=product,
        template=document,
        options=template_service.editor_options(
            shop.currency,
            shop_fonts.families(scope),
            shop_clipart.clipart_document(scope, _file_linker()),
        ),
        presets=product_presets.offered() if template is None else [],
        product_data={
            "variants": queries.variant_choices(product),
            "copy_targets": queries.copy_targets(scope, product.id),
            "clipart": template_documents.clipart_document(),
        },
    )


@bp.get("/orders")
@shop_admin_required
def orders() -> str:
    page = queries.order_page(_scope(), _file_linker(), _page_arg())
    return render_template("admin/orders.html", shop=signed_in_shop(), page=page)


@bp.get("/orders/<int:order_id>")
@shop_admin_required
def order(order_id: int) -> str:
    row = queries.order_detail(_scope(), order_id, _file_linker(), _view_url)
    if row is None:
        abort(404, description="There is no order with this number in your store.")
    shop, secret = signed_in_shop(), str(current_app.config["SECRET_KEY"])
    edits = {}
    for line in row.items:
        edit = order_edits.merchant_edit(get_session(), secret, shop, line.item)
        if edit is not None:
            edits[line.item.id] = edit
    return render_template("admin/order.html", shop=shop, row=row, edits=edits)


def _view_url(item: OrderItem, area_key: str, view: int) -> str:
    """Where ``app.admin.order_views`` draws the line's design on an area's view."""
    return url_for(
        "admin.order_view", order_id=item.order_id, item_id=item.id, area_key=area_key, view=view
    )


@bp.get("/settings")
@shop_admin_required
def settings() -> str:
    shop = signed_in_shop()
    data = shop_settings.shop_settings(
        _scope(),
        shop,
        str(current_app.config["SCOPES"] or ""),
        _file_linker(),
        _shopify_admin_url,
    )
    window = order_edits.edit_window(shop)
    return render_template("admin/settings.html", shop=shop, data=data, edit_window=window)


def _shopify_admin_url(domain: str) -> str:
    """Luneo in the shop's Shopify admin: Shopify loads it signed, and /app re-authorizes."""
    try:
        app = install.ShopifyApp.from_config(current_app.config)
    except install.NotConfigured:
        return f"/?shop={domain}"  # nothing can authorize until the app is configured
    return install.admin_apps_url(app, domain)
