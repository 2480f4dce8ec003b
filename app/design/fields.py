"""Template fields: the merchant's form, and the layers a shopper's values become.

A template's ``fields`` (a JSON list; schema ``schema/template.v1.json#/$defs/field``) are read
into frozen dataclasses by :func:`parse_fields`. :func:`materialize` drops every layer of a design
document that carries ``field`` and regenerates them from the template and the document's
``fields`` values, so geometry, fonts and colours stay the merchant's wherever the merchant locked
them. :func:`field_problems` lists what a save must refuse (required, too long, a font, colour,
picture or option that is not offered). The widget mirrors ``materialize``
(``storefront_widget/src/editor/fields.js``); ``tests/fixtures/fields/*.json`` hold both to the
same answers.

Rules that both sides follow:
- Draw order in an area: photo fields, then clipart fields and choice layers, then text fields
  (each group in field order), then the shopper's free layers (none in ``form`` mode).
- A field is visible unless its ``visible_when`` names a choice whose value (or default) is not
  in the list, or that choice is itself hidden. Hidden fields draw nothing and cost nothing.
- Text: ``uppercase`` applies to what is drawn; trimmed; lines centred vertically in the box at a
  line height of ``line_spacing`` (``LINE_SPACING`` unless the field sets one); ``auto_fit``
  shrinks ``size_mm`` so every line, its letter spacing counted, fits the box width (floored to
  0.01 mm, never below ``min_size_mm``); the anchor is the box's left edge, centre or right edge
  by ``align``, turned with the box about its centre. Letter spacing, outline and shadow the
  template sets are copied onto the layer as written.
- Movable fields (``editor_mode`` "both" only) take the box of the shopper's layer for that
  field (a text layer's ``box``), clamped to the area; every other field sits at its ``box``.
- Computed millimetres are rounded to 4 places (the JS twin does the same).
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jsonschema import Draft202012Validator

from app.design.clipart import default_library, parse_ref
from app.design.document import Box, schema_errors
from app.design.errors import DesignError
from app.design.fonts import (
    FAMILIES,
    FontRegistry,
    ShopFontFile,
    UnknownFont,
    default_registry,
    registry_for,
)
from app.design.geometry import rotate_point
from app.design.scripts import text_problem
from app.design.text_layout import line_widths_em, split_lines

if TYPE_CHECKING:
    from app.design.template import TemplateSpec

TEMPLATE_SCHEMA_PATH = Path(__file__).parent / "schema" / "template.v1.json"
FieldKind = Literal["text", "photo", "clipart", "choice"]
EditorModeName = Literal["canvas", "form", "both"]
EDITOR_MODES: tuple[EditorModeName, ...] = ("canvas", "form", "both")
MAX_FIELDS = 40
MAX_OPTIONS = 50
LINE_SPACING = 1.2
MIN_MOVED_MM = 1.0  # a movable field the shopper shrank is never smaller than this
CURATED_FONTS = frozenset(f.name for f in FAMILIES)
# A text field's look the template may set, copied onto its layer as written.
TEXT_LOOK = ("letter_spacing_mm", "stroke", "stroke_width_mm", "shadow")
DEFAULT_FONT = "Inter"


@dataclass(frozen=True)
class VisibleWhen:
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class FieldPrice:
    amount: Decimal = Decimal(0)
    per_character: Decimal = Decimal(0)


@dataclass(frozen=True)
class ColorEffect:
    fields: tuple[str, ...]
    value: str


@dataclass(frozen=True)
class OptionLayer:
    clipart: str
    box: Box


@dataclass(frozen=True)
class ChoiceOption:
    value: str
    label: str
    swatch: str | None = None
    price: Decimal = Decimal(0)
    variant_id: int | None = None
    color: ColorEffect | None = None
    layer: OptionLayer | None = None


@dataclass(frozen=True)
class Field:
    """One field of the merchant's form; kind-specific attributes keep their defaults elsewhere."""

    id: str
    kind: FieldKind
    label: str
    area: str | None = None
    help: str = ""
    required: bool = False
    visible_when: VisibleWhen | None = None
    price: FieldPrice = FieldPrice()
    box: Box | None = None
    movable: bool = False
    # text
    placeholder: str = ""
    default: str | None = None  # text: the prefilled text; clipart: a ref; choice: an option
    max_chars: int = 40
    uppercase: bool = False
    font: str = DEFAULT_FONT
    fonts: tuple[str, ...] = ()
    color: str | None = None  # text: always set ("#000000" by default); clipart: a recolour
    colors: tuple[str, ...] = ()
    size_mm: float = 10.0
    min_size_mm: float = 10.0 / 3
    auto_fit: bool = True
    align: Literal["left", "center", "right"] = "center"
    arc_degrees: float = 0.0
    weight: int = 400
    line_spacing: float = LINE_SPACING
    # the rest of the text's look, as the template writes it (only what the merchant set)
    look: Mapping[str, Any] | None = dataclass_field(default=None, hash=False)
    # photo
    shape: Literal["rect", "ellipse", "rounded", "mask"] = "rect"
    mask: str | None = None
    min_dpi: int | None = None
    # clipart
    sets: tuple[str, ...] = ()
    # choice
    display: Literal["swatches", "dropdown", "buttons"] = "dropdown"
    options: tuple[ChoiceOption, ...] = ()

    @property
    def allowed_fonts(self) -> tuple[str, ...]:
        return self.fonts or (self.font,)

    @property
    def allowed_colors(self) -> tuple[str, ...]:
        return self.colors or ((self.color,) if self.color else ())

    def option(self, value: Any) -> ChoiceOption | None:
        return next((o for o in self.options if o.value == value), None)


