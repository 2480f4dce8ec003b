"""The admin's JSON API (``/api/admin/``): what the admin pages fetch and save.

One code path for both ways of signing in: inside Shopify every request carries a session
token (``Authorization: Bearer``); with the cookie session, writes also send the CSRF token
(``csrf_protected``). Errors are ``{"error": {"code", "message"}}``; invalid editor values add
``"fields"``, one message per field path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from app import input_guard
from app.admin import mockups, sync_status
from app.admin.auth import owner_required, shop_admin_required, signed_in_shop
from app.admin.csrf import csrf_protected
from app.ai.providers import provider_identity
from app.errors import ApiError, NotFound
from app.extensions import get_redis, get_session, get_storage
from app.formatting import iso
from app.fulfilment import audit, proofs
from app.ids import row_id
from app.models import Order, OrderItem, Product, ProductionJob, ShopScope, StoredFile, Template
from app.product_templates import document as template_documents
from app.product_templates import portable, presets, shop_clipart, shop_fonts
from app.product_templates import service as template_service
from app.product_templates.editor_input import InvalidInput, parse_template
from app.production import NotRetryable, requeue
from app.production.enqueue import enqueue_production
from app.sync import order_edits, recovery

bp = Blueprint("admin_api", __name__, url_prefix="/api/admin")

NO_PRODUCT = "There is no product with this id in your store."
NO_TEMPLATE = "This product has no template yet."


@contextmanager
def _committed_unless_invalid(scope: ShopScope) -> Iterator[None]:
    """Commit the template write inside, or undo it and answer the editor's per-field errors."""
    try:
        yield
    except InvalidInput as exc:
        scope.session.rollback()
        raise ApiError(400, "invalid", exc.message, fields=exc.fields) from None
    scope.session.commit()


def _scope() -> ShopScope:
    return ShopScope(get_session(), signed_in_shop().id)


def _link(stored: StoredFile) -> str:
    ttl = int(current_app.config["DOWNLOAD_URL_TTL"])
    return get_storage().download_url(stored.key, expires_in=ttl, filename=stored.original_name)


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
                "installed_at": iso(current.installed_at),
                "needs_reauth": current.needs_reauth,
                "scopes": sorted(current.scope_set),
            },
            "counts": {
                "products": scope.count(Product),
                "templates": scope.count(Template),
                "orders": scope.count(Order),
            },
            "sync": sync_status.recorded_or_derived(scope, current),
        }
    )


@bp.get("/sync")
@shop_admin_required
def sync() -> Response:
    """The catalog sync with live progress, polled by the dashboard while a sync runs."""
    current = signed_in_shop()
    status = sync_status.shop_sync_status(_scope(), current, get_redis())
    return jsonify(status.as_json())


# ---------------------------------------------------------------- templates


def _template_response(
    template: Template, product: Product, status: int = 200
) -> ResponseReturnValue:
    currency = signed_in_shop().currency
    document = template_documents.template_document(
        _scope(),
        template,
        product,
        currency,
        _link,
        ai_provider=provider_identity(current_app.config),
    )
    return jsonify({"template": document}), status


@bp.get("/products/<int:product_id>/template")
@shop_admin_required
def get_template(product_id: int) -> ResponseReturnValue:
    scope = _scope()
    product = scope.get_or_404(Product, product_id, NO_TEMPLATE)
    template = template_service.template_of(scope, product)
    if template is None:
        raise NotFound(NO_TEMPLATE)
    return _template_response(template, product)


@bp.post("/products/<int:product_id>/template")
@shop_admin_required
@csrf_protected
def make_customizable(product_id: int) -> ResponseReturnValue:
    """Create the product's template from the chosen preset (``{"preset": "mug_11oz"}``; none:
    one default print area), or return the existing one."""
    scope = _scope()
    product = scope.get_or_404(Product, product_id, NO_PRODUCT)
    body = request.get_json(silent=True) if request.get_data() else {}
    chosen = body.get("preset") if isinstance(body, dict) else None
    preset = presets.get(chosen) if chosen is None or isinstance(chosen, str) else None
    if preset is None:
        raise ApiError(
            422,
            "unknown_preset",
            "Choose one of the offered products.",
            fields={"preset": "unknown"},
        )
    template, created = template_service.make_customizable(scope, product, preset)
    scope.session.commit()
    return _template_response(template, product, 201 if created else 200)


