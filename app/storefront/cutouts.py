"""``POST /ai/background-removals``: a photo's background removed by the store's AI provider.

For the backgrounds the offline removal (``POST /uploads/background-removal``) refuses as too
busy. It is an AI request like an image (the template's AI switch and the plan, the AI rate
limits, one unit of the store's AI quota) and answers the same way: 202 with a generation to
poll at ``/ai/generations/<id>``, whose image is the cut-out photo. The model redraws the photo,
so the widget says so and keeps the original a click away (undo).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from app.billing.quota import QuotaExceeded
from app.design.refs import FILE_REF
from app.errors import ApiError, NotFound
from app.extensions import get_redis
from app.generation import requests as generation_requests
from app.ids import row_id
from app.models import FileKind, StoredFile, Template
from app.production.assets import stored_file_for_ref
from app.storefront import current_scope, current_shopper
from app.storefront.ai import QUOTA_MESSAGE, generation_json
from app.storefront.ratelimit import spend_file_bytes

CUTTABLE = frozenset({FileKind.UPLOAD, FileKind.AI_IMAGE})
NOT_FOUND = "This picture was not found; please upload it again."


def _body() -> tuple[int, str, str]:
    data: Any = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid", "Send template_id, area and src as JSON.")
    template_id, area, src = row_id(data.get("template_id")), data.get("area"), data.get("src")
    if template_id is None:
        raise ApiError(400, "invalid", "template_id must be the template's number.")
    if not isinstance(area, str) or not area:
        raise ApiError(400, "invalid", "area must name one of the product's print areas.")
    if not isinstance(src, str) or not 0 < len(src) <= 1024:
        raise ApiError(400, "invalid_src", "Name the picture by the src its upload answered.")
    return template_id, area, src


def create_cutout() -> ResponseReturnValue:
    template_id, area, src = _body()
    scope, shopper = current_scope(), current_shopper()
    template = scope.get_or_404(Template, template_id, "This product cannot be personalized.")
    source = stored_file_for_ref(scope, src)
    if source is None or source.kind not in CUTTABLE or FILE_REF.fullmatch(src):
        raise NotFound(NOT_FOUND)  # another shop's picture is answered as a missing one
    requester = generation_requests.Requester(shopper.client_key, shopper.customer_ref)
    config = current_app.config
    try:
        spend_file_bytes(get_redis(), shopper.shop.id, shopper.client_key, 0)
        row = generation_requests.request_cutout(
            scope,
            get_redis(),
            template,
            area,
            source,
            generation_requests.options_from_config(config),
            requester,
            generation_requests.limits_from_config(config),
        )
    except generation_requests.AiUnavailable as exc:
        scope.session.rollback()
        raise ApiError(exc.status, exc.code, exc.message) from None
    except QuotaExceeded:
        scope.session.rollback()
        raise ApiError(402, "quota_exceeded", QUOTA_MESSAGE) from None
    scope.session.commit()
    stored = scope.get(StoredFile, row.file_id) if row.file_id is not None else None
    body = {**generation_json(row, stored), "poll_url": f"/ai/generations/{row.public_id}"}
    return jsonify(body), 202


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/ai/background-removals", view_func=create_cutout, methods=["POST"])