# ---------------------------------------------------------------- reading the template's fields


@cache
def template_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TEMPLATE_SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator(definition: str) -> Draft202012Validator:
    """A validator of one of the template schema's definitions (``fields``, ``price_rules``…)."""
    schema = template_schema()
    return Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"})


@cache
def template_validator() -> Draft202012Validator:
    return Draft202012Validator(template_schema())


def definition_errors(definition: str, instance: Any, prefix: str) -> list[DesignError]:
    """Schema problems of ``instance`` against ``#/$defs/<definition>`` of template.v1.json."""
    return schema_errors(_validator(definition), instance, prefix)


def field_errors(
    raw: Any,
    *,
    area_keys: Collection[str],
    clipart_sets: Collection[str] | None = None,
    prefix: str = "fields",
    fonts: Collection[str] = (),
) -> list[DesignError]:
    """Every problem of a template's ``fields`` list (schema first, then the rules across
    fields), each with its path (``fields[2].box.width_mm``). ``clipart_sets``: what the template
    offers (None or empty: any of Luneo's). ``fonts``: the template's font list, whose shop fonts
    (beside Luneo's) a text field may use too."""
    errors = definition_errors("fields", raw, prefix)
    if errors:
        return errors
    offered = frozenset(clipart_sets or ()) or None
    allowed = CURATED_FONTS | frozenset(fonts)
    return [
        DesignError(p, m)
        for p, m in _cross_problems(raw, frozenset(area_keys), offered, prefix, allowed)
    ]


def parse_fields(
    raw: Any,
    *,
    area_keys: Collection[str],
    clipart_sets: Collection[str] | None = None,
    prefix: str = "template.fields",
    fonts: Collection[str] = (),
) -> tuple[Field, ...]:
    """The fields as frozen data, or DesignError naming every problem (``others``)."""
    if raw is None:
        return ()
    errors = field_errors(
        raw, area_keys=area_keys, clipart_sets=clipart_sets, prefix=prefix, fonts=fonts
    )
    if errors:
        raise DesignError(errors[0].path, errors[0].message, others=errors[1:])
    return tuple(_field(item) for item in raw)


