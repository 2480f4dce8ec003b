"""A template as one portable JSON document (``app/design/schema/template.v1.json``): export,
import, and copying a template to another product of the same shop.

Export leaves out what only makes sense in this shop (row ids, mockup files); an option's
``variant_id`` that is not a variant of the receiving product is dropped on import and copy (it
would select nothing there). Import goes
through the editor's own checks (``editor_input.parse_template``, which applies the render
core's field rules) after the schema, so an imported template can hold nothing the editor
would refuse. An area whose key the product's template already has keeps its mockup and its
views' pictures (the file's views, by place, are placed on them); a copy takes the source's
mockup and view pictures along (same shop: the stored files are shared, not duplicated).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.design.document import schema_errors
from app.design.fields import template_validator
from app.models import PrintArea, Product, ShopScope, Template, Variant
from app.product_templates import shop_clipart, shop_fonts
from app.product_templates.catalog_options import currency_places
from app.product_templates.document import proof_document
from app.product_templates.editor_input import InvalidInput, parse_template
from app.product_templates.service import make_customizable, save_template, template_of
from app.product_templates.try_on import try_on_document

SCHEMA_ID = "https://luneo.app/schema/template.v1.json"
UV_KEYS = ("u0", "v0", "u1", "v1")


@dataclass(frozen=True)
class _Pictures:
    mockup_file_id: int | None
    placement: dict[str, Any]
    views: tuple[dict[str, Any], ...]  # {"name", "mockup_file_id", "mockup_placement"}


class TemplateExists(Exception):
    """The target product already has a template and replacing it was not asked for."""


def _number(value: Decimal | int | float) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _area(area: PrintArea) -> dict[str, Any]:
    exported: dict[str, Any] = {
        "key": area.key,
        "name": area.name,
        "width_mm": _number(area.width_mm),
        "height_mm": _number(area.height_mm),
        "dpi": area.dpi,
        "bleed_mm": _number(area.bleed_mm),
        "safe_margin_mm": _number(area.safe_margin_mm),
        "mockup_placement": dict(area.mockup_placement or {}) or None,
    }
    if area.views:
        exported["views"] = [
            {"name": v.name, "mockup_placement": dict(v.placement)} for v in area.views
        ]
    if area.uv_region:
        exported["uv_region"] = dict(area.uv_region)
    return exported


def _pictures(area: PrintArea) -> _Pictures:
    """The area's mockup and view pictures, as an import or a copy carries them over."""
    return _Pictures(
        area.mockup_file_id,
        dict(area.mockup_placement or {}),
        tuple(
            {"name": v.name, "mockup_file_id": v.mockup_file_id, "mockup_placement": v.placement}
            for v in area.views
            if v.mockup_file_id is not None
        ),
    )


def export_document(template: Template, currency: str) -> dict[str, Any]:
    """The template as a template.v1.json document (no ids, no mockup files)."""
    places = currency_places(currency)
    surcharge = (template.surcharge or Decimal(0)).quantize(Decimal(1).scaleb(-places))
    areas = sorted(template.print_areas, key=lambda a: (a.position, a.id or 0))
    return {
        "$schema": SCHEMA_ID,
        "version": 1,
        "name": template.name,
        "print_areas": [_area(a) for a in areas],
        "fields": [dict(f) for f in template.fields or ()],
        "editor_mode": template.editor_mode.value if template.editor_mode else "canvas",
        "surcharge": str(surcharge),
        "price_rules": [dict(r) for r in template.price_rules or ()],
        "fonts": list(template.fonts or ()),
        "colors": list(template.colors or ()),
        "clipart_sets": list(template.clipart_sets or ()),
        "max_layers": template.max_layers,
        "min_image_dpi": template.min_image_dpi,
        "low_dpi_policy": str(template.low_dpi_policy or "warn"),
        "ai_enabled": template.ai_enabled,
        "model_3d": template.model_3d,
        "cut_line": (template.extra or {}).get("cut_line"),
        "score_lines": list((template.extra or {}).get("score_lines") or ()),
        "engraving": (template.extra or {}).get("engraving"),
        "proof": proof_document(template),
        "try_on": try_on_document(template.try_on),
    }


def schema_problems(document: Any) -> dict[str, str]:
    """The document's problems against template.v1.json, by path (empty when it conforms)."""
    problems: dict[str, str] = {}
    for error in schema_errors(template_validator(), document):
        problems.setdefault(error.path or "document", error.message)
    return problems


def import_document(
    scope: ShopScope, product: Product, document: Any, currency: str
) -> tuple[Template, bool]:
    """Create or replace ``product``'s template from a template.v1.json document.

    Returns ``(template, created)``; raises InvalidInput naming every bad path, before anything
    is changed. Areas whose key the current template has keep their mockups.
    """
    problems = schema_problems(document)
    if problems:
        raise InvalidInput(problems, "This is not a Luneo template file: see the listed fields.")
    current = template_of(scope, product)
    kept = {a.key: a for a in current.print_areas} if current is not None else {}
    mockups = {key: _pictures(area) for key, area in kept.items()}
    return _apply(scope, product, document, currency, mockups, current)


