"""What the renderer needs to know about a product template, as plain frozen data.

Built from plain dicts (``TEMPLATE.json`` for the CLI; the job layer maps ORM rows to the same
shape), so the render core never sees the database.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from app.design import finishing
from app.design.displace import MAX_STRENGTH_PX, Displacement
from app.design.errors import DesignError
from app.design.fields import (
    EDITOR_MODES,
    EditorModeName,
    Field,
    amount,
    definition_errors,
    parse_fields,
)
from app.design.fonts import ShopFontFile
from app.design.limits import MAX_DPI, MIN_DPI, check_print_size
from app.design.warp import MAX_CIRCUMFERENCE_MM, MIN_CIRCUMFERENCE_MM, Cylinder


@dataclass(frozen=True)
class Placement:
    """Where a print area sits on its mockup image, in mockup pixels; ``cylinder``: the area
    wraps around the product there (``app.design.warp``), the rectangle its visible body;
    ``displacement``: the print follows the folds of the photo's fabric (``app.design.displace``).
    """

    x: int
    y: int
    width: int
    height: int
    cylinder: Cylinder | None = None
    displacement: Displacement | None = None


MAX_VIEWS = 8  # pictures per print area, its own mockup included


@dataclass(frozen=True)
class View:
    """Another picture of the product showing the area (the back, a side, on a model): its name
    for the shopper's tabs and where the area sits on it. The picture itself is the caller's."""

    name: str
    placement: Placement


@dataclass(frozen=True)
class AreaSpec:
    key: str
    width_mm: float
    height_mm: float
    dpi: int = 300
    bleed_mm: float = 3.0
    safe_margin_mm: float = 3.0
    name: str = ""
    mockup: Placement | None = None
    # More pictures after the mockup; view 0 is the mockup itself, view n is views[n - 1].
    views: tuple[View, ...] = ()
    # None: a transparent background (what DTG printers want); "#ffffff" for paper and the like.
    background: str | None = None

    @property
    def view_count(self) -> int:
        return 1 + len(self.views)

    def placement(self, view: int = 0) -> Placement | None:
        """Where the area sits on picture ``view`` (0: the mockup); DesignError past the last."""
        if view == 0:
            return self.mockup
        if 0 < view <= len(self.views):
            return self.views[view - 1].placement
        raise DesignError(f"areas.{self.key}.view", "this print area has no view with that number")


@dataclass(frozen=True)
class PriceRule:
    """``area``: charged when that area has a visible layer; ``option``: when a picked option of
    any choice field has that value or label."""

    amount: Decimal
    area: str | None = None
    option: str | None = None
    label: str = ""


LowDpiPolicyName = Literal["warn", "refuse"]


@dataclass(frozen=True)
class TemplateSpec:
    areas: tuple[AreaSpec, ...]
    fonts: tuple[str, ...] = ()  # empty: any font of the curated set
    colors: tuple[str, ...] = ()  # empty: any colour
    min_image_dpi: int = 100
    max_layers: int = 20
    clipart_sets: tuple[str, ...] | None = None  # None: any of Luneo's sets (templates from files)
    extra: Mapping[str, Any] = field(default_factory=dict)
    fields: tuple[Field, ...] = ()  # the merchant's form, in order (app.design.fields)
    editor_mode: EditorModeName = "canvas"
    # A photo under ``min_image_dpi``: "warn" (the shopper is told, may still order) or
    # "refuse" (the design cannot be saved for the cart; app.design.preflight).
    low_dpi_policy: LowDpiPolicyName = "warn"
    surcharge: Decimal = Decimal(0)  # per personalised unit, in the shop's currency
    price_rules: tuple[PriceRule, ...] = ()
    cut_line: finishing.CutLine | None = None  # a die-cut or label product (app.design.finishing)
    engraving: finishing.Engraving | None = None  # a laser-engraved product
    score_lines: tuple[finishing.ScoreLine, ...] = ()  # creases of a folded product
    # The shop's own fonts the template offers, as files on this machine (set by the service
    # that builds the spec, ``app.product_templates.render_spec``); ``fonts.registry_for``.
    shop_fonts: tuple[ShopFontFile, ...] = ()

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def area(self, key: str) -> AreaSpec:
        for area in self.areas:
            if area.key == key:
                return area
        raise DesignError(f"areas.{key}", "this product has no print area with that key")

    @property
    def area_keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.areas)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TemplateSpec:
        """``{"print_areas": [{"key", "width_mm", ...}], "fonts", "colors", ...}``.

        ``print_areas`` may also be a mapping keyed by area key; numbers may be Decimals or
        numeric strings, as they come out of the database.
        """
        raw_areas = data.get("print_areas", data.get("areas"))
        if not raw_areas:
            raise DesignError("template.print_areas", "at least one print area is required")
        items = _area_items(raw_areas)
        areas = tuple(_area(f"template.print_areas[{i}]", raw) for i, raw in enumerate(items))
        clipart_sets = _clipart_sets(data.get("clipart_sets"))
        fonts = _names("template.fonts", data.get("fonts"))
        return cls(
            areas=areas,
            fonts=fonts,
            colors=tuple(c.lower() for c in _names("template.colors", data.get("colors"))),
            min_image_dpi=int(_number("template.min_image_dpi", data.get("min_image_dpi", 100))),
            max_layers=int(_number("template.max_layers", data.get("max_layers", 20))),
            clipart_sets=clipart_sets,
            fields=parse_fields(
                data.get("fields"),
                area_keys=[a.key for a in areas],
                clipart_sets=clipart_sets,
                fonts=fonts,
            ),
            editor_mode=_editor_mode(data.get("editor_mode")),
            low_dpi_policy=_low_dpi_policy(data.get("low_dpi_policy")),
            surcharge=_amount("template.surcharge", data.get("surcharge")),
            price_rules=_price_rules(data.get("price_rules")),
            extra=_model_extra(data, items),
            cut_line=finishing.cut_line(data.get("cut_line")),
            engraving=finishing.engraving(data.get("engraving")),
            score_lines=_score_lines(data.get("score_lines"), areas),
        )


def _score_lines(raw: Any, areas: tuple[AreaSpec, ...]) -> tuple[finishing.ScoreLine, ...]:
    boxes = [finishing.Box(a.key, a.width_mm, a.height_mm, a.bleed_mm) for a in areas]
    return finishing.score_lines(raw, boxes)


def _model_extra(data: Mapping[str, Any], items: list[Mapping[str, Any]]) -> dict[str, Any]:
    """What only 3D output reads, as a template document names it (``model_3d``, each area's
    ``uv_region``, ``base_color``); the same keys ``render_spec`` fills from a saved template."""
    if not data.get("model_3d"):
        return {}
    regions = {}
    for index, area in enumerate(items):
        region = area.get("uv_region")
        if region and not isinstance(region, Mapping):
            raise DesignError(f"template.print_areas[{index}].uv_region", "must be an object")
        if region:
            regions[str(area["key"])] = dict(region)
    return {
        "model_3d": str(data["model_3d"]),
        "uv_regions": regions,
        "base_color": data.get("base_color"),
    }


def _low_dpi_policy(raw: Any) -> LowDpiPolicyName:
    value = str(getattr(raw, "value", raw)) if raw is not None else "warn"
    if value == "refuse":
        return "refuse"
    if value == "warn":
        return "warn"
    raise DesignError("template.low_dpi_policy", "must be warn or refuse")


def _editor_mode(raw: Any) -> EditorModeName:
    if raw is None:
        return "canvas"
    value = str(getattr(raw, "value", raw))  # the model's EditorMode or its string
    for mode in EDITOR_MODES:
        if value == mode:
            return mode
    raise DesignError("template.editor_mode", "must be one of canvas, form, both")


def _amount(path: str, raw: Any) -> Decimal:
    if isinstance(raw, Decimal):
        raw = str(raw)
    errors = definition_errors("amount", raw, path) if raw is not None else []
    if errors:
        raise DesignError(path, 'must be an amount like "2.50"')
    return amount(raw)


def _price_rules(raw: Any) -> tuple[PriceRule, ...]:
    if not raw:
        return ()
    if not isinstance(raw, list | tuple):
        raise DesignError("template.price_rules", "must be a list")
    rules = []
    for index, item in enumerate(raw):
        path = f"template.price_rules[{index}]"
        if not isinstance(item, Mapping):
            raise DesignError(path, "must be an object")
        rules.append(
            PriceRule(
                amount=_amount(f"{path}.amount", item.get("amount", "0")),
                area=str(item["area"]) if item.get("area") else None,
                option=str(item["option"]) if item.get("option") else None,
                label=str(item.get("label") or ""),
            )
        )
    return tuple(rules)


def _names(path: str, raw: Any) -> tuple[str, ...]:
    if not raw:
        return ()
    if not isinstance(raw, list | tuple):
        raise DesignError(path, "must be a list")
    return tuple(str(name) for name in raw)


def _area_items(raw: Any) -> list[Mapping[str, Any]]:
    if isinstance(raw, Mapping):
        if not all(isinstance(value, Mapping) for value in raw.values()):
            raise DesignError("template.print_areas", "each print area must be an object")
        return [{"key": key, **value} for key, value in raw.items()]
    if isinstance(raw, Iterable) and not isinstance(raw, str | bytes):
        return list(raw)
    raise DesignError("template.print_areas", "must be a list of print areas")


def _area(path: str, raw: Mapping[str, Any]) -> AreaSpec:
    if not isinstance(raw, Mapping) or not raw.get("key"):
        raise DesignError(f"{path}.key", "is required")
    area = AreaSpec(
        key=str(raw["key"]),
        name=str(raw.get("name") or raw["key"]),
        width_mm=_number(f"{path}.width_mm", raw.get("width_mm")),
        height_mm=_number(f"{path}.height_mm", raw.get("height_mm")),
        dpi=int(_number(f"{path}.dpi", raw.get("dpi", 300))),
        bleed_mm=_number(f"{path}.bleed_mm", raw.get("bleed_mm", 3)),
        safe_margin_mm=_number(f"{path}.safe_margin_mm", raw.get("safe_margin_mm", 3)),
        mockup=_placement(f"{path}.mockup_placement", raw.get("mockup_placement")),
        views=_views(f"{path}.views", raw.get("views")),
        background=raw.get("background"),
    )
    for name in ("width_mm", "height_mm", "dpi"):
        if getattr(area, name) <= 0:
            raise DesignError(f"{path}.{name}", "must be > 0")
    if not MIN_DPI <= area.dpi <= MAX_DPI:
        raise DesignError(f"{path}.dpi", f"must be between {MIN_DPI} and {MAX_DPI}")
    if area.bleed_mm < 0 or area.safe_margin_mm < 0:
        raise DesignError(f"{path}.bleed_mm", "bleed and safe margin must be >= 0")
    check_print_size(area)
    return area


def _placement(path: str, raw: Any) -> Placement | None:
    if not raw:
        return None
    try:
        x, y, width, height = (int(raw[k]) for k in ("x", "y", "width", "height"))
        placement = Placement(x, y, width, height)
    except (KeyError, TypeError, ValueError):
        raise DesignError(path, "needs whole-number x, y, width and height") from None
    if placement.width <= 0 or placement.height <= 0:
        raise DesignError(path, "width and height must be > 0")
    cylinder = _cylinder(f"{path}.cylinder", raw.get("cylinder"))
    displacement = _displacement(f"{path}.displacement", raw.get("displacement"))
    return dataclasses.replace(placement, cylinder=cylinder, displacement=displacement)


def _views(path: str, raw: Any) -> tuple[View, ...]:
    """``[{"name", "mockup_placement"}]``: the area's pictures after its mockup."""
    if not raw:
        return ()
    if not isinstance(raw, list | tuple):
        raise DesignError(path, "must be a list of views")
    if len(raw) > MAX_VIEWS - 1:
        raise DesignError(path, f"at most {MAX_VIEWS - 1} views besides the mockup")
    views = []
    for index, item in enumerate(raw):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            raise DesignError(where, "must be an object with name and mockup_placement")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise DesignError(f"{where}.name", "is required")
        placement = _placement(f"{where}.mockup_placement", item.get("mockup_placement"))
        if placement is None:
            raise DesignError(f"{where}.mockup_placement", "is required")
        views.append(View(name.strip(), placement))
    return tuple(views)