def _cross_problems(
    raw: list[Mapping[str, Any]],
    area_keys: frozenset[str],
    offered: frozenset[str] | None,
    prefix: str,
    fonts: frozenset[str] = CURATED_FONTS,
) -> Iterator[tuple[str, str]]:
    kinds: dict[str, str] = {}
    choices: dict[str, set[str]] = {}
    library = default_library()
    for index, item in enumerate(raw):
        path = f"{prefix}[{index}]"
        fid, kind = item["id"], item["kind"]
        if fid in kinds:
            yield f"{path}.id", "another field already uses this id"
        area = item.get("area")
        if area is not None and area not in area_keys:
            yield f"{path}.area", "no print area has this key"
        if "per_character" in (item.get("price") or {}) and kind != "text":
            yield f"{path}.price.per_character", "only a text field is priced per character"
        when = item.get("visible_when")
        if when is not None:
            if when["field"] not in choices:
                yield f"{path}.visible_when.field", "name a choice field that comes before this one"
            else:
                for i, value in enumerate(when["in"]):
                    if value not in choices[when["field"]]:
                        yield f"{path}.visible_when.in[{i}]", "not an option of that field"
        if kind == "text":
            yield from _text_problems(item, path, fonts)
        elif kind == "photo":
            if item.get("shape") == "mask":
                mask = item.get("mask")
                if not mask:
                    yield f"{path}.mask", "a mask frame needs its mask picture"
                elif library.item(mask) is None:
                    yield f"{path}.mask", "this clipart was not found"
        elif kind == "clipart":
            yield from _clipart_problems(item, path, offered)
        else:
            values = [o["value"] for o in item["options"]]
            for i, value in enumerate(values):
                if value in values[:i]:
                    yield f"{path}.options[{i}].value", "another option already uses this value"
            default = item.get("default")
            if default is not None and default not in values:
                yield f"{path}.default", "not one of the options"
            for i, option in enumerate(item["options"]):
                layer = option.get("layer")
                if layer is not None:
                    if area is None:
                        yield f"{path}.area", "an option that draws a picture needs a print area"
                    if library.item(layer["clipart"]) is None:
                        yield f"{path}.options[{i}].layer.clipart", "this clipart was not found"
            choices[fid] = set(values)
        kinds[fid] = kind
    for index, item in enumerate(raw):  # colour effects may name any text or clipart field
        if item["kind"] != "choice":
            continue
        for i, option in enumerate(item["options"]):
            effect = option.get("color") or {}
            for j, target in enumerate(effect.get("fields", ())):
                if kinds.get(target) not in ("text", "clipart"):
                    yield (
                        f"{prefix}[{index}].options[{i}].color.fields[{j}]",
                        "name a text or clipart field of this template",
                    )


def _text_problems(
    item: Mapping[str, Any], path: str, fonts: frozenset[str] = CURATED_FONTS
) -> Iterator[tuple[str, str]]:
    """``fonts``: Luneo's, and the shop's own the template offers in its font list."""
    if "font" in item and item["font"] not in fonts:
        yield f"{path}.font", "not one of Luneo's fonts"
    for i, font in enumerate(item.get("fonts", ())):
        if font not in fonts:
            yield f"{path}.fonts[{i}]", "not one of Luneo's fonts"
    max_chars = item.get("max_chars", 40)
    default = item.get("default")
    if isinstance(default, str) and len(default) > max_chars:
        yield f"{path}.default", f"at most {max_chars} characters (max_chars)"
    size = item.get("size_mm")
    minimum = item.get("min_size_mm")
    if size is not None and minimum is not None and minimum > size:
        yield f"{path}.min_size_mm", "must not be more than size_mm"


def _clipart_problems(
    item: Mapping[str, Any], path: str, offered: frozenset[str] | None
) -> Iterator[tuple[str, str]]:
    library = default_library()
    sets = list(item.get("sets") or ())
    if not sets:
        yield f"{path}.sets", "choose at least one clipart set"
    for i, key in enumerate(sets):
        if library.set(key) is None:
            yield f"{path}.sets[{i}]", "not one of Luneo's clipart sets"
        elif offered is not None and key not in offered:
            yield f"{path}.sets[{i}]", "this template does not offer this clipart set"
    default = item.get("default")
    if default is not None:
        parsed = parse_ref(default)
        if library.item(default) is None:
            yield f"{path}.default", "this clipart was not found"
        elif parsed is not None and parsed[0] not in sets:
            yield f"{path}.default", "pick the default from the field's sets"


