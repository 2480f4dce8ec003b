"""Template rows to the render core's ``TemplateSpec``, and the mockup images for previews."""

from __future__ import annotations

import dataclasses
from typing import Any

from app.design import TemplateSpec
from app.design.fonts import ShopFontFile
from app.models import FileKind, PrintArea, ShopScope, StoredFile, Template
from app.product_templates.editor_input import AreaInput, TemplateInput
from app.product_templates.shop_fonts import render_files
from app.storage import MissingFile, Storage


def _area_dict(area: PrintArea | AreaInput) -> dict[str, Any]:
    return {
        "key": area.key,
        "name": area.name,
        "width_mm": area.width_mm,
        "height_mm": area.height_mm,
        "dpi": area.dpi,
        "bleed_mm": area.bleed_mm,
        "safe_margin_mm": area.safe_margin_mm,
        "mockup_placement": dict(area.mockup_placement or {}) or None,
        "views": [
            {"name": v.name, "mockup_placement": dict(v.placement)} for v in area.views or ()
        ],
    }


def finishing_of(template: Template) -> dict[str, Any]:
    """The template's cut line, score lines and engraving settings (``app.design.finishing``),
    as set."""
    extra = template.extra or {}
    keys = ("cut_line", "score_lines", "engraving")
    return {key: extra[key] for key in keys if extra.get(key) is not None}


def template_spec_from_row(
    template: Template, shop_fonts: tuple[ShopFontFile, ...] = ()
) -> TemplateSpec:
    """The same shape ``TemplateSpec.from_dict`` reads from TEMPLATE.json, so both agree.

    The cut line, score lines and engraving settings live in ``Template.extra`` (``finishing_of``).
    ``extra`` carries what only 3D output needs: the model id, each area's UV rectangle and the
    product colour (``Template.extra["base_color"]``). ``shop_fonts``: the shop's own fonts as
    files (``shop_fonts.render_files``; ``print_spec`` fills them), for whatever draws text.
    Raises DesignError for a template the renderer cannot use (e.g. no print area).
    """
    areas = sorted(template.print_areas, key=lambda a: (a.position, a.id))
    spec = TemplateSpec.from_dict(
        {
            "print_areas": [_area_dict(area) for area in areas],
            "fonts": list(template.fonts or ()),
            "colors": list(template.colors or ()),
            "min_image_dpi": template.min_image_dpi,
            "max_layers": template.max_layers,
            "clipart_sets": list(template.clipart_sets or ()),
            "fields": list(template.fields or ()),
            "editor_mode": template.editor_mode or "canvas",
            "low_dpi_policy": template.low_dpi_policy or "warn",
            "surcharge": template.surcharge if template.surcharge is not None else "0",
            "price_rules": list(template.price_rules or ()),
            **finishing_of(template),
        }
    )
    extra = {
        "model_3d": template.model_3d,
        "uv_regions": {a.key: dict(a.uv_region) for a in areas if a.uv_region},
        # The product colour the 3D model wears; the model's own default when not set.
        "base_color": (template.extra or {}).get("base_color"),
    }
    return dataclasses.replace(spec, extra=extra, shop_fonts=shop_fonts)


def print_spec(scope: ShopScope, storage: Storage, template: Template) -> TemplateSpec:
    """The spec a render of a saved template draws with: ``template_spec_from_row`` with the
    shop's own fonts resolved to files (every one of them, so a design keeps printing in a font
    the template has stopped offering)."""
    return template_spec_from_row(template, render_files(scope, storage))


def template_spec_from_input(values: TemplateInput) -> TemplateSpec:
    """Unsaved editor values (``editor_input.parse_template``) as the render core's spec, in the
    same shape as a saved template's: for the admin's live preview of the shopper's view.

    Raises DesignError for values the renderer cannot use."""
    return TemplateSpec.from_dict(
        {
            "print_areas": [_area_dict(area) for area in values.print_areas],
            "fonts": list(values.fonts),
            "colors": list(values.colors),
            "min_image_dpi": values.min_image_dpi,
            "max_layers": values.max_layers,
            "clipart_sets": list(values.clipart_sets or ()),
            "fields": list(values.fields or ()),
            "editor_mode": values.editor_mode or "canvas",
            "low_dpi_policy": values.low_dpi_policy or "warn",
            "surcharge": values.surcharge if values.surcharge is not None else "0",
            "price_rules": list(values.price_rules),
            **{k: v for k, v in values.finishing.items() if v is not None},
        }
    )


def mockups_for(scope: ShopScope, storage: Storage, template: Template) -> dict[str, bytes]:
    """Each area's mockup image (this shop's MOCKUP files only); a vanished file is skipped.

    A preview without its mockup still shows the design, so a missing mockup is not worth
    failing a print job over.
    """
    found: dict[str, bytes] = {}
    for area in template.print_areas:
        data = _mockup_bytes(scope, storage, area.mockup_file_id)
        if data is not None:
            found[area.key] = data
    return found


def view_mockup(
    scope: ShopScope, storage: Storage, template: Template, area_key: str, view: int
) -> bytes | None:
    """The picture of ``area_key``'s view ``view`` (0: its mockup; ``PrintArea.views`` after),
    or None when the area, the view or its file is not there."""
    area = next((a for a in template.print_areas if a.key == area_key), None)
    if area is None or not 0 <= view <= len(area.views):
        return None
    file_id = area.mockup_file_id if view == 0 else area.views[view - 1].mockup_file_id
    return _mockup_bytes(scope, storage, file_id)


def _mockup_bytes(scope: ShopScope, storage: Storage, file_id: int | None) -> bytes | None:
    stored = scope.get(StoredFile, file_id) if file_id else None
    if stored is None or stored.kind is not FileKind.MOCKUP:
        return None
    try:
        with storage.open(stored.key) as stream:
            data: bytes = stream.read()
    except MissingFile:
        return None
    return data
