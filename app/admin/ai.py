"""Merchant controls for AI images: the ``/admin/ai`` page and its ``/api/admin/ai`` JSON API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue

from app.admin.auth import shop_admin_required, signed_in_shop
from app.admin.csrf import csrf_protected
from app.ai.providers import provider_label, provider_name, provider_sentence
from app.ai.safety import PromptRefused
from app.billing import quota
from app.billing.plans import Feature
from app.csrf import csrf_token
from app.errors import ApiError, NotFound
from app.extensions import get_redis, get_session, get_storage
from app.generation import admin as ai_admin
from app.generation import settings as ai_settings
from app.generation.requests import AiUnavailable
from app.ids import row_id
from app.models import ShopScope, StoredFile, Template
from app.storefront.ai import _limits, _options

bp = Blueprint("admin_ai", __name__, template_folder="templates")
NO_TEMPLATE = "There is no template with this id in your store."


@bp.context_processor
def _layout_context() -> dict[str, Any]:
    # What admin/layout.html needs, as the admin pages' own blueprint provides it.
    return {"dev_sign_in": "devtools" in current_app.blueprints, "csrf_token": csrf_token}


def _scope() -> ShopScope:
    return ShopScope(get_session(), signed_in_shop().id)


def _link(stored: StoredFile) -> str:
    ttl = int(current_app.config["DOWNLOAD_URL_TTL"])
    return get_storage().download_url(stored.key, expires_in=ttl)


def _gallery_json(scope: ShopScope) -> list[dict[str, Any]]:
    return [
        {
            "id": item.generation.public_id,
            "prompt": item.generation.prompt,
            "style": item.generation.style,
            "created_at": item.generation.created_at.isoformat(),
            "blocked": item.generation.blocked_at is not None,
            "url": _link(item.file) if item.file else None,
            "effective_dpi": item.generation.effective_dpi,
        }
        for item in ai_admin.gallery(scope)
    ]


def _overview(scope: ShopScope) -> dict[str, Any]:
    templates = scope.all(Template, Template.name)
    return {
        "provider": provider_name(current_app.config),
        "provider_label": provider_label(current_app.config),
        "provider_sentence": provider_sentence(current_app.config),
        "usage": ai_admin.usage(scope, signed_in_shop()),
        "styles": [s.as_json() for s in ai_settings.styles(scope)],
        "deny_terms": ai_settings.deny_terms(scope),
        "templates": [{"id": t.id, "name": t.name, "ai_enabled": t.ai_enabled} for t in templates],
        "gallery": _gallery_json(scope),
    }


BLANK_STYLE_ROWS = 3  # empty rows the styles form offers (it works without JS too)


def _style_rows(styles: list[dict[str, str]]) -> list[dict[str, str]]:
    """The form's rows: the styles, then blank rows to add new ones (up to the limit)."""
    blank = max(0, min(BLANK_STYLE_ROWS, ai_settings.MAX_STYLES - len(styles)))
    return [dict(s) for s in styles] + [{"key": "", "label": "", "prefix": ""}] * blank


def _render_page(
    rows: list[dict[str, str]] | None = None,
    problems: dict[str, str] | None = None,
    deny_terms: str | None = None,
) -> str:
    data = _overview(_scope())
    return render_template(
        "admin/ai.html",
        shop=signed_in_shop(),
        data=data,
        style_rows=_style_rows(data["styles"]) if rows is None else rows,
        problems=problems or {},
        deny_text="\n".join(data["deny_terms"]) if deny_terms is None else deny_terms,
        saved=request.args.get("saved") == "1",
    )


@bp.get("/admin/ai")
@shop_admin_required
def page() -> str:
    return _render_page()


def _form_rows() -> list[dict[str, str]]:
    """The styles form's rows as posted (``styles-<i>-key|label|prefix|remove``), in order;
    a row ticked *Remove* is left out."""
    rows = []
    for i in range(ai_settings.MAX_STYLES * 2):
        names = [f"styles-{i}-{cell}" for cell in ("key", "label", "prefix")]
        if not any(n in request.form for n in names):
            continue
        if request.form.get(f"styles-{i}-remove"):
            continue
        rows.append(
            {
                cell: request.form.get(f"styles-{i}-{cell}", "")[:1000]
                for cell in ("key", "label", "prefix")
            }
        )
    return rows