def amount(raw: Any) -> Decimal:
    """A schema-checked amount (string or number) as a Decimal; 0 for null."""
    if raw is None:
        return Decimal(0)
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise DesignError("", f"not an amount: {raw!r}") from None
    if not value.is_finite() or value < 0:
        raise DesignError("", f"not an amount: {raw!r}")
    return value


def _option(raw: Mapping[str, Any]) -> ChoiceOption:
    color = raw.get("color")
    layer = raw.get("layer")
    return ChoiceOption(
        value=raw["value"],
        label=raw["label"],
        swatch=_long(raw["swatch"]) if raw.get("swatch") else None,
        price=amount(raw.get("price")),
        variant_id=raw.get("variant_id"),
        color=ColorEffect(tuple(color["fields"]), _long(color["value"])) if color else None,
        layer=OptionLayer(layer["clipart"], Box.from_mapping(layer["box"])) if layer else None,
    )


def _field(raw: Mapping[str, Any]) -> Field:
    kind: FieldKind = raw["kind"]
    when = raw.get("visible_when")
    price = raw.get("price") or {}
    box = Box.from_mapping(raw["box"]) if raw.get("box") else None
    values: dict[str, Any] = {
        "id": raw["id"],
        "kind": kind,
        "label": raw["label"],
        "area": raw.get("area"),
        "help": raw.get("help", ""),
        "required": bool(raw.get("required", False)),
        "visible_when": VisibleWhen(when["field"], tuple(when["in"])) if when else None,
        "price": FieldPrice(amount(price.get("amount")), amount(price.get("per_character"))),
        "box": box,
        "movable": bool(raw.get("movable", False)),
        "default": raw.get("default"),
    }
    if kind == "text":
        assert box is not None  # the schema requires it
        spacing = float(raw.get("line_spacing", LINE_SPACING))
        size = float(raw.get("size_mm", round(box.height_mm / spacing, 4)))
        values |= {
            "placeholder": raw.get("placeholder", ""),
            "max_chars": int(raw.get("max_chars", 40)),
            "uppercase": bool(raw.get("uppercase", False)),
            "font": raw.get("font", DEFAULT_FONT),
            "fonts": tuple(raw.get("fonts", ())),
            "color": _long(raw.get("color", "#000000")),
            "colors": tuple(_long(c) for c in raw.get("colors", ())),
            "size_mm": size,
            "min_size_mm": float(raw.get("min_size_mm", round(size / 3, 4))),
            "auto_fit": bool(raw.get("auto_fit", True)),
            "align": raw.get("align", "center"),
            "arc_degrees": float(raw.get("arc_degrees", 0.0)),
            "weight": int(raw.get("weight", 400)),
            "line_spacing": spacing,
            "look": {k: raw[k] for k in TEXT_LOOK if k in raw} or None,
        }
    elif kind == "photo":
        values |= {
            "shape": raw.get("shape", "rect"),
            "mask": raw.get("mask"),
            "min_dpi": raw.get("min_dpi"),
        }
    elif kind == "clipart":
        values |= {
            "sets": tuple(raw.get("sets", ())),
            "color": _long(raw["color"]) if raw.get("color") else None,
        }
    else:
        values |= {
            "display": raw.get("display", "dropdown"),
            "options": tuple(_option(o) for o in raw["options"]),
        }
    return Field(**values)


def _long(color: str) -> str:
    """``#ABC`` -> ``#aabbcc``: the one spelling colours are stored and compared in."""
    value = color.strip().lower()
    if len(value) == 4:
        return "#" + "".join(c * 2 for c in value[1:])
    return value


# ---------------------------------------------------------------- the shopper's values