def _displacement(path: str, raw: Any) -> Displacement | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise DesignError(path, "must be an object with strength_px")
    strength = _number(f"{path}.strength_px", raw.get("strength_px"))
    if not 0 <= strength <= MAX_STRENGTH_PX:
        raise DesignError(f"{path}.strength_px", f"must be from 0 to {MAX_STRENGTH_PX:g} pixels")
    return Displacement(strength)


def _cylinder(path: str, raw: Any) -> Cylinder | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise DesignError(path, "must be an object with circumference_mm (and offset_mm)")
    circumference = _number(f"{path}.circumference_mm", raw.get("circumference_mm"))
    if not MIN_CIRCUMFERENCE_MM <= circumference <= MAX_CIRCUMFERENCE_MM:
        raise DesignError(
            f"{path}.circumference_mm",
            f"must be from {MIN_CIRCUMFERENCE_MM:g} to {MAX_CIRCUMFERENCE_MM:g} mm",
        )
    offset = _number(f"{path}.offset_mm", raw.get("offset_mm", 0))
    if abs(offset) > circumference:
        raise DesignError(f"{path}.offset_mm", "must be within one turn (the circumference)")
    return Cylinder(circumference, offset)


def _number(path: str, value: Any) -> float:
    if isinstance(value, bool) or value is None:
        raise DesignError(path, "must be a number")
    try:
        number = float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        raise DesignError(path, "must be a number") from None
    if not math.isfinite(number):
        raise DesignError(path, "must be a finite number")
    return number


def _clipart_sets(raw: Any) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list | tuple):
        raise DesignError("template.clipart_sets", "must be a list of clipart set keys")
    return tuple(str(key) for key in raw)