def copy_template(
    scope: ShopScope, source: Template, target: Product, currency: str, *, replace: bool
) -> tuple[Template, bool]:
    """Duplicate ``source`` (areas with their mockups and placements, fields, prices) onto
    ``target``, a product of the same shop. TemplateExists when it has one and not ``replace``.
    """
    current = template_of(scope, target)
    if current is not None and current.id == source.id:
        raise TemplateExists()
    if current is not None and not replace:
        raise TemplateExists()
    document = export_document(source, currency)
    mockups = {a.key: _pictures(a) for a in source.print_areas}
    template, created = _apply(scope, target, document, currency, mockups, current)
    template.is_active = source.is_active
    template.extra = dict(source.extra or {})
    return template, created


def _apply(
    scope: ShopScope,
    product: Product,
    document: Mapping[str, Any],
    currency: str,
    mockups: Mapping[str, _Pictures],
    current: Template | None,
) -> tuple[Template, bool]:
    existing_ids = {a.key: a.id for a in current.print_areas} if current is not None else {}
    areas = []
    for area in document["print_areas"]:
        pictures = mockups.get(area["key"], _Pictures(None, {}, ()))
        areas.append(
            {
                # What luneo render assumes for a key a file leaves out (AreaSpec's defaults).
                "name": area["key"],
                "dpi": 300,
                "bleed_mm": 3,
                "safe_margin_mm": 3,
                **{k: v for k, v in area.items() if k not in ("uv_region", "background")},
                "id": existing_ids.get(area["key"]),
                "mockup_file_id": pictures.mockup_file_id,
                "mockup_placement": area.get("mockup_placement") or pictures.placement,
                "views": _views(area.get("views"), pictures.views),
            }
        )
    payload = {
        "name": document.get("name") or product.title or "Customizable product",
        "is_active": current.is_active if current is not None else True,
        "fonts": list(document.get("fonts") or ()),
        "colors": list(document.get("colors") or ()),
        "clipart_sets": list(document.get("clipart_sets") or ()),
        "max_layers": document.get("max_layers", 20),
        "ai_enabled": bool(document.get("ai_enabled", False)),
        "min_image_dpi": document.get("min_image_dpi", 100),
        "low_dpi_policy": document.get("low_dpi_policy", "warn"),
        "model_3d": document.get("model_3d"),
        "price_rules": list(document.get("price_rules") or ()),
        "print_areas": areas,
        "fields": _own_variants(scope, product, document.get("fields") or ()),
        "editor_mode": document.get("editor_mode", "canvas"),
        "surcharge": document.get("surcharge", "0"),
        "cut_line": document.get("cut_line"),
        "score_lines": document.get("score_lines") or [],
        "engraving": document.get("engraving"),
    }
    if "proof" in document:  # a file without it leaves the template's proof settings alone
        payload["proof"] = document["proof"]
    if "try_on" in document:  # likewise its try-on settings
        payload["try_on"] = document["try_on"]
    values = parse_template(
        payload,
        currency,
        shop_fonts=shop_fonts.families(scope),
        shop_clipart_sets=shop_clipart.set_keys(scope),
    )
    uv = _uv_regions(document["print_areas"])
    template, created = make_customizable(scope, product)
    save_template(scope, template, values)
    for row in template.print_areas:
        row.uv_region = uv.get(row.key, {})
    scope.session.flush()
    return template, created


def _views(described: Any, pictures: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """The file's views on the pictures the area has at the same places (a file carries no
    pictures): a described view with no picture here is left out, as is a picture the file does
    not describe. A file without ``views`` leaves the area's views as they are."""
    if described is None:
        return [dict(view) for view in pictures]
    return [
        {**view, "mockup_file_id": picture["mockup_file_id"]}
        for view, picture in zip(described, pictures, strict=False)
    ]


def _own_variants(scope: ShopScope, product: Product, fields: Any) -> list[Any]:
    """The fields with each option's ``variant_id`` kept only when it is one of ``product``'s
    variants: another product's (a copy, a file from elsewhere) selects nothing here."""
    own = {
        v.id
        for v in scope.session.scalars(
            scope.select(Variant).where(Variant.product_id == product.id)
        )
    }
    kept = copy.deepcopy(list(fields))
    for field in kept:
        options = field.get("options") if isinstance(field, dict) else None
        for option in options if isinstance(options, list) else ():
            if isinstance(option, dict) and option.get("variant_id") not in own:
                option.pop("variant_id", None)
    return kept


def _uv_regions(areas: list[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Each area's UV rectangle for 3D, checked: four numbers from 0 to 1."""
    found: dict[str, dict[str, float]] = {}
    errors: dict[str, str] = {}
    for index, area in enumerate(areas):
        raw = area.get("uv_region")
        if not raw:
            continue
        values = {k: raw.get(k) for k in UV_KEYS}
        if set(raw) != set(UV_KEYS) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
            for v in values.values()
        ):
            errors[f"print_areas[{index}].uv_region"] = "Use u0, v0, u1 and v1, each from 0 to 1."
            continue
        found[area["key"]] = {k: float(v) for k, v in values.items() if v is not None}
    if errors:
        raise InvalidInput(errors)
    return found