@dataclass(frozen=True)
class FieldState:
    """A field as this design fills it: whether it is shown, and its usable value.

    ``value`` is already sanitised (a text cut at ``max_chars``, an unknown option or picture
    replaced by the default): what is drawn, priced and listed. Text: str; photo:
    ``{"src", "crop"?}`` or None; clipart: a ref or None; choice: an option value or None.
    """

    field: Field
    visible: bool
    value: Any
    given: bool  # the document named a value for it

    @property
    def filled(self) -> bool:
        if self.field.kind == "text":
            return bool(isinstance(self.value, str) and self.value.strip())
        return self.value is not None

    @property
    def option(self) -> ChoiceOption | None:
        return self.field.option(self.value) if self.field.kind == "choice" else None


def values_of(document: Any) -> Mapping[str, Any]:
    values = document.get("fields") if isinstance(document, Mapping) else None
    return values if isinstance(values, Mapping) else {}


def field_states(spec: TemplateSpec, document: Any) -> list[FieldState]:
    """Every field of the template, in order, with its visibility and sanitised value."""
    values = values_of(document)
    states: list[FieldState] = []
    chosen: dict[str, str | None] = {}  # visible choice fields' values
    for field in spec.fields:
        when = field.visible_when
        visible = when is None or chosen.get(when.field) in when.values
        value = _sanitised(field, values.get(field.id), field.id in values) if visible else None
        states.append(FieldState(field, visible, value, field.id in values))
        if field.kind == "choice" and visible:
            chosen[field.id] = value
    return states


def _sanitised(field: Field, raw: Any, given: bool) -> Any:
    if field.kind == "text":
        if not given or raw is None:
            return field.default or ""
        return raw[: field.max_chars] if isinstance(raw, str) else ""
    if field.kind == "photo":
        if isinstance(raw, Mapping) and isinstance(raw.get("src"), str) and raw["src"]:
            photo = {"src": raw["src"]}
            if isinstance(raw.get("crop"), Mapping):
                photo["crop"] = dict(raw["crop"])
            return photo
        return None
    if field.kind == "clipart":
        if isinstance(raw, str) and _offered_clipart(field, raw):
            return raw
        return field.default if not given or raw is None else None
    if isinstance(raw, str) and field.option(raw) is not None:
        return raw
    return field.default if field.option(field.default) is not None else None


def _offered_clipart(field: Field, ref: str) -> bool:
    parsed = parse_ref(ref)
    return (
        parsed is not None and parsed[0] in field.sets and default_library().item(ref) is not None
    )


# ---------------------------------------------------------------- problems a save refuses


def field_problems(spec: TemplateSpec, document: Any) -> list[tuple[str, str]]:
    """``(path, message)`` for each value a save must refuse; a hidden field's value is ignored.

    Paths: ``fields.<id>`` (``fields.<id>.font`` / ``.color`` for a text's font or colour)."""
    raw_values = document.get("fields") if isinstance(document, Mapping) else None
    if raw_values is not None and not isinstance(raw_values, Mapping):
        return [("fields", "must be an object of field values")]
    values = values_of(document)
    layers = _field_layers(document)
    states = field_states(spec, document)
    set_by_option = _color_effects(states)
    problems: list[tuple[str, str]] = []
    for state in states:
        if not state.visible:
            continue
        field, path = state.field, f"fields.{state.field.id}"
        raw = values.get(field.id)
        problem = _value_problem(field, raw) if state.given and raw is not None else None
        if problem:
            problems.append((path, problem))
        elif field.required and not state.filled:
            problems.append((path, "is required"))
        if field.kind == "text":
            recoloured = field.id in set_by_option
            problems.extend(_style_problems(field, layers.get(field.id), path, recoloured))
            if not problem and isinstance(state.value, str):
                script = _script_problem(field, state.value, layers.get(field.id), spec.shop_fonts)
                if script:
                    problems.append((path, script))
    return problems


def _script_problem(
    field: Field, value: str, layer: Mapping[str, Any] | None, shop_fonts: tuple[ShopFontFile, ...]
) -> str | None:
    """What the layout cannot print in the text as drawn (``app.design.scripts``)."""
    font = field.font
    if layer is not None and layer.get("font") in field.allowed_fonts:
        font = str(layer["font"])
    try:
        face = registry_for(shop_fonts).face(font, field.weight)
    except UnknownFont:
        return None
    return text_problem(value.upper() if field.uppercase else value, face)


