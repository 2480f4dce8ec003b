"""A merchant's own fonts and clipart: the ``/admin/assets`` page and its JSON API.

Uploading and deleting are the store owners' (``owner_required``): a font upload states that the
store holds a licence allowing embedding in print files and web use, which is the owner's to
state, and what is printed for every order follows from both. Staff see the page and the
lists, not the forms; the API answers them 403 ``owner_only``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from app.admin.auth import (
    acts_as_owner,
    owner_required,
    shop_admin_required,
    signed_in_shop,
    signed_in_with_token,
)
from app.admin.csrf import csrf_protected
from app.csrf import csrf_token
from app.design.merchant_fonts import MAX_FONT_BYTES
from app.errors import ApiError
from app.extensions import get_session, get_storage
from app.ids import row_id
from app.models import MerchantFont, ShopScope
from app.product_templates import shop_fonts

bp = Blueprint("admin_assets", __name__, template_folder="templates")
NO_FONT = "There is no font with this id in your store."


@bp.context_processor
def _layout_context() -> dict[str, Any]:
    return {"dev_sign_in": "devtools" in current_app.blueprints, "csrf_token": csrf_token}


def _scope() -> ShopScope:
    return ShopScope(get_session(), signed_in_shop().id)


def _who() -> str:
    """Who confirms a licence: the signed-in account's e-mail, else the Shopify store."""
    from app.accounts.session import current_user, has_account_session

    user = current_user() if has_account_session() else None
    if user is not None:
        return user.email
    shop = signed_in_shop()
    if signed_in_with_token():
        return f"{shop.domain} (Shopify admin)"
    return f"{shop.domain} (development sign-in)"


def _fonts_json(scope: ShopScope) -> list[dict[str, Any]]:
    used = shop_fonts.used_by(scope)
    return [shop_fonts.font_json(f, used.get(f.family, [])) for f in shop_fonts.fonts(scope)]


@bp.get("/admin/assets")
@shop_admin_required
def page() -> str:
    scope = _scope()
    used = shop_fonts.used_by(scope)
    return render_template(
        "admin/assets.html",
        shop=signed_in_shop(),
        fonts=[(f, used.get(f.family, [])) for f in shop_fonts.fonts(scope)],
        can_change=acts_as_owner(),
        max_font_mb=MAX_FONT_BYTES // (1024 * 1024),
    )


@bp.get("/api/admin/fonts")
@shop_admin_required
def list_fonts() -> ResponseReturnValue:
    return jsonify({"fonts": _fonts_json(_scope())})


def _read_upload(field: str, limit: int, what: str) -> tuple[bytes, str]:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise ApiError(
            400, "invalid", f"Choose a {what} file to upload.", fields={field: "Required."}
        )
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        message = f"The file is larger than {limit // (1024 * 1024)} MB."
        raise ApiError(413, "too_large", message, fields={field: message})
    if not data:
        raise ApiError(400, "invalid", "The file is empty.", fields={field: "The file is empty."})
    return data, upload.filename


@bp.post("/api/admin/fonts")
@shop_admin_required
@owner_required
@csrf_protected
def upload_font() -> ResponseReturnValue:
    """A font file (``file``), its name (``family``, optional) and the licence box
    (``licence``: checked)."""
    data, filename = _read_upload("file", MAX_FONT_BYTES, "font")
    scope = _scope()
    sent = shop_fonts.Upload(
        data=data,
        filename=filename,
        family=request.form.get("family", "")[:200],
        licence_confirmed=request.form.get("licence") in ("1", "on", "true", "yes"),
        confirmed_by=_who(),
    )
    try:
        font = shop_fonts.upload(scope, get_storage(), sent)
    except shop_fonts.FontRejected as exc:
        scope.session.rollback()
        raise ApiError(400, "font_refused", exc.message, fields={exc.field: exc.message}) from None
    scope.session.commit()
    return jsonify(shop_fonts.font_json(font, [])), 201


@bp.delete("/api/admin/fonts/<font_id>")
@shop_admin_required
@owner_required
@csrf_protected
def delete_font(font_id: str) -> ResponseReturnValue:
    scope = _scope()
    font = scope.get_or_404(MerchantFont, row_id(font_id), NO_FONT)
    try:
        shop_fonts.delete(scope, font)
    except shop_fonts.FontInUse as exc:
        scope.session.rollback()
        names = ", ".join(exc.templates)
        raise ApiError(
            409,
            "font_in_use",
            f"{font.family} is offered by these products' templates: {names}. "
            "Remove it from them first.",
        ) from None
    scope.session.commit()
    return jsonify({"deleted": True})
