"""Reading what the widget sends: a JSON object, a template id; ApiError for anything else."""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge

from app import input_guard
from app.design import Design, DesignError, TemplateSpec
from app.design.fields import CURATED_FONTS, field_problems, materialize
from app.design.fonts import ShopFontFile
from app.errors import ApiError
from app.extensions import get_session, get_storage
from app.ids import row_id
from app.models import ShopScope, Template
from app.product_templates import shop_fonts
from app.product_templates.render_spec import template_spec_from_row
from app.storefront.design_rules import InvalidDesign, check_design
from app.storefront.limits import Limits, over_limits

# A design of 200 layers of 2,000 characters each is well under this; pictures are uploads.
JSON_MAX_BYTES = 1024 * 1024


def json_object() -> dict[str, Any]:
    """The body as a JSON object (whatever the Content-Type claims), or a 400 (413 if huge).

    The limit is put on the request itself, so a chunked body (no Content-Length) is cut off
    once it passes it too, instead of being read up to the upload limit.
    """
    try:
        body = input_guard.loads(input_guard.limited_body(JSON_MAX_BYTES))
    except RequestEntityTooLarge:
        raise ApiError(413, "too_large", "This design is too large to send.") from None
    except ValueError:  # not JSON, not UTF-8, nested too deeply or holding a NUL
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The request must be a JSON object.")
    return body


def whole_number(body: dict[str, Any], field: str) -> int:
    """A row id (number or digits) within the database's range, else a 400 naming the field."""
    value = row_id(body.get(field))
    if value is None:
        raise ApiError(400, f"invalid_{field}", f"{field} must be the id of a row.")
    return value


NOT_CUSTOMIZABLE = "This product cannot be personalized any more."


def active_template(scope: ShopScope, body: dict[str, Any]) -> Template:
    """The shop's active template named by ``template_id``, or by ``product_id`` (Luneo's
    product id, the template document's ``product.id``); another shop's is not found."""
    if body.get("template_id") is None and body.get("product_id") is not None:
        template = scope.get_by(Template, product_id=whole_number(body, "product_id"))
    else:
        template = scope.get(Template, whole_number(body, "template_id"))
    if template is None or not template.is_active or not template.print_areas:
        raise ApiError(404, "template_not_found", NOT_CUSTOMIZABLE)
    return template


def template_spec(template: Template) -> TemplateSpec:
    """The render core's view of the template; a stored template it cannot read is not offered.

    With the shop's own fonts its text fields may draw with (their files read only then), so
    a field's auto-fit measures the font the print uses."""
    try:
        return template_spec_from_row(template, _field_shop_fonts(template))
    except DesignError:
        raise ApiError(404, "template_not_found", NOT_CUSTOMIZABLE) from None


def _field_shop_fonts(template: Template) -> tuple[ShopFontFile, ...]:
    named = {
        str(name)
        for field in template.fields or ()
        if isinstance(field, dict) and field.get("kind") == "text"
        for name in [field.get("font"), *(field.get("fonts") or ())]
        if name
    }
    own = named - CURATED_FONTS
    if not own:
        return ()
    scope = ShopScope(get_session(), template.shop_id)
    return shop_fonts.render_files(scope, get_storage(), own)


def document_object(document: Any) -> dict[str, Any]:
    """The design document as sent: a JSON object, or a 422 naming it."""
    if not isinstance(document, dict):
        problems = [{"path": "document", "message": "must be an object"}]
        raise ApiError(422, "invalid_design", "document: must be an object", problems=problems)
    return document


def fielded_document(spec: TemplateSpec, document: Any, *, check: bool = True) -> dict[str, Any]:
    """The document with its field layers regenerated from the template (``materialize``).

    With ``check`` (a save), a value the template does not allow is a 422 naming the field
    (``fields.<id>``) first; a preview draws what it can (a text cut at its length).
    """
    sent = document_object(document)
    if check:
        problems = [{"path": p, "message": m} for p, m in field_problems(spec, sent)]
        if problems:
            message = f"{problems[0]['path']}: {problems[0]['message']}"
            raise ApiError(422, "invalid_design", message, problems=problems)
    return materialize(spec, sent)


def valid_design(scope: ShopScope, template: Template, document: Any) -> Design:
    """The document checked against the schema, the template and the storefront's limits
    (``app.storefront.limits``), or a 422 naming each field (and each limit gone over)."""
    try:
        design = check_design(scope, template, document)
    except InvalidDesign as exc:
        problems = [p.as_dict() for p in exc.problems]
        raise ApiError(422, "invalid_design", str(exc), problems=problems) from None
    over = over_limits(template, design, document, Limits.from_config())
    if over:
        message = f"This design is too big to preview or save: {over[0]['message']}."
        raise ApiError(422, "design_too_complex", message, over)
    return design
