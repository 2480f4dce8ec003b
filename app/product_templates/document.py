"""A template as the admin editor and the storefront widget read it (one shape for both)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from app.design.clipart import ClipartItem, default_library
from app.design.color import HEX_COLOR
from app.design.errors import DesignError
from app.design.models3d.view import model_view
from app.generation.settings import ai_block
from app.models import (
    EditorMode,
    FileKind,
    LowDpiPolicy,
    PrintArea,
    Product,
    ProofAtDeadline,
    ProofSend,
    ShopScope,
    StoredFile,
    Template,
    Variant,
)
from app.product_templates import shop_clipart
from app.product_templates.pricing import money
from app.product_templates.try_on import try_on_document

FileLinker = Callable[[StoredFile], str]
ClipartLinker = Callable[[ClipartItem], str]


def clipart_path(item: ClipartItem) -> str:
    """Where the app serves a piece (relative; the storefront passes an absolute linker)."""
    return f"/clipart/{item.set_key}/{item.name}.svg"


def clipart_document(
    link: ClipartLinker = clipart_path, only: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Luneo's clipart sets (all, or just ``only``), in curated order, as the picker shows them."""
    wanted = None if only is None else set(only)
    return [
        {
            "set": s.key,
            "label": s.label,
            "items": [
                {"src": i.ref, "name": i.name, "label": i.label, "url": link(i)} for i in s.items
            ],
        }
        for s in default_library().sets
        if wanted is None or s.key in wanted
    ]


def field_clipart(
    fields: Iterable[Any], link: ClipartLinker = clipart_path
) -> dict[str, dict[str, str]]:
    """Every piece of clipart the template's fields can draw (a clipart field's sets, a photo
    frame's mask, an option's picture), by ref: ``{ref: {"label", "url"}}``, so the widget can
    show and draw them even when they are not among the canvas's clipart sets."""
    library = default_library()
    refs: list[str] = []
    for field in fields:
        if not isinstance(field, dict):
            continue
        for key in field.get("sets") or ():
            found = library.set(str(key))
            refs.extend(item.ref for item in (found.items if found else ()))
        refs.extend(str(field[k]) for k in ("mask", "default") if isinstance(field.get(k), str))
        for option in field.get("options") or ():
            layer = option.get("layer") if isinstance(option, dict) else None
            if isinstance(layer, dict) and isinstance(layer.get("clipart"), str):
                refs.append(layer["clipart"])
    pieces = {}
    for ref in dict.fromkeys(refs):
        item = library.item(ref)
        if item is not None:
            pieces[ref] = {"label": item.label, "url": link(item)}
    return pieces