def _value_problem(field: Field, raw: Any) -> str | None:
    if field.kind == "text":
        if not isinstance(raw, str):
            return "must be text"
        if len(raw) > field.max_chars:
            return f"at most {field.max_chars} characters"
        return None
    if field.kind == "photo":
        ok = isinstance(raw, Mapping) and isinstance(raw.get("src"), str) and raw["src"]
        return None if ok else "add a photo"
    if field.kind == "clipart":
        ok = isinstance(raw, str) and _offered_clipart(field, raw)
        return None if ok else "choose one of the pictures offered here"
    return None if field.option(raw) is not None else "choose one of the options offered here"


def _style_problems(
    field: Field, layer: Mapping[str, Any] | None, path: str, recoloured: bool
) -> Iterator[tuple[str, str]]:
    """The font and colour the shopper's layer asks for; a colour a picked option sets is the
    merchant's (``recoloured``), so any colour the layer carries then is simply replaced."""
    if layer is None:
        return
    font = layer.get("font")
    if font is not None and font not in field.allowed_fonts:
        yield f"{path}.font", "choose one of the fonts offered for this field"
    color = layer.get("color")
    if not recoloured and isinstance(color, str) and _long(color) not in field.allowed_colors:
        yield f"{path}.color", "choose one of the colours offered for this field"


# ---------------------------------------------------------------- materialize


def _field_layers(document: Any) -> dict[str, Mapping[str, Any]]:
    """The first layer the document carries for each field id (the shopper's font, colour and,
    for a movable field, box)."""
    found: dict[str, Mapping[str, Any]] = {}
    areas = document.get("areas") if isinstance(document, Mapping) else None
    if not isinstance(areas, Mapping):
        return found
    for area in areas.values():
        layers = area.get("layers") if isinstance(area, Mapping) else None
        for layer in layers if isinstance(layers, list) else ():
            if isinstance(layer, Mapping) and isinstance(layer.get("field"), str):
                found.setdefault(layer["field"], layer)
    return found


def materialize(
    spec: TemplateSpec, document: Mapping[str, Any], fonts: FontRegistry | None = None
) -> dict[str, Any]:
    """The document with every field layer regenerated from the template and ``fields``.

    Anything the schema will refuse (``areas`` not an object, a layer not an object) is passed
    through untouched so that validation names it; only ``field`` layers are replaced.
    """
    out: dict[str, Any] = {k: v for k, v in document.items() if k not in ("areas", "fields")}
    raw_areas = document.get("areas", {})
    if not isinstance(raw_areas, Mapping):
        return dict(document)
    states = field_states(spec, document)
    shopper = _field_layers(document)
    fonts = registry_for(spec.shop_fonts, fonts) if spec.shop_fonts else fonts
    colors = _color_effects(states)
    generated = _generated(spec, states, shopper, colors, fonts)
    keys = [a.key for a in spec.areas] + [k for k in raw_areas if k not in spec.area_keys]
    areas: dict[str, Any] = {}
    for key in keys:
        area = raw_areas.get(key)
        if area is not None and not (
            isinstance(area, Mapping) and isinstance(area.get("layers"), list)
        ):
            areas[key] = area  # the schema names what is wrong with it
            continue
        free = [] if area is None else [la for la in area["layers"] if not _is_field_layer(la)]
        if spec.editor_mode == "form" and spec.fields:
            free = []
        layers = generated.get(key, []) + free
        if area is not None or layers:
            areas[key] = {**(area or {}), "layers": layers}
    out["areas"] = areas
    if "fields" in document:
        out["fields"] = {
            s.field.id: values_of(document)[s.field.id]
            for s in states
            if s.visible and s.given and values_of(document)[s.field.id] is not None
        }
    return out


def _is_field_layer(layer: Any) -> bool:
    return isinstance(layer, Mapping) and "field" in layer


