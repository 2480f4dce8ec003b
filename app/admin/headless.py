"""The store's headless key: the ``/admin/headless`` page and its JSON API.

A custom storefront (Hydrogen, any front-end without the Liquid block or the WordPress plugin)
calls the storefront API with this key from the origins listed here
(``app.storefront.headless_surface``). Creating, rotating, revoking the key and editing its
origins are the store owners' (``owner_required``): whoever holds the key and an allowed origin
can save designs and spend the store's AI quota. Staff see the page, not the controls; the API
answers them 403 ``owner_only``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from app import headless_keys
from app.admin.auth import acts_as_owner, owner_required, shop_admin_required, signed_in_shop
from app.admin.csrf import csrf_protected
from app.csrf import csrf_token
from app.errors import ApiError
from app.extensions import get_session
from app.storefront.headless_surface import URL_PREFIX

bp = Blueprint("admin_headless", __name__, template_folder="templates")


@bp.context_processor
def _layout_context() -> dict[str, Any]:
    return {"dev_sign_in": "devtools" in current_app.blueprints, "csrf_token": csrf_token}


def _state() -> dict[str, Any]:
    row = headless_keys.key_of(get_session(), signed_in_shop())
    return {
        "key": row.key if row is not None else None,
        "origins": headless_keys.origins_of(row) if row is not None else [],
        "api_base": request.host_url.rstrip("/") + URL_PREFIX,
    }


@bp.get("/admin/headless")
@shop_admin_required
def page() -> str:
    return render_template(
        "admin/headless.html",
        shop=signed_in_shop(),
        state=_state(),
        can_change=acts_as_owner(),
        max_origins=headless_keys.MAX_ORIGINS,
    )


@bp.get("/api/admin/headless-key")
@shop_admin_required
def show() -> ResponseReturnValue:
    return jsonify(_state())


def _sent_origins() -> list[str] | None:
    """``origins`` of the JSON body (a list, or text with one per line), None when absent."""
    body: Any = request.get_json(silent=True)
    if body is None:
        return None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid", "Send a JSON object.")
    raw = body.get("origins")
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, list) or not all(isinstance(o, str) for o in raw):
        raise ApiError(400, "invalid", "origins must be a list of web addresses.")
    try:
        return headless_keys.clean_origins(o[:300] for o in raw[:200])
    except headless_keys.OriginRefused as exc:
        raise ApiError(422, "origin_refused", str(exc), fields={"origins": str(exc)}) from None


@bp.post("/api/admin/headless-key")
@shop_admin_required
@owner_required
@csrf_protected
def create_or_rotate() -> ResponseReturnValue:
    """Create the key, or give it a new value (pages using the old one stop working)."""
    origins = _sent_origins()
    session = get_session()
    row = headless_keys.create_or_rotate(session, signed_in_shop())
    if origins is not None:
        headless_keys.set_origins(session, row, origins)
    session.commit()
    return jsonify(_state()), 201


@bp.put("/api/admin/headless-key/origins")
@shop_admin_required
@owner_required
@csrf_protected
def set_origins() -> ResponseReturnValue:
    origins = _sent_origins()
    if origins is None:
        raise ApiError(400, "invalid", "Send origins.", fields={"origins": "Required."})
    session = get_session()
    row = headless_keys.key_of(session, signed_in_shop())
    if row is None:
        raise ApiError(404, "no_key", "Create a headless key first.")
    headless_keys.set_origins(session, row, origins)
    session.commit()
    return jsonify(_state())


@bp.delete("/api/admin/headless-key")
@shop_admin_required
@owner_required
@csrf_protected
def revoke() -> ResponseReturnValue:
    session = get_session()
    revoked = headless_keys.revoke(session, signed_in_shop())
    session.commit()
    return jsonify({"revoked": revoked})
