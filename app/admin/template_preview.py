"""The template editor's live preview: the shopper's view of the merchant's UNSAVED values.

``POST /api/admin/products/<id>/template/preview`` takes ``{"template": <the editor's values>,
"values": {"<field id>": value}, "area": "<key>"}`` and answers ``image/png`` drawn by the real
renderer (the fields materialized into layers, then the raster preview on the area's mockup), so
what the merchant sees while building is what a shopper's design will look like. Nothing is
saved: the values are checked like a save (422 ``invalid_template`` with per-path ``fields``),
turned into a ``TemplateSpec`` in memory and thrown away.

Bounded three ways, per shop: previews per minute, rendering milliseconds per minute (both in
``app.ratelimit``, 429 once spent) and a deadline per render (503 ``preview_timeout``); the
picture itself is at most ``PREVIEW_MAX_PX`` on its longer side (``app.design.raster``).
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Mapping
from functools import cache
from typing import Any

from flask import Response, request
from PIL import Image, ImageDraw

from app.admin.api import NO_PRODUCT, bp
from app.admin.auth import shop_admin_required, signed_in_shop
from app.admin.csrf import csrf_protected
from app.design import DesignError, RenderInputs, TemplateSpec, parse_design
from app.design import preview as render_preview
from app.design.fields import materialize
from app.design.images import AssetSource
from app.errors import ApiError
from app.extensions import get_redis, get_session, get_storage
from app.models import Product, ShopScope, StoredFile
from app.product_templates import catalog_options as opt
from app.product_templates import shop_clipart, shop_fonts
from app.product_templates.document import mockups_of
from app.product_templates.editor_input import InvalidInput, TemplateInput, parse_template
from app.product_templates.render_spec import template_spec_from_input
from app.production.assets import shop_assets
from app.ratelimit import Window, charge, hit
from app.storage import MissingFile, Storage
from app.storefront.rendering import preview_errors_answered

WINDOW_SECONDS = 60
PREVIEWS_PER_SHOP = 240  # a debounced editor asks a few times a second at most while typing
RENDER_MS_PER_SHOP = 30_000  # half a core-minute of drawing per minute, per shop
RENDER_BUDGET_MS = 3_000  # one preview; past it 503 preview_timeout
TOO_MANY = "Too many previews right now. The preview catches up in a moment."
TIMED_OUT = "This preview took too long to draw. Simplify the template or retry in a moment."
# The picture a photo frame shows until the merchant tries one of their own.
SAMPLE_PHOTO = "luneo:sample-photo"


def _budgets(shop_id: int) -> list[tuple[str, Window]]:
    return [
        (f"admin-preview:count:{shop_id}", Window(WINDOW_SECONDS, PREVIEWS_PER_SHOP)),
        (f"admin-preview:ms:{shop_id}", Window(WINDOW_SECONDS, RENDER_MS_PER_SHOP)),
    ]


def check_budgets(shop_id: int) -> None:
    """One more preview, refused (RateLimited, 429) while the shop's count or time is spent."""
    count, milliseconds = _budgets(shop_id)
    hit(get_redis(), count[0], [count[1]], TOO_MANY)
    hit(get_redis(), milliseconds[0], [milliseconds[1]], TOO_MANY, cost=0)


def charge_budget(shop_id: int, spent_ms: int) -> None:
    key, window = _budgets(shop_id)[1]
    charge(get_redis(), key, [window], cost=max(1, spent_ms))


