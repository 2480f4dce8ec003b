"""Templates for the editor: make a product customizable, save the editor's values, show them.

Everything goes through the shop's ShopScope, so a product, template, print area or mockup of
another shop is simply not found. Values arrive already checked by ``template_input``; what
needs the database (area ids of this template, mockups of this shop) is checked here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.design.clipart import default_library
from app.design.fields import MAX_FIELDS, MAX_OPTIONS
from app.design.finishing import MAX_CUT_OFFSET_MM, MAX_SCORE_LINES
from app.design.fonts import FAMILIES
from app.design.models3d import available_models
from app.models import (
    EditorMode,
    LowDpiPolicy,
    PrintArea,
    PrintAreaView,
    Product,
    ShopScope,
    Template,
    Variant,
)
from app.product_templates import catalog_options as opt
from app.product_templates import presets
from app.product_templates.document import clipart_path, mockups_of
from app.product_templates.editor_input import (
    PROOF_DEADLINE_HOURS,
    AreaInput,
    InvalidInput,
    TemplateInput,
)
from app.product_templates.try_on import options as try_on_options


def template_of(scope: ShopScope, product: Product) -> Template | None:
    return scope.get_by(Template, product_id=product.id)


def _new_template(scope: ShopScope, product: Product, preset: presets.Preset | None) -> Template:
    template = Template(
        shop_id=scope.shop_id,
        product_id=product.id,
        name=(product.title or "Customizable product")[: opt.MAX_NAME_LENGTH],
        is_active=True,  # the merchant asked for it to be customizable
        fonts=list(opt.DEFAULT_FONTS),
        colors=list(opt.DEFAULT_COLORS),
        clipart_sets=list(opt.DEFAULT_CLIPART_SETS),
    )
    if preset is None:
        template.print_areas.append(
            PrintArea(shop_id=scope.shop_id, position=0, **opt.DEFAULT_AREA)
        )
        return template
    template.model_3d = preset.model_3d
    template.min_image_dpi = preset.min_image_dpi
    if preset.cut_line:
        template.extra = {"cut_line": dict(preset.cut_line)}
    for position, area in enumerate(preset.areas):
        template.print_areas.append(
            PrintArea(
                shop_id=scope.shop_id,
                position=position,
                uv_region=preset.uv_region(area.key),
                **area.values(),
            )
        )
    return template


def make_customizable(
    scope: ShopScope, product: Product, preset: presets.Preset | None = None
) -> tuple[Template, bool]:
    """The product's template, created from ``preset`` (its areas at their real size, 3D model,
    cut line; None: one default 100 × 100 mm area) if it has none yet.

    Returns ``(template, created)``. Two clicks at once make one template: the loser of the
    unique (shop, product) constraint rolls back its savepoint and returns the winner's.
    """
    existing = template_of(scope, product)
    if existing is not None:
        return existing, False
    try:
        with scope.session.begin_nested():
            template = scope.add(_new_template(scope, product, preset))
    except IntegrityError:
        winner = template_of(scope, product)
        if winner is None:
            raise
        return winner, False
    return template, True


# ---------------------------------------------------------------- saving


def _check_references(scope: ShopScope, template: Template, areas: list[AreaInput]) -> None:
    """Area ids must be this template's, mockups this shop's; raise InvalidInput otherwise."""
    errors: dict[str, str] = {}
    own_ids = {a.id for a in template.print_areas}
    mockup_ids = {a.mockup_file_id for a in areas if a.mockup_file_id is not None}
    view_ids = {v.mockup_file_id for a in areas for v in a.views or ()}
    mockups = mockups_of(scope, mockup_ids | view_ids)
    seen: set[int] = set()
    for index, area in enumerate(areas):
        if area.id is not None and (area.id not in own_ids or area.id in seen):
            errors[f"print_areas[{index}].id"] = "Not a print area of this template."
        if area.id is not None:
            seen.add(area.id)
        if area.mockup_file_id is not None and area.mockup_file_id not in mockups:
            errors[f"print_areas[{index}].mockup_file_id"] = (
                "This mockup is not one of your uploads: upload it again."
            )
        for number, view in enumerate(area.views or ()):
            if view.mockup_file_id not in mockups:
                errors[f"print_areas[{index}].views[{number}].mockup_file_id"] = (
                    "This picture is not one of your uploads: upload it again."
                )
    if errors:
        raise InvalidInput(errors)


def _area_values(area: AreaInput, position: int) -> dict[str, Any]:
    return {
        "key": area.key,
        "name": area.name,
        "position": position,
        "width_mm": area.width_mm,
        "height_mm": area.height_mm,
        "dpi": area.dpi,
        "bleed_mm": area.bleed_mm,
        "safe_margin_mm": area.safe_margin_mm,
        "mockup_file_id": area.mockup_file_id,
        "mockup_placement": dict(area.mockup_placement),
    }


def _assign(row: object, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _replace_areas(scope: ShopScope, template: Template, areas: list[AreaInput]) -> None:
    """Make the template's areas exactly ``areas``, in order, keeping the rows of known ids.

    Keys are unique per template, so rows are changed in steps the constraint accepts at every
    flush: dropped areas go first, then renamed ones pass through a temporary key.
    """
    existing = {a.id: a for a in template.print_areas}
    kept = {a.id for a in areas if a.id is not None}
    for row in [a for a in template.print_areas if a.id not in kept]:
        template.print_areas.remove(row)
    scope.session.flush()
    renamed = [existing[a.id] for a in areas if a.id is not None and existing[a.id].key != a.key]
    for row in renamed:
        row.key = f"~{row.id}"  # cannot clash: real keys never contain "~"
    scope.session.flush()
    ordered: list[PrintArea] = []
    for position, area in enumerate(areas):
        row = existing[area.id] if area.id is not None else PrintArea(shop_id=scope.shop_id)
        _assign(row, _area_values(area, position))
        _replace_views(scope, row, area)
        ordered.append(row)
    template.print_areas = ordered
    scope.session.flush()


def _replace_views(scope: ShopScope, row: PrintArea, area: AreaInput) -> None:
    """The area's pictures after its mockup become exactly ``area.views``, in order (views are
    named by their place, so rows are kept by place and only what changed is written); views
    not sent stay as they are."""
    if area.views is None:
        return
    rows = list(row.views)
    for position, view in enumerate(area.views):
        if position == len(rows):
            rows.append(PrintAreaView(shop_id=scope.shop_id))
        values = {
            "position": position,
            "name": view.name,
            "mockup_file_id": view.mockup_file_id,
            "placement": dict(view.placement),
        }
        _assign(rows[position], values)
    row.views = rows[: len(area.views)]


def _check_variants(scope: ShopScope, template: Template, fields: list[dict[str, Any]]) -> None:
    """An option's ``variant_id`` must be a variant of this template's product."""
    own = {
        v.id
        for v in scope.session.scalars(
            scope.select(Variant).where(Variant.product_id == template.product_id)
        )
    }
    errors = {
        f"fields[{i}].options[{j}].variant_id": "Not a variant of this product."
        for i, field in enumerate(fields)
        for j, option in enumerate(field.get("options") or ())
        if option.get("variant_id") is not None and option["variant_id"] not in own
    }
    if errors:
        raise InvalidInput(errors)


def save_template(scope: ShopScope, template: Template, values: TemplateInput) -> None:
    """Store the editor's values on ``template`` (flushes; the caller commits).

    ``fields``, ``editor_mode``, ``surcharge``, ``proof``, ``try_on``, ``cut_line``,
    ``score_lines`` and ``engraving`` are kept as they are when not sent."""
    _check_references(scope, template, values.print_areas)
    if values.fields is not None:
        _check_variants(scope, template, values.fields)
        template.fields = [dict(f) for f in values.fields]
    if values.editor_mode is not None:
        template.editor_mode = values.editor_mode
    if values.low_dpi_policy is not None:
        template.low_dpi_policy = values.low_dpi_policy
    if values.surcharge is not None:
        template.surcharge = values.surcharge
    if values.proof is not None:
        template.proof_required = values.proof.required
        template.proof_send = values.proof.send
        template.proof_deadline_hours = values.proof.deadline_hours
        template.proof_at_deadline = values.proof.at_deadline
    if values.try_on_sent:
        template.try_on = values.try_on
    if values.finishing:
        extra = dict(template.extra or {})
        for key, value in values.finishing.items():
            if value is None:
                extra.pop(key, None)
            else:
                extra[key] = value
        template.extra = extra
    _assign(
        template,
        {
            "name": values.name,
            "is_active": values.is_active,
            "fonts": list(values.fonts),
            "colors": list(values.colors),
            "clipart_sets": list(
                template.clipart_sets if values.clipart_sets is None else values.clipart_sets
            ),
            "max_layers": values.max_layers,
            "ai_enabled": values.ai_enabled,
            "min_image_dpi": values.min_image_dpi,
            "price_rules": [dict(rule) for rule in values.price_rules],
            "model_3d": values.model_3d,
        },
    )
    _replace_areas(scope, template, values.print_areas)


def editor_options(
    currency: str,
    shop_fonts: Iterable[str] = (),
    shop_clipart: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The fixed choices and limits the editor offers (the API enforces the same ones);
    ``shop_fonts``: the shop's own font families, listed after Luneo's; ``shop_clipart``: the
    shop's own sets (``shop_clipart.clipart_document``), likewise."""
    return {
        "fonts": [{"family": f.name, "category": f.category} for f in FAMILIES]
        + [{"family": name, "category": "your font"} for name in sorted(shop_fonts)],
        "clipart_sets": [
            {
                "key": s.key,
                "label": s.label,
                "count": len(s.items),
                "sample": clipart_path(s.items[0]),
            }
            for s in default_library().sets
        ]
        + [
            {
                "key": s["set"],
                "label": s["label"],
                "count": len(s["items"]),
                "sample": s["items"][0]["url"] if s["items"] else "",
            }
            for s in shop_clipart
        ],
        "models_3d": [{"id": m["id"], "name": m["name"]} for m in available_models()],
        "currency": currency,
        "currency_places": opt.currency_places(currency),
        "limits": {
            "max_areas": opt.MAX_AREAS,
            "max_size_mm": float(opt.MAX_SIZE_MM),
            "min_dpi": opt.MIN_DPI,
            "max_dpi": opt.MAX_DPI,
            "max_bleed_mm": float(opt.MAX_BLEED_MM),
            "max_safe_margin_mm": float(opt.MAX_SAFE_MARGIN_MM),
            "max_colors": opt.MAX_COLORS,
            "min_layers": opt.MIN_LAYERS,
            "max_layers": opt.MAX_LAYERS,
            "min_image_dpi": opt.MIN_IMAGE_DPI,
            "max_image_dpi": opt.MAX_IMAGE_DPI,
            "max_price_rules": opt.MAX_PRICE_RULES,
            "mockup_max_bytes": opt.MOCKUP_MAX_BYTES,
            "area_key_pattern": opt.AREA_KEY_PATTERN,
            "max_fields": MAX_FIELDS,
            "max_cut_offset_mm": MAX_CUT_OFFSET_MM,
            "max_score_lines": MAX_SCORE_LINES,
            "max_options": MAX_OPTIONS,
        },
        "editor_modes": [m.value for m in EditorMode],
        "proof_deadline_hours": {"min": PROOF_DEADLINE_HOURS[0], "max": PROOF_DEADLINE_HOURS[1]},
        "low_dpi_policies": [p.value for p in LowDpiPolicy],
        "try_on": try_on_options(),
    }