def _color_effects(states: list[FieldState]) -> dict[str, str]:
    """Field id -> the colour a picked option sets for it (later choices win)."""
    colors: dict[str, str] = {}
    for state in states:
        option = state.option if state.visible else None
        if option is not None and option.color is not None:
            for target in option.color.fields:
                colors[target] = option.color.value
    return colors


def _generated(
    spec: TemplateSpec,
    states: list[FieldState],
    shopper: Mapping[str, Mapping[str, Any]],
    colors: Mapping[str, str],
    fonts: FontRegistry | None,
) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, tuple[list[dict[str, Any]], ...]] = {}
    movable_mode = spec.editor_mode == "both"
    for state in states:
        field = state.field
        if not state.visible or not state.filled or field.area is None:
            continue
        if field.area not in spec.area_keys:
            continue
        photos, pictures, texts = groups.setdefault(field.area, ([], [], []))
        if field.kind == "choice":
            option = state.option
            if option is not None and option.layer is not None:
                placed = _box_dict(option.layer.box)
                pictures.append(
                    {"type": "clipart", "field": field.id, "src": option.layer.clipart, **placed}
                )
            continue
        assert field.box is not None
        box = field.box
        if movable_mode and field.movable:
            box = _moved(spec, field, shopper.get(field.id)) or box
        layer = shopper.get(field.id)
        if field.kind == "photo":
            photos.append(_photo_layer(field, state.value, box))
        elif field.kind == "clipart":
            pictures.append(_clipart_layer(field, state.value, box, colors.get(field.id)))
        else:
            text = _text_layer(field, state.value, box, layer, colors.get(field.id), fonts)
            if text is not None:
                texts.append(text)
    return {key: [*p, *c, *t] for key, (p, c, t) in groups.items()}


def _r(value: float) -> float:
    return round(value, 4) + 0.0  # + 0.0: never -0.0


def _box_dict(box: Box) -> dict[str, float]:
    return {
        "x_mm": _r(box.x_mm),
        "y_mm": _r(box.y_mm),
        "width_mm": _r(box.width_mm),
        "height_mm": _r(box.height_mm),
        "rotation_deg": _r(box.rotation_deg),
    }


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    value = float(raw)
    return value if math.isfinite(value) and abs(value) <= 10000 else None


def _moved(spec: TemplateSpec, field: Field, layer: Mapping[str, Any] | None) -> Box | None:
    """The shopper's box for a movable field, kept inside the area; None to use the field's."""
    if layer is None or field.area is None:
        return None
    source = layer.get("box") if field.kind == "text" else layer
    if not isinstance(source, Mapping):
        return None
    x, y = _number(source.get("x_mm")), _number(source.get("y_mm"))
    w, h = _number(source.get("width_mm")), _number(source.get("height_mm"))
    turn = _number(source.get("rotation_deg", 0.0))
    if x is None or y is None or w is None or h is None or turn is None:
        return None
    area = spec.area(field.area)
    w = min(max(w, MIN_MOVED_MM), area.width_mm)
    h = min(max(h, MIN_MOVED_MM), area.height_mm)
    x = min(max(x, 0.0), area.width_mm - w)
    y = min(max(y, 0.0), area.height_mm - h)
    return Box(x, y, w, h, max(-360.0, min(360.0, turn)))


def _photo_layer(field: Field, value: Mapping[str, Any], box: Box) -> dict[str, Any]:
    clip: dict[str, Any] = {"shape": field.shape}
    if field.shape == "mask" and field.mask:
        clip["mask"] = field.mask
    layer: dict[str, Any] = {"type": "image", "field": field.id, "src": value["src"]}
    if "crop" in value:
        layer["crop"] = value["crop"]
    return {**layer, **_box_dict(box), "clip": clip}


def _clipart_layer(field: Field, ref: str, box: Box, color: str | None) -> dict[str, Any]:
    layer: dict[str, Any] = {"type": "clipart", "field": field.id, "src": ref, **_box_dict(box)}
    if color or field.color:
        layer["color"] = color or field.color
    return layer