@bp.put("/products/<int:product_id>/template")
@shop_admin_required
@csrf_protected
def save_template(product_id: int) -> ResponseReturnValue:
    """Replace the template's settings and print areas with the editor's values."""
    scope = _scope()
    product = scope.get_or_404(Product, product_id, NO_TEMPLATE)
    template = template_service.template_of(scope, product)
    if template is None:
        raise NotFound(NO_TEMPLATE)
    with _committed_unless_invalid(scope):
        values = parse_template(
            request.get_json(silent=True),
            signed_in_shop().currency,
            clipart_sets_now=list(template.clipart_sets or ()),
            shop_fonts=shop_fonts.families(scope),
            shop_clipart_sets=shop_clipart.set_keys(scope),
        )
        template_service.save_template(scope, template, values)
    return _template_response(template, product)


# A template document is a few KB (40 fields of 50 options at most: well under this).
TEMPLATE_DOCUMENT_MAX_BYTES = 512 * 1024


def _json_body() -> dict[str, Any]:
    """The body as a JSON object, or a clear 4xx: 413 past the size, 400 for anything else."""
    try:
        body = input_guard.loads(input_guard.limited_body(TEMPLATE_DOCUMENT_MAX_BYTES))
    except RequestEntityTooLarge:
        raise ApiError(413, "too_large", "This template file is too large.") from None
    except ValueError:  # not JSON, not UTF-8, nested too deeply or holding a NUL
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Send the template as a JSON object.")
    return body


def _product_template(scope: ShopScope, product_id: int) -> tuple[Product, Template]:
    product = scope.get_or_404(Product, product_id, NO_TEMPLATE)
    template = template_service.template_of(scope, product)
    if template is None:
        raise NotFound(NO_TEMPLATE)
    return product, template


@bp.get("/products/<int:product_id>/template/export")
@shop_admin_required
def export_template(product_id: int) -> ResponseReturnValue:
    """The template as a template.v1.json file, to keep or to import into another product."""
    _, template = _product_template(_scope(), product_id)
    document = portable.export_document(template, signed_in_shop().currency)
    response = current_app.response_class(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", mimetype="application/json"
    )
    name = secure_filename(template.name) or "template"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.luneo.json"'
    return response


@bp.post("/products/<int:product_id>/template/import")
@shop_admin_required
@csrf_protected
def import_template(product_id: int) -> ResponseReturnValue:
    """Create or replace the product's template from a template.v1.json document."""
    scope = _scope()
    product = scope.get_or_404(Product, product_id, NO_PRODUCT)
    document = _json_body()
    with _committed_unless_invalid(scope):
        template, created = portable.import_document(
            scope, product, document, signed_in_shop().currency
        )
    return _template_response(template, product, 201 if created else 200)


@bp.post("/products/<int:product_id>/template/copy")
@shop_admin_required
@csrf_protected
def copy_template(product_id: int) -> ResponseReturnValue:
    """Duplicate this product's template onto another product of the shop
    (``{"to_product_id": N, "replace": false}``)."""
    scope = _scope()
    _, source = _product_template(scope, product_id)
    body = _json_body()
    target_id = row_id(body.get("to_product_id"))
    if target_id is None:
        raise ApiError(
            400, "invalid", "Choose the product to copy to.", fields={"to_product_id": "Required."}
        )
    replace = body.get("replace", False)
    if not isinstance(replace, bool):
        raise ApiError(
            400,
            "invalid",
            "replace must be true or false.",
            fields={"replace": "Must be true or false."},
        )
    target = scope.get_or_404(Product, target_id, NO_PRODUCT)
    try:
        with _committed_unless_invalid(scope):
            template, created = portable.copy_template(
                scope, source, target, signed_in_shop().currency, replace=replace
            )
    except portable.TemplateExists:
        raise ApiError(
            409,
            "template_exists",
            "That product already has a template. Copy again with replace to overwrite it.",
        ) from None
    return _template_response(template, target, 201 if created else 200)


