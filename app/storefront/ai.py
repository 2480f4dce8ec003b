"""The widget's AI endpoints: ask for an image from a prompt, then poll until it is ready.

``POST /ai/generations`` answers at once (202) with the variants of the prompt to choose from
(``variants``: each a generation, the first also at the top level as one image was) and the URL
that polls them all (``GET /ai/variants/<id>,<id>…``); the pictures are made by the ``ai`` queue.
``"fresh": true`` asks for new pictures rather than the ones the prompt gave before.
Errors follow the storefront contract: 403 ``ai_disabled``, 402
``quota_exceeded``, 422 ``prompt_refused``, 429 ``rate_limited`` (with ``Retry-After``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from app.ai.providers import provider_label
from app.ai.safety import PromptRefused
from app.billing.quota import QuotaExceeded
from app.errors import ApiError, NotFound
from app.extensions import get_redis
from app.generation import requests as generation_requests
from app.generation.requests import VARIANTS
from app.generation.run import expire_if_stale
from app.ids import row_id
from app.models import Generation, GenerationStatus, StoredFile, Template
from app.storefront import current_scope, current_shopper
from app.storefront.catalog import file_link
from app.storefront.ratelimit import spend_file_bytes

QUOTA_MESSAGE = "This store can't create more AI images right now. Please try again later."
BLOCKED_MESSAGE = "This image is no longer available. Please create a new one."


def _options() -> generation_requests.Options:
    return generation_requests.options_from_config(current_app.config)


def _limits() -> generation_requests.Limits:
    return generation_requests.limits_from_config(current_app.config)


class _BadBody(ValueError):
    pass


@dataclass(frozen=True)
class _Ask:
    template_id: int
    area: str
    prompt: str
    style: str | None
    variants: int
    fresh: bool


def _body() -> _Ask:
    """What the JSON body asks for; _BadBody with a clear message."""
    data: Any = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise _BadBody("Send the description as JSON.")
    template_id, area = row_id(data.get("template_id")), data.get("area")
    prompt, style = data.get("prompt"), data.get("style")
    if template_id is None:
        raise _BadBody("template_id must be the template's number.")
    if not isinstance(area, str) or not area:
        raise _BadBody("area must name one of the product's print areas.")
    if not isinstance(prompt, str):
        raise _BadBody("Describe the image you want in prompt.")
    if style is not None and not isinstance(style, str):
        raise _BadBody("style must be one of the style keys offered.")
    variants, fresh = data.get("variants", VARIANTS), data.get("fresh", False)
    if isinstance(variants, bool) or not isinstance(variants, int) or variants < 1:
        raise _BadBody(f"variants must be a whole number from 1 to {VARIANTS}.")
    if not isinstance(fresh, bool):
        raise _BadBody("fresh must be true or false.")
    # More than the cap is asked for as the cap: the shopper never controls the cost beyond it.
    return _Ask(template_id, area, prompt, style or None, min(variants, VARIANTS), fresh)


def create_generation() -> ResponseReturnValue:
    try:
        ask = _body()
    except _BadBody as exc:
        raise ApiError(400, "invalid", str(exc)) from None
    scope, shopper = current_scope(), current_shopper()
    template = scope.get_or_404(Template, ask.template_id, "This product cannot be personalized.")
    requester = generation_requests.Requester(shopper.client_key, shopper.customer_ref)
    # RateLimited (a spent budget, checked before anything is written) is answered by app.errors.
    try:
        # The image will be the shopper's file: none while their (or the store's) bytes are spent.
        spend_file_bytes(get_redis(), shopper.shop.id, shopper.client_key, 0)
        rows = generation_requests.request_variants(
            scope,
            get_redis(),
            template,
            ask.area,
            ask.prompt,
            ask.style,
            _options(),
            requester,
            _limits(),
            variants=ask.variants,
            fresh=ask.fresh,
        )
    except generation_requests.AiUnavailable as exc:
        scope.session.rollback()
        raise ApiError(exc.status, exc.code, exc.message) from None
    except PromptRefused as exc:
        scope.session.commit()  # the refusal is recorded for the merchant's stats, uncharged
        raise ApiError(422, "prompt_refused", exc.message) from None
    except QuotaExceeded:
        scope.session.rollback()
        raise ApiError(402, "quota_exceeded", QUOTA_MESSAGE) from None
    scope.session.commit()
    # The same body as a poll: an answer served from the cache is already "succeeded", and the
    # widget stops polling on that status, so it must carry its image here.
    variants = [generation_json(row, _stored(row)) for row in rows]
    ids = ",".join(row.public_id for row in rows)
    body = {
        **variants[0],
        "poll_url": f"/ai/generations/{rows[0].public_id}",
        "variants": variants,
        "variants_url": f"/ai/variants/{ids}",
    }
    return jsonify(body), 202


def _stored(row: Generation) -> StoredFile | None:
    return current_scope().get(StoredFile, row.file_id) if row.file_id else None


def generation_json(row: Generation, stored: StoredFile | None) -> dict[str, Any]:
    config = current_app.config
    image = None
    message = row.message
    if row.blocked_at is not None:
        message = BLOCKED_MESSAGE
    elif row.status is GenerationStatus.SUCCEEDED and stored is not None:
        image = {
            "file_id": stored.id,
            "src": stored.key,  # unguessable, like an upload's
            "url": file_link(stored),
            "width_px": row.width_px,
            "height_px": row.height_px,
            "effective_dpi": row.effective_dpi,
            "native_dpi": row.native_dpi,
        }
    return {
        "id": row.public_id,
        "status": row.status.value,
        "progress": row.progress,
        "message": message,
        "provider": row.provider,
        "provider_label": provider_label({**config, "AI_PROVIDER": row.provider}),
        "image": image,
    }


def show_generation(generation_id: str) -> ResponseReturnValue:
    scope = current_scope()
    row = scope.get_by(Generation, public_id=generation_id[:40])
    if row is None:
        raise NotFound("This image request does not exist.")
    if expire_if_stale(scope.session, row):
        scope.session.commit()
    return jsonify(generation_json(row, _stored(row)))


def show_variants(ids_list: str) -> ResponseReturnValue:
    """The variants of one request, polled together: ``g_a,g_b`` (at most VARIANTS)."""
    ids = [i for i in ids_list.split(",") if i]
    if not ids or len(ids) > VARIANTS:
        raise ApiError(400, "invalid", f"ids must name 1 to {VARIANTS} image requests.")
    scope = current_scope()
    rows = [scope.get_by(Generation, public_id=public_id[:40]) for public_id in ids]
    variants = []
    for row in rows:
        if row is None:
            raise NotFound("This image request does not exist.")
        if expire_if_stale(scope.session, row):
            scope.session.commit()
        variants.append(generation_json(row, _stored(row)))
    return jsonify({"variants": variants})


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/ai/generations", view_func=create_generation, methods=["POST"])
    bp.add_url_rule("/ai/variants/<ids_list>", view_func=show_variants)
    bp.add_url_rule("/ai/generations/<generation_id>", view_func=show_generation)
