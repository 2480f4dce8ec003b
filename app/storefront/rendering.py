"""Storefront previews: the design on the product's mockup, cached by what it depends on.

A preview depends only on the template (its areas and mockups), the print area, the document
and the image format: uploaded files never change once stored. So the rendered bytes are kept
in Redis under a hash of those for ``STOREFRONT_PREVIEW_CACHE_TTL`` seconds, and the editor's
repeated "show me" calls for an unchanged design cost one Redis read.

A render that misses the cache is bounded three ways: the document's limits were checked before
(``limits``, via ``valid_design``); it runs at most ``STOREFRONT_PREVIEW_BUDGET_MS`` (then 503
``preview_timeout``: the document was within limits, so the time ran out on a busy machine, and
retrying later is the right move; the web worker is freed well before gunicorn would kill it);
and its milliseconds are charged to the shop's and the client's render budgets (429 once spent).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app

from app.design import Design, DesignError, PixelCache, RenderInputs, RenderTimedOut, preview
from app.design.raster import PREVIEW_MAX_PX
from app.errors import ApiError
from app.extensions import get_redis, get_storage
from app.models import ShopScope, Template
from app.product_templates.render_spec import print_spec, view_mockup
from app.production.assets import AssetUnavailable, shop_assets
from app.storefront.ratelimit import charge_render, check_render_budget

CACHE_PREFIX = "luneo:storefront:preview"
MAX_CACHED_BYTES = 4 * 1024 * 1024
# Shoppers' photos at their placed size, kept by this process between previews: an editor
# re-previews the same photo after each text change, and decoding is most of what a photo costs.
PICTURES = PixelCache(entries=16, max_pixels=PREVIEW_MAX_PX * PREVIEW_MAX_PX)
TIMED_OUT = "This preview took too long to draw. Please retry in a moment, or simplify the design."


@contextmanager
def preview_errors_answered(timed_out: str = TIMED_OUT) -> Iterator[None]:
    """What drawing a preview can fail with, as the answer a client reads (the storefront's
    previews and the template editor's live preview both draw through this)."""
    try:
        yield
    except DesignError as exc:
        problems = [{"path": e.path, "message": e.message} for e in exc.all]
        raise ApiError(422, "invalid_design", exc.message, problems) from None
    except AssetUnavailable:
        raise ApiError(503, "unavailable", "Previews are unavailable right now; retry.") from None
    except RenderTimedOut:
        raise ApiError(503, "preview_timeout", timed_out) from None


def cache_key(
    template: Template,
    area_key: str,
    document: Any,
    image_format: str,
    focus: bool = False,
    view: int = 0,
) -> str:
    areas = [
        (
            a.key,
            a.mockup_file_id,
            a.mockup_placement,
            str(a.width_mm),
            str(a.height_mm),
            [(v.mockup_file_id, v.placement) for v in a.views],
        )
        for a in template.print_areas
    ]
    stamp = template.updated_at.isoformat() if template.updated_at else ""
    material = json.dumps(
        [template.id, stamp, areas, area_key, image_format, focus, view, document],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    digest = hashlib.sha256(material.encode()).hexdigest()
    return f"{CACHE_PREFIX}:{template.shop_id}:{digest}"


def render_preview(
    scope: ShopScope,
    template: Template,
    design: Design,
    document: Any,
    area_key: str,
    image_format: str = "png",
    *,
    focus: bool = False,
    view: int = 0,
) -> bytes:
    """PNG or WebP bytes of ``area_key`` on its mockup (``focus``: framed on the print, for a
    thumbnail; ``view``: which of the area's pictures, 0 its mockup); ApiError for a design
    that cannot render."""
    cached = cached_preview(template, area_key, document, image_format, focus, view)
    if cached is not None:
        return cached
    check_render_budget()
    storage = get_storage()
    started = time.monotonic()
    budget = int(current_app.config["STOREFRONT_PREVIEW_BUDGET_MS"]) / 1000
    inputs = RenderInputs(
        assets=shop_assets(scope, storage),
        pictures=PICTURES,
        deadline=started + budget if budget > 0 else None,
    )
    try:
        with preview_errors_answered():
            spec = print_spec(scope, storage, template)
            inputs = inputs.for_template(spec)
            mockup = view_mockup(scope, storage, template, area_key, view)
            data = preview(
                design, spec, area_key, inputs, mockup, image_format, focus=focus, view=view
            )
    finally:
        charge_render(round((time.monotonic() - started) * 1000))
    if len(data) <= MAX_CACHED_BYTES:
        key = cache_key(template, area_key, document, image_format, focus, view)
        ttl = int(current_app.config["STOREFRONT_PREVIEW_CACHE_TTL"])
        get_redis().set(key, data, ex=ttl)
    return data


def cached_preview(
    template: Template,
    area_key: str,
    document: Any,
    image_format: str,
    focus: bool = False,
    view: int = 0,
) -> bytes | None:
    """A preview rendered before for exactly this, if still cached.

    Only documents that passed validation for this shop and template are ever cached, so a hit
    needs no re-validation: the key covers the template's state and the whole document.
    """
    key = cache_key(template, area_key, document, image_format, focus, view)
    cached = get_redis().get(key)
    return cached if isinstance(cached, bytes) else None


def primary_area(template: Template, design: Design) -> str:
    """The area a cart line shows: the first (by position) with something on it."""
    areas = sorted(template.print_areas, key=lambda a: (a.position, a.id))
    used = [a.key for a in areas if design.areas.get(a.key)]
    return used[0] if used else areas[0].key