@bp.post("/admin/ai/settings")
@shop_admin_required
@csrf_protected
def save_settings_form() -> ResponseReturnValue:
    """The styles form posted without JavaScript: saved and back to the page, or the page again
    with each row's problems (400)."""
    scope = _scope()
    rows = _form_rows()
    deny_text = request.form.get("deny_terms", "")[:20_000]
    try:
        ai_settings.save(scope, {"styles": rows, "deny_terms": deny_text})
    except ai_settings.InvalidSettings as exc:
        scope.session.rollback()
        # the JSON names a cell ``styles.<i>.label``, the form ``styles-<i>-label``
        problems = {field.replace(".", "-"): message for field, message in exc.fields.items()}
        return _render_page(rows, problems, deny_text), 400
    scope.session.commit()
    return redirect("/admin/ai?saved=1", code=303)


@bp.get("/api/admin/ai")
@shop_admin_required
def overview() -> ResponseReturnValue:
    return jsonify(_overview(_scope()))


@bp.put("/api/admin/ai/settings")
@shop_admin_required
@csrf_protected
def save_settings() -> ResponseReturnValue:
    scope = _scope()
    try:
        ai_settings.save(scope, request.get_json(silent=True))
    except ai_settings.InvalidSettings as exc:
        raise ApiError(400, "invalid", exc.message, fields=exc.fields) from None
    scope.session.commit()
    return jsonify(
        {
            "styles": [s.as_json() for s in ai_settings.styles(scope)],
            "deny_terms": ai_settings.deny_terms(scope),
        }
    )


@bp.put("/api/admin/ai/templates/<int:template_id>")
@shop_admin_required
@csrf_protected
def set_template(template_id: int) -> ResponseReturnValue:
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("ai_enabled"), bool):
        raise ApiError(400, "invalid", 'Send {"ai_enabled": true or false}.')
    scope = _scope()
    template = ai_admin.set_template_ai(scope, template_id, data["ai_enabled"])
    if template is None:
        raise NotFound(NO_TEMPLATE)
    scope.session.commit()
    return jsonify({"id": template.id, "ai_enabled": template.ai_enabled})


@bp.post("/api/admin/ai/generations/<generation_id>/block")
@shop_admin_required
@csrf_protected
def block(generation_id: str) -> ResponseReturnValue:
    scope = _scope()
    row = ai_admin.block(scope, generation_id)
    if row is None:
        raise NotFound("There is no generated image with this id.")
    scope.session.commit()
    return jsonify({"id": row.public_id, "blocked": True})


@bp.post("/api/admin/ai/bulk")
@shop_admin_required
@csrf_protected
def bulk() -> ResponseReturnValue:
    """Variations for a template from a list of prompts, as one batch job (charged per prompt)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("prompts"), list):
        raise ApiError(400, "invalid", "Send template_id, area and a list of prompts.")
    scope, shop = _scope(), signed_in_shop()
    template = scope.get_or_404(Template, row_id(data.get("template_id")), NO_TEMPLATE)
    try:
        quota.require_feature(scope.session, shop, Feature.BULK)
        batch_id, rows = ai_admin.start_bulk(
            scope,
            get_redis(),
            template,
            str(data.get("area") or "front"),
            [str(p) for p in data["prompts"]],
            data.get("style") or None,
            _options(),
            _limits(),
        )
    except quota.QuotaExceeded as exc:
        scope.session.rollback()
        raise ApiError(402, "quota_exceeded", exc.message) from None
    except (AiUnavailable, PromptRefused, ValueError) as exc:
        scope.session.rollback()
        raise ApiError(422, "invalid", getattr(exc, "message", str(exc))) from None
    scope.session.commit()
    return jsonify({"batch_id": batch_id, "generations": [r.public_id for r in rows]}), 202
