"""``POST /designs`` (save, or update a draft) and ``GET /designs/<id>``.

A save validates the document (``design_rules``), runs preflight, renders and stores the preview
the cart, checkout and e-mails show, and answers the id the cart line carries
(``_luneo_design``) with a one-line summary for the visible line property. A design with
preflight *errors* is still kept (the shopper loses nothing) but stays a draft, ``ready: false``;
the editor shows the findings instead of adding it to the cart.

Who may change a design (a design id is no secret: it rides in the cart, the order and the
preview link): a signed-in customer's design only that customer (Shopify signs
``logged_in_customer_id``); an anonymous design only whoever holds its ``edit_token``, an HMAC
of its id answered to the save that made it and asked back with every later save. Anyone else is
told the design does not exist, and a signed-in customer never claims an anonymous design
without its token. Reading a design by id gives its summary, status and preview link (what
the cart shows, and what the WordPress plugin checks); the document itself — which names the
shopper's photos by their storage keys — only to its signed-in customer.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import exists, select

from app.design import DesignError, parse_design, preflight
from app.errors import ApiError
from app.extensions import get_session, get_storage
from app.models import (
    Design,
    DesignStatus,
    FileKind,
    ProductionFile,
    ShopScope,
    StoredFile,
    Template,
)
from app.product_templates.render_spec import template_spec_from_row
from app.production.assets import AssetUnavailable, shop_assets
from app.signing import Mark
from app.stored_files import store_bytes
from app.storefront import current_scope, current_shopper
from app.storefront.design_rules import summary
from app.storefront.inputs import active_template, json_object, valid_design
from app.storefront.public import design_signature, design_signature_matches, preview_link
from app.storefront.rendering import primary_area, render_preview

NOT_FOUND = "This design was not found."


def edit_token(design: Design) -> str:
    """The anonymous maker's proof of a design: only the saves of that design answer it."""
    return design_signature(design.public_id, Mark.DESIGN_EDIT)


def _existing(scope: ShopScope, body: dict[str, Any]) -> Design | None:
    """The design a save names, if the caller may change it; 404 as if unknown otherwise."""
    design_id = body.get("design_id")
    if design_id is None:
        return None
    if not isinstance(design_id, str) or not design_id.startswith("d_") or len(design_id) > 40:
        raise ApiError(400, "invalid_design_id", "design_id must be a design id (d_…).")
    design = _shown(scope, design_id)
    if not _may_change(design, body.get("edit_token")):
        raise ApiError(404, "design_not_found", NOT_FOUND)
    if not design.is_editable:
        raise ApiError(
            409, "design_locked", "This design was ordered; start a new one to change it."
        )
    return design


def _may_change(design: Design, token: object) -> bool:
    """A customer's design: that signed-in customer. An anonymous one: its edit token."""
    if design.customer_ref is not None:
        return _is_its_customer(design)
    if not isinstance(token, str):
        return False
    return design_signature_matches(design.public_id, token, Mark.DESIGN_EDIT)


def _is_its_customer(design: Design) -> bool:
    return design.customer_ref is not None and design.customer_ref == current_shopper().customer_ref


def _shown(scope: ShopScope, public_id: str) -> Design:
    """The shop's design with this id, unless another signed-in customer made it."""
    design = scope.get_by(Design, public_id=public_id)
    if design is None or (design.customer_ref and not _is_its_customer(design)):
        raise ApiError(404, "design_not_found", NOT_FOUND)
    return design


def save_design() -> ResponseReturnValue:
    scope, body = current_scope(), json_object()
    template = active_template(scope, body)
    design = valid_design(scope, template, body.get("document"))
    document: dict[str, Any] = body["document"]  # a JSON object: the schema said so
    row = _existing(scope, body) or scope.add(Design())
    try:
        spec, assets = template_spec_from_row(template), shop_assets(scope, get_storage())
        findings = preflight(design, spec, assets)
    except AssetUnavailable:
        raise ApiError(503, "unavailable", "Saving is unavailable right now; retry.") from None
    image = render_preview(scope, template, design, document, primary_area(template, design))
    replaced = _replace_preview(scope, row, image)
    ready = not any(f.severity == "error" for f in findings)
    row.template_id, row.product_id = template.id, template.product_id
    row.document, row.schema_version = document, design.version
    row.status = DesignStatus.SAVED if ready else DesignStatus.DRAFT
    # A new design is the signed-in customer's; an anonymous one whose token came with the save
    # becomes theirs when they have signed in since (``_existing`` checked the token).
    row.customer_ref = row.customer_ref or current_shopper().customer_ref
    text = summary(template, design)
    get_session().commit()
    if replaced is not None:
        get_storage().delete(replaced)
    body_out = {
        "design_id": row.public_id,
        "preview_url": preview_link(row),
        "summary": text,
        "status": row.status.value,
        "ready": ready,
        "edit_token": edit_token(row) if row.customer_ref is None else None,
        "findings": [f.as_dict() for f in findings],
    }
    return jsonify(body_out), 201


def _replace_preview(scope: ShopScope, design: Design, image: bytes) -> str | None:
    """Store the new preview; the old row goes unless a production job holds on to it.

    Returns the old file's storage key, to delete once the new row is committed.
    """
    stored = store_bytes(
        scope,
        get_storage(),
        image,
        kind=FileKind.PREVIEW,
        folder="previews",
        extension="png",
        content_type="image/png",
    )
    old = scope.get(StoredFile, design.preview_file_id) if design.preview_file_id else None
    design.preview_file_id = stored.id
    if old is None or _in_production(scope, old):
        return None
    scope.session.delete(old)
    return old.key


def _in_production(scope: ShopScope, stored: StoredFile) -> bool:
    stmt = select(exists().where(ProductionFile.stored_file_id == stored.id))
    return bool(scope.session.scalar(stmt))


def get_design(design_id: str) -> ResponseReturnValue:
    """The design's summary, status and preview (what the WordPress plugin shows in the cart);
    its document only to the signed-in customer it belongs to."""
    scope = current_scope()
    design = _shown(scope, design_id[:40])
    template = scope.get(Template, design.template_id) if design.template_id else None
    return jsonify(
        {
            "design_id": design.public_id,
            "template_id": design.template_id,
            "document": design.document if _is_its_customer(design) else None,
            "preview_url": preview_link(design),
            "status": design.status.value,
            "summary": _saved_summary(template, design.document),
        }
    )


def _saved_summary(template: Template | None, document: Any) -> str:
    if template is None:
        return ""
    try:
        return summary(template, parse_design(document))
    except DesignError:  # saved before a schema change: still shown, just not summed up
        return ""


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/designs", view_func=save_design, methods=["POST"])
    bp.add_url_rule("/designs/<design_id>", view_func=get_design)
