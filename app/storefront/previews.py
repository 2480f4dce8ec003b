"""``POST /previews``: the design on the mockup at web size, while the shopper edits."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from app.errors import ApiError
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
    """``{template_id, document, area}`` -> PNG, or WebP when the Accept header prefers it."""
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
    document = fielded_document(template_spec(template), body.get("document"), check=False)
    mimetype = request.accept_mimetypes.best_match(list(FORMATS)) or "image/png"
    image_format = FORMATS[mimetype]
    data = cached_preview(template, area, document, image_format)
    if data is None:
        design = valid_design(scope, template, document)
        data = render_preview(scope, template, design, document, area, image_format)
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "private, max-age=0, no-store"
    response.vary.add("Accept")
    return response


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/previews", view_func=render, methods=["POST"])
