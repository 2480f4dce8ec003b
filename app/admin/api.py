"""The admin's JSON API (``/api/admin/``): what the embedded page fetches with a session token."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from app.admin.auth import shop_admin_required, signed_in_shop
from app.extensions import get_session
from app.models import Order, Product, ShopScope, Template

bp = Blueprint("admin_api", __name__, url_prefix="/api/admin")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@bp.get("/shop")
@shop_admin_required
def shop() -> Response:
    """The shop's own status: who it is, its plan, what is synced and whether it needs attention."""
    current = signed_in_shop()
    scope = ShopScope(get_session(), current.id)
    return jsonify(
        {
            "shop": {
                "domain": current.domain,
                "name": current.name,
                "platform": current.platform.value,
                "plan": current.plan,
                "currency": current.currency,
                "installed_at": _iso(current.installed_at),
                "needs_reauth": current.needs_reauth,
                "scopes": sorted(current.scope_set),
            },
            "counts": {
                "products": scope.count(Product),
                "templates": scope.count(Template),
                "orders": scope.count(Order),
            },
            "sync": current.extra.get("sync") or {"state": "never"},
        }
    )
