"""``POST /previews``: the design on the mockup at web size, while the shopper edits."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from app.errors import ApiError
from app.models import Template
from app.storefront import current_scope
from app.storefront.inputs import (
    active_template,
    fielded_document,
    json_object,
    template_spec,
    valid_design,
)
from app.storefront.rendering import cached_preview, render_preview

FORMATS = {"image/png": "png", "image/webp": "webp"}


def render() -> ResponseReturnValue:
    """``{template_id, document, area[, view]}`` -> PNG, or WebP when the Accept header prefers
    it; ``view``: which of the area's pictures (0, its mockup, when left out; then each of the
    template document's ``views`` in order)."""
    scope, body = current_scope(), json_object()
    template = active_template(scope, body)
    area = body.get("area")
    if not isinstance(area, str) or area not in {a.key for a in template.print_areas}:
        raise ApiError(
            422,
            "invalid_area",
            "Choose one of this product's print areas.",
            [{"path": "area", "message": "this product has no such print area"}],
        )
    view = _view(template, area, body.get("view", 0))
    document = fielded_document(template_spec(template), body.get("document"), check=False)
    mimetype = request.accept_mimetypes.best_match(list(FORMATS)) or "image/png"
    image_format = FORMATS[mimetype]
    data = cached_preview(template, area, document, image_format, view=view)
    if data is None:
        design = valid_design(scope, template, document)
        data = render_preview(scope, template, design, document, area, image_format, view=view)
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "private, max-age=0, no-store"
    response.vary.add("Accept")
    return response


def _view(template: Template, area_key: str, raw: Any) -> int:
    """The view number asked for, or a 422 saying which numbers this area has."""
    area = next(a for a in template.print_areas if a.key == area_key)
    count = 1 + len(area.views)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < count:
        raise ApiError(
            422,
            "invalid_view",
            "Choose one of this print area's views.",
            [{"path": "view", "message": f"this print area has views 0 to {count - 1}"}],
        )
    return raw


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/previews", view_func=render, methods=["POST"])