@cache
def sample_photo() -> bytes:
    """A neutral stand-in photo (sky, hill and sun) so a frame's shape and crop show at once."""
    image = Image.new("RGB", (600, 400), "#9cc9ef")
    draw = ImageDraw.Draw(image)
    draw.ellipse((400, 50, 520, 170), fill="#ffd166")
    draw.polygon(
        [(0, 400), (0, 260), (180, 170), (380, 280), (600, 200), (600, 400)], fill="#5b8c5a"
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _assets(scope: ShopScope, storage: Storage) -> AssetSource:
    """The shop's own pictures, plus the sample photo."""
    shop = shop_assets(scope, storage)

    def read(ref: str) -> bytes:
        return sample_photo() if ref == SAMPLE_PHOTO else shop(ref)

    return read


def _spec(values: TemplateInput) -> TemplateSpec:
    """The render core's spec; bad fields are 422 with the editor's paths (``fields[2].box``)."""
    try:
        return template_spec_from_input(values)
    except DesignError as exc:
        fields = {e.path.removeprefix("template."): e.message for e in reversed(exc.all)}
        raise ApiError(
            422, "invalid_template", "Some values need fixing: see the fields.", fields=fields
        ) from None


def _mockup(scope: ShopScope, storage: Storage, file_id: int | None) -> bytes | None:
    """The area's mockup if it is this shop's (another shop's id is simply not drawn)."""
    stored: StoredFile | None = mockups_of(scope, [file_id]).get(file_id) if file_id else None
    if stored is None:
        return None
    try:
        with storage.open(stored.key) as stream:
            return stream.read()
    except MissingFile:
        return None


def _object(body: Mapping[str, Any], key: str, what: str) -> Mapping[str, Any]:
    value = body.get(key, {})
    if not isinstance(value, Mapping):
        raise ApiError(
            422, "invalid", f"Send {what} as a JSON object.", fields={key: "Must be an object."}
        )
    return value


def preview_png(scope: ShopScope, storage: Storage, currency: str, body: Any) -> bytes:
    """PNG of ``body["area"]`` with the sample values; ApiError (4xx/503) for anything else."""
    if not isinstance(body, Mapping):
        raise ApiError(422, "invalid", "Send the preview request as a JSON object.")
    raw = _object(body, "template", "the template")
    sample = _object(body, "values", "the sample values")
    try:
        values = parse_template(
            raw,
            currency,
            shop_fonts=shop_fonts.families(scope),
            shop_clipart_sets=shop_clipart.set_keys(scope),
        )
    except InvalidInput as exc:
        raise ApiError(422, "invalid_template", exc.message, fields=exc.fields) from None
    keys = [a.key for a in values.print_areas]
    area = body.get("area") or keys[0]
    if area not in keys:
        raise ApiError(
            422,
            "invalid",
            "Choose one of the template's print areas to preview.",
            fields={"area": "No print area has this key."},
        )
    mockup_id = next(a.mockup_file_id for a in values.print_areas if a.key == area)
    spec = _spec(values)
    own = set(values.fonts) - opt.FONT_FAMILIES
    if own:  # the shop's own fonts the editor offers, as files (read only when there are some)
        spec = dataclasses.replace(spec, shop_fonts=shop_fonts.render_files(scope, storage, own))
    check_budgets(scope.shop_id)
    started = time.monotonic()
    try:
        with preview_errors_answered(TIMED_OUT):
            # Sample values a shopper could not send (wrong type, unknown option) are not drawn.
            document = materialize(spec, {"version": 1, "areas": {}, "fields": dict(sample)})
            design = parse_design(document)
            inputs = RenderInputs(
                assets=_assets(scope, storage), deadline=started + RENDER_BUDGET_MS / 1000
            ).for_template(spec)
            mockup = _mockup(scope, storage, mockup_id)
            return render_preview(design, spec, str(area), inputs, mockup=mockup)
    finally:
        charge_budget(scope.shop_id, round((time.monotonic() - started) * 1000))


@bp.post("/products/<int:product_id>/template/preview")
@shop_admin_required
@csrf_protected
def template_preview(product_id: int) -> Response:
    """The shopper's view of the editor's unsaved values (nothing is stored)."""
    scope = ShopScope(get_session(), signed_in_shop().id)
    scope.get_or_404(Product, product_id, NO_PRODUCT)
    data = preview_png(
        scope, get_storage(), signed_in_shop().currency, request.get_json(silent=True)
    )
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response
