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
from app.design.merchant_clipart import (
    GOOD_PNG_LONG_SIDE,
    MAX_PNG_BYTES,
    MAX_SVG_BYTES,
    MAX_SVG_ELEMENTS,
    MIN_PNG_LONG_SIDE,
)
from app.design.merchant_fonts import MAX_FONT_BYTES
from app.errors import ApiError
from app.extensions import get_session, get_storage
from app.ids import row_id
from app.models import MerchantClipart, MerchantClipartSet, MerchantFont, ShopScope, StoredFile
from app.product_templates import shop_clipart, shop_fonts

bp = Blueprint("admin_assets", __name__, template_folder="templates")
NO_FONT = "There is no font with this id in your store."
NO_SET = "There is no clipart set with this id in your store."
NO_PIECE = "There is no clipart with this id in your store."


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
        clipart=_clipart_json(scope),
        can_change=acts_as_owner(),
        max_font_mb=MAX_FONT_BYTES // (1024 * 1024),
        limits={
            "svg_kb": MAX_SVG_BYTES // 1024,
            "svg_elements": MAX_SVG_ELEMENTS,
            "png_mb": MAX_PNG_BYTES // (1024 * 1024),
            "png_min": MIN_PNG_LONG_SIDE,
            "png_good": GOOD_PNG_LONG_SIDE,
        },
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
        raise ApiError(409, "font_in_use", exc.says(font.family)) from None
    scope.session.commit()
    return jsonify({"deleted": True})


# ---------------------------------------------------------------- clipart


def _link(stored: StoredFile) -> str:
    ttl = int(current_app.config["DOWNLOAD_URL_TTL"])
    return get_storage().download_url(stored.key, expires_in=ttl)


def _clipart_json(scope: ShopScope) -> list[dict[str, Any]]:
    """The shop's sets as the picker shows them, with each set's id and the templates using it."""
    rows = {shop_clipart.set_key(s): s for s in shop_clipart.sets(scope)}
    documents = shop_clipart.clipart_document(scope, _link)
    pieces = {
        f"clipart:{shop_clipart.set_key(s)}/{p.name}": p for s in rows.values() for p in s.pieces
    }
    for document in documents:
        row = rows[document["set"]]
        document["id"] = row.id
        document["templates"] = [t.name for t in shop_clipart.templates_using(scope, row.key)]
        for item in document["items"]:
            piece = pieces[item["src"]]
            item.update(id=piece.id, kind=piece.kind.value, size=[piece.width_px, piece.height_px])
    return documents


@bp.get("/api/admin/clipart")
@shop_admin_required
def list_clipart() -> ResponseReturnValue:
    return jsonify({"sets": _clipart_json(_scope())})


@bp.post("/api/admin/clipart/sets")
@shop_admin_required
@owner_required
@csrf_protected
def create_set() -> ResponseReturnValue:
    data = request.get_json(silent=True)
    label = data.get("label") if isinstance(data, dict) else None
    if not isinstance(label, str):
        raise ApiError(
            400, "invalid", 'Send {"label": "the set\'s name"}.', fields={"label": "Required."}
        )
    scope = _scope()
    try:
        row = shop_clipart.create_set(scope, label)
    except shop_clipart.ClipartRejected as exc:
        scope.session.rollback()
        raise ApiError(400, "invalid", exc.message, fields={exc.field: exc.message}) from None
    scope.session.commit()
    return jsonify({"id": row.id, "key": row.key, "label": row.label}), 201


def _in_use(what: str, exc: shop_clipart.SetInUse) -> ApiError:
    return ApiError(409, "clipart_in_use", exc.says(what))


@bp.delete("/api/admin/clipart/sets/<set_id>")
@shop_admin_required
@owner_required
@csrf_protected
def delete_set(set_id: str) -> ResponseReturnValue:
    scope = _scope()
    row = scope.get_or_404(MerchantClipartSet, row_id(set_id), NO_SET)
    try:
        shop_clipart.delete_set(scope, row)
    except shop_clipart.SetInUse as exc:
        scope.session.rollback()
        raise _in_use(f"The set {row.label}", exc) from None
    scope.session.commit()
    return jsonify({"deleted": True})


@bp.post("/api/admin/clipart/sets/<set_id>/pieces")
@shop_admin_required
@owner_required
@csrf_protected
def add_piece(set_id: str) -> ResponseReturnValue:
    """An SVG or PNG (``file``) and its label (``label``, optional: the file's name)."""
    scope = _scope()
    row = scope.get_or_404(MerchantClipartSet, row_id(set_id), NO_SET)
    data, filename = _read_upload("file", max(MAX_PNG_BYTES, MAX_SVG_BYTES), "clipart")
    label = request.form.get("label", "")[:200] or filename.rsplit(".", 1)[0]
    try:
        added = shop_clipart.add_piece(scope, get_storage(), row, data, label)
    except shop_clipart.ClipartRejected as exc:
        scope.session.rollback()
        raise ApiError(
            400, "clipart_refused", exc.message, fields={exc.field: exc.message}
        ) from None
    scope.session.commit()
    piece = added.piece
    body = {
        "id": piece.id,
        "src": f"clipart:{row.key}/{piece.name}",
        "label": piece.label,
        "kind": piece.kind.value,
        "size": [piece.width_px, piece.height_px],
        "removed": list(added.removed),
        "warnings": list(added.warnings),
    }
    return jsonify(body), 201


@bp.delete("/api/admin/clipart/pieces/<piece_id>")
@shop_admin_required
@owner_required
@csrf_protected
def delete_piece(piece_id: str) -> ResponseReturnValue:
    scope = _scope()
    piece = scope.get_or_404(MerchantClipart, row_id(piece_id), NO_PIECE)
    try:
        shop_clipart.delete_piece(scope, piece)
    except shop_clipart.SetInUse as exc:
        scope.session.rollback()
        raise _in_use(f"The set {piece.clipart_set.label}", exc) from None
    scope.session.commit()
    return jsonify({"deleted": True})