def mockups_of(scope: ShopScope, ids: Iterable[int]) -> dict[int, StoredFile]:
    """This shop's mockup files among ``ids`` (another shop's file is simply not found)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = scope.select(StoredFile).where(
        StoredFile.id.in_(wanted), StoredFile.kind == FileKind.MOCKUP
    )
    return {f.id: f for f in scope.session.scalars(stmt)}


def _views_document(
    area: PrintArea, mockups: dict[int, StoredFile], link: FileLinker
) -> list[dict[str, Any]]:
    """The area's pictures after its mockup: ``views[n]`` is the storefront preview's view
    ``n + 1`` (0 is the mockup)."""
    views = []
    for view in area.views:
        stored = mockups.get(view.mockup_file_id or 0)
        views.append(
            {
                "name": view.name,
                "mockup_file_id": stored.id if stored is not None else None,
                "mockup_url": link(stored) if stored is not None else None,
                "mockup_placement": dict(view.placement or {}),
            }
        )
    return views


def _area_document(
    area: PrintArea, mockups: dict[int, StoredFile], link: FileLinker
) -> dict[str, Any]:
    mockup = mockups.get(area.mockup_file_id or 0)
    return {
        "id": area.id,
        "key": area.key,
        "name": area.name,
        "position": area.position,
        "width_mm": float(area.width_mm),
        "height_mm": float(area.height_mm),
        "dpi": area.dpi,
        "bleed_mm": float(area.bleed_mm),
        "safe_margin_mm": float(area.safe_margin_mm),
        "mockup_file_id": mockup.id if mockup is not None else None,
        "mockup_url": link(mockup) if mockup is not None else None,
        "mockup_placement": dict(area.mockup_placement or {}),
        "views": _views_document(area, mockups, link),
        "uv_region": dict(area.uv_region or {}),
        "pixel_size": list(area.pixel_size),
    }


def variant_title(variant: Variant) -> str:
    """What a shopper and a merchant call a variant: its title, else its SKU, else its place."""
    return variant.title or variant.sku or f"Variant {variant.position + 1}"


def variants_document(product: Product) -> list[dict[str, Any]]:
    """The product's variants, so a choice option's ``variant_id`` (Luneo's id) can select the
    platform's variant on the product page and in the cart (on WooCommerce by its attributes,
    ``options``: the page's selects, not one input, decide the variation)."""
    return [
        {
            "id": v.id,
            "external_id": v.external_id,
            "title": variant_title(v),
            "options": {str(k): str(o) for k, o in (v.options or {}).items()},
        }
        for v in product.variants
    ]


def template_model_view(template: Template, areas: list[PrintArea]) -> dict[str, Any] | None:
    """How a 3D viewer shows the template's model wearing the design (``model_view``): the
    atlas, each area's place on it, the camera facing the print. None without a model, or when
    none of the areas fits it (the admin editor says why when the template is saved)."""
    if not template.model_3d:
        return None
    aspects = {a.key: float(a.width_mm) / float(a.height_mm) for a in areas if a.height_mm}
    uv_regions = {a.key: dict(a.uv_region) for a in areas if a.uv_region}
    color = (template.extra or {}).get("base_color")
    color = color.lower() if isinstance(color, str) and HEX_COLOR.fullmatch(color) else None
    try:
        return model_view(template.model_3d, aspects, uv_regions, color)
    except DesignError:
        return None


def template_document(
    scope: ShopScope,
    template: Template,
    product: Product,
    currency: str,
    link: FileLinker,
    clipart_link: ClipartLinker = clipart_path,
    *,
    ai_provider: tuple[str, str],
) -> dict[str, Any]:
    """The template as the editor and the API show it (money as strings, sizes as numbers).

    ``ai_provider`` is the configured image provider's (name, label) for the ``ai`` block.
    """
    areas = sorted(template.print_areas, key=lambda a: a.position)
    mockups = mockups_of(
        scope,
        [a.mockup_file_id for a in areas if a.mockup_file_id]
        + [v.mockup_file_id for a in areas for v in a.views if v.mockup_file_id],
    )
    return {
        "id": template.id,
        "product": {"id": product.id, "title": product.title, "image_url": product.image_url},
        "variants": variants_document(product),
        "name": template.name,
        "is_active": template.is_active,
        "fonts": list(template.fonts),
        "colors": list(template.colors),
        "clipart_sets": list(template.clipart_sets),
        "clipart": clipart_document(clipart_link, template.clipart_sets)
        + shop_clipart.clipart_document(scope, link, set(template.clipart_sets or ())),
        "max_layers": template.max_layers,
        "ai_enabled": template.ai_enabled,
        "model_3d": template.model_3d,
        "model_view": template_model_view(template, areas),
        "min_image_dpi": template.min_image_dpi,
        "low_dpi_policy": (template.low_dpi_policy or LowDpiPolicy.WARN).value,
        "price_rules": [dict(rule) for rule in template.price_rules],
        "fields": [dict(item) for item in template.fields or ()],
        "field_clipart": field_clipart(template.fields or (), clipart_link),
        "editor_mode": (template.editor_mode or EditorMode.CANVAS).value,
        "surcharge": money(template.surcharge or Decimal(0), currency),
        "currency": currency,
        "print_areas": [_area_document(a, mockups, link) for a in areas],
        "ai": ai_block(scope, template, *ai_provider),
        "cut_line": (template.extra or {}).get("cut_line"),
        "score_lines": list((template.extra or {}).get("score_lines") or ()),
        "engraving": (template.extra or {}).get("engraving"),
        "proof": proof_document(template),
        "try_on": try_on_document(template.try_on),
    }


def proof_document(template: Template) -> dict[str, Any]:
    """The template's proof approval settings, as the editor and template.v1.json write them."""
    return {
        "required": bool(template.proof_required),
        "send": (template.proof_send or ProofSend.AUTO).value,
        "deadline_hours": template.proof_deadline_hours or 48,
        "at_deadline": (template.proof_at_deadline or ProofAtDeadline.WAIT).value,
    }