@bp.post("/mockups")
@shop_admin_required
@csrf_protected
def upload_mockup() -> ResponseReturnValue:
    """Store an uploaded mockup image (field ``file``); the editor then points an area at it."""
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "invalid", "Choose an image file to upload.")
    scope = _scope()
    try:
        data = mockups.read_limited(upload.stream)
        stored, facts = mockups.store_mockup(scope, get_storage(), data, upload.filename)
    except mockups.RejectedUpload as exc:
        raise ApiError(400, exc.code, exc.message) from None
    scope.session.commit()
    body = {
        "id": stored.id,
        "url": _link(stored),
        "width": facts.width,
        "height": facts.height,
        "content_type": stored.content_type,
        "size": stored.size,
        "name": stored.original_name,
    }
    return jsonify({"file": body}), 201


# ---------------------------------------------------------------- production


@bp.post("/production-jobs/<int:job_id>/retry")
@shop_admin_required
@csrf_protected
def retry_production(job_id: int) -> ResponseReturnValue:
    """Put a failed production job back in line, once its cause is fixed (or storage is back)."""
    scope = _scope()
    job = scope.get_or_404(ProductionJob, job_id, "There is no production job with this id.")
    try:
        requeue(job)
    except NotRetryable:
        message = f"This job is {job.status.value}: only a failed job can be retried."
        raise ApiError(409, "not_retryable", message) from None
    enqueue_production(scope.session, [(job.id, job.shop_id)])
    scope.session.commit()
    return jsonify({"job": {"id": job.id, "status": job.status.value}})


@bp.post("/production-jobs/<int:job_id>/proof")
@shop_admin_required
@csrf_protected
def send_proof(job_id: int) -> ResponseReturnValue:
    """ "Send proof": the shopper is e-mailed the proof to approve (again, after changes)."""
    scope = _scope()
    job = scope.get_or_404(ProductionJob, job_id, "There is no production job with this id.")
    shop = signed_in_shop()
    actor = audit.Actor(
        "merchant",
        str(shop.id),
        shop.name or shop.domain,
        request.remote_addr,
        request.headers.get("User-Agent"),
    )
    proof = proofs.merchant_send(scope, current_app.config, job, actor)
    scope.session.commit()
    body = {"status": proof.status.value, "sent_at": iso(proof.sent_at)}
    body["deadline_at"] = iso(proof.deadline_at)
    return jsonify({"proof": body}), 202


# ---------------------------------------------------------------- personalization


NO_ITEM = "There is no order item with this id in your store."


@bp.post("/order-items/<int:item_id>/recovery-link")
@shop_admin_required
@csrf_protected
def resend_recovery_link(item_id: int) -> ResponseReturnValue:
    """ "Send the link again": the shopper is e-mailed the link to add the missing design."""
    scope = _scope()
    item = scope.get_or_404(OrderItem, item_id, NO_ITEM)
    recovery.resend_link(scope, item, get_redis())
    scope.session.commit()
    sent = iso(item.recovery_sent_at)
    return jsonify({"item": {"id": item.id, "recovery_sent_at": sent}}), 202


@bp.post("/order-items/<int:item_id>/produce")
@shop_admin_required
@csrf_protected
def produce_anyway(item_id: int) -> ResponseReturnValue:
    """ "Produce anyway": an item held because its surcharge was not paid goes to production."""
    scope = _scope()
    item = scope.get_or_404(OrderItem, item_id, NO_ITEM)
    job = recovery.produce_anyway(scope, item)
    scope.session.commit()
    return jsonify({"job": {"id": job.id, "status": job.status.value}})


# ---------------------------------------------------------------- settings


@bp.put("/settings/order-edits")
@shop_admin_required
@csrf_protected
@owner_required
def save_order_edits() -> ResponseReturnValue:
    """``{"mode": "claim" | "hours" | "off", "hours"}``: how long customers may change their
    design after the order (``app.sync.order_edits``); the owners' choice."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Send a JSON object with mode and hours.")
    shop = signed_in_shop()
    window = order_edits.save_edit_window(shop, body.get("mode"), body.get("hours"))
    get_session().commit()
    return jsonify({"order_edits": window.as_dict()})