def _text_layer(
    field: Field,
    value: str,
    box: Box,
    shopper: Mapping[str, Any] | None,
    color: str | None,
    fonts: FontRegistry | None,
) -> dict[str, Any] | None:
    text = value.upper() if field.uppercase else value
    text = text.strip()
    if not text:
        return None
    font = field.font
    if shopper is not None and shopper.get("font") in field.allowed_fonts:
        font = str(shopper["font"])
    if color is None:
        color = field.color or "#000000"
        chosen = shopper.get("color") if shopper is not None else None
        if isinstance(chosen, str) and _long(chosen) in field.allowed_colors:
            color = _long(chosen)
    size = _fitted_size(field, text, font, box.width_mm, fonts)
    lines = len(split_lines(text))
    x = box.x_mm + {"left": 0.0, "center": box.width_mm / 2, "right": box.width_mm}[field.align]
    y = box.y_mm + (box.height_mm - size * field.line_spacing * lines) / 2
    if box.rotation_deg:
        cx, cy = box.x_mm + box.width_mm / 2, box.y_mm + box.height_mm / 2
        x, y = rotate_point(x, y, cx, cy, box.rotation_deg)
    return {
        "type": "text",
        "field": field.id,
        "text": text,
        "font": font,
        "weight": field.weight,
        "size_mm": _r(size),
        "color": color,
        "align": field.align,
        "line_spacing": field.line_spacing,
        "arc_degrees": _r(field.arc_degrees),
        "x_mm": _r(x),
        "y_mm": _r(y),
        "rotation_deg": _r(box.rotation_deg),
        "box": _box_dict(box),
        **_copied(field.look or {}),
    }


def _copied(look: Mapping[str, Any]) -> dict[str, Any]:
    return {k: dict(v) if isinstance(v, Mapping) else v for k, v in look.items()}


def _fitted_size(
    field: Field, text: str, font: str, width_mm: float, fonts: FontRegistry | None
) -> float:
    """``size_mm``, shrunk (auto-fit) until the widest line fits ``width_mm``; floored to
    0.01 mm and never below ``min_size_mm``."""
    if not field.auto_fit:
        return field.size_mm
    try:
        face = (fonts or default_registry()).face(font, field.weight)
    except UnknownFont:
        return field.size_mm
    tracking = float((field.look or {}).get("letter_spacing_mm", 0.0))
    lines = zip(line_widths_em(text, face), split_lines(text), strict=True)
    fits = [(width_mm - tracking * max(0, len(line) - 1), em) for em, line in lines if em > 0]
    if all(em * field.size_mm <= room for room, em in fits):
        return field.size_mm
    fitted = math.floor(min(max(room, 0.0) / em for room, em in fits) * 100) / 100
    return max(field.min_size_mm, min(field.size_mm, fitted))


# ---------------------------------------------------------------- what the cart line shows

PHOTO_ADDED = "Photo added"


def properties(spec: TemplateSpec, document: Any) -> dict[str, str]:
    """``{label: value}`` for each visible, filled field, in form order: what the cart line and
    the order show (a text as typed, an option's label, "Photo added", a picture's label);
    never an id. A label used twice gets " (2)"."""
    shown: dict[str, str] = {}
    library = default_library()
    for state in field_states(spec, document):
        if not state.visible or not state.filled:
            continue
        field = state.field
        if field.kind == "text":
            value = " ".join(state.value.split())
        elif field.kind == "photo":
            value = PHOTO_ADDED
        elif field.kind == "clipart":
            item = library.item(state.value)
            value = item.label if item is not None else state.value
        else:
            option = state.option
            value = option.label if option is not None else ""
        label, n = field.label, 2
        while label in shown:
            label, n = f"{field.label} ({n})", n + 1
        shown[label] = value
    return shown


def selected_variant(spec: TemplateSpec, document: Any) -> int | None:
    """The product variant (Luneo's ``Variant.id``) the last visible picked option selects."""
    chosen = None
    for state in field_states(spec, document):
        option = state.option if state.visible else None
        if option is not None and option.variant_id is not None:
            chosen = option.variant_id
    return chosen
