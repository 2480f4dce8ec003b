"""The design document: JSON in, typed frozen layers out, or a DesignError naming the field.

Validation is the JSON Schema in ``schema/design-document.v1.json`` (the one contract the widget,
the storefront API and the renderer share) plus the few cross-field rules a schema can't say.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from app.design.errors import DesignError, layer_path

SCHEMA_PATH = Path(__file__).parent / "schema" / "design-document.v1.json"
CURRENT_VERSION = 1

Align = Literal["left", "center", "right"]
ShapeKind = Literal["rect", "ellipse", "line"]


@dataclass(frozen=True)
class Box:
    """A placed box in mm (top-left + size), rotated about its centre."""

    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    rotation_deg: float = 0.0

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Box:
        """A box as documents write it (x, y, width, height in mm; rotation in degrees)."""
        return cls(
            x_mm=float(raw["x_mm"]),
            y_mm=float(raw["y_mm"]),
            width_mm=float(raw["width_mm"]),
            height_mm=float(raw["height_mm"]),
            rotation_deg=float(raw.get("rotation_deg", 0.0)),
        )


@dataclass(frozen=True)
class TextShadow:
    """A drop shadow under a text's letters: offset in area mm, blur radius (sigma = blur / 2)."""

    color: str
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0
    blur_mm: float = 0.0
    opacity: float = 1.0

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> TextShadow:
        return cls(
            color=raw["color"],
            offset_x_mm=float(raw.get("offset_x_mm", 0.0)),
            offset_y_mm=float(raw.get("offset_y_mm", 0.0)),
            blur_mm=float(raw.get("blur_mm", 0.0)),
            opacity=float(raw.get("opacity", 1.0)),
        )


@dataclass(frozen=True)
class TextLayer:
    text: str
    font: str
    size_mm: float
    x_mm: float
    y_mm: float
    weight: int = 400
    style: str = "normal"
    color: str = "#000000"
    align: Align = "left"
    line_spacing: float = 1.2
    letter_spacing_mm: float = 0.0
    arc_degrees: float = 0.0
    rotation_deg: float = 0.0
    opacity: float = 1.0
    kind: Literal["text"] = "text"
    field: str | None = None  # the template field this layer was made from
    box: Box | None = None  # a field's text: the box it was fitted in
    stroke: str | None = None  # outline colour; drawn when stroke_width_mm > 0
    stroke_width_mm: float = 0.0  # centred on the letters' edges, under their fill
    shadow: TextShadow | None = None
    hidden: bool = False  # kept in the design, never drawn (print files, previews)

    @property
    def outline_mm(self) -> float:
        """The outline's width when one is drawn, else 0."""
        return self.stroke_width_mm if self.stroke is not None else 0.0


@dataclass(frozen=True)
class Crop:
    x: float
    y: float
    width: float
    height: float
    unit: Literal["fraction", "px"] = "fraction"


ClipShape = Literal["rect", "ellipse", "rounded", "mask"]


@dataclass(frozen=True)
class Clip:
    """A photo frame: the picture shows only inside this shape of its box."""

    shape: ClipShape
    mask: str | None = None  # shape "mask": clipart (or a picture) whose alpha is the frame


@dataclass(frozen=True)
class Filters:
    """Colour filters of a photo, applied in field order (the widget's preview uses the same
    formulas, ``storefront_widget/src/editor/photo_tools.js``)."""

    brightness: float = 1.0
    contrast: float = 1.0
    grayscale: bool = False
    sepia: bool = False

    @property
    def active(self) -> bool:
        return self != Filters()


Turn = Literal[0, 90, 180, 270]


@dataclass(frozen=True)
class ImageLayer:
    src: str
    box: Box
    crop: Crop | None = None
    opacity: float = 1.0
    kind: Literal["image", "clipart"] = "image"
    color: str | None = None  # clipart only: the colour of a single-colour piece
    clip: Clip | None = None  # image only
    field: str | None = None
    hidden: bool = False
    turn: Turn = 0  # image only: quarter turns of the picture inside its box, clockwise
    flip_x: bool = False  # mirrored left to right inside its box (after the turn)
    flip_y: bool = False
    filters: Filters | None = None  # image only

    @property
    def quarter_turned(self) -> bool:
        """The picture lies on its side in the box: its width runs along the box's height."""
        return self.turn in (90, 270)


@dataclass(frozen=True)
class ShapeLayer:
    shape: ShapeKind
    box: Box
    fill: str | None = None
    stroke: str | None = None
    stroke_width_mm: float = 0.0
    opacity: float = 1.0
    kind: Literal["shape"] = "shape"
    field: str | None = None
    hidden: bool = False


Layer = TextLayer | ImageLayer | ShapeLayer


@dataclass(frozen=True)
class Design:
    areas: Mapping[str, tuple[Layer, ...]]
    version: int = CURRENT_VERSION


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def schema_errors(
    validator: Draft202012Validator, instance: Any, prefix: str = ""
) -> list[DesignError]:
    """Every schema problem of ``instance`` as a DesignError with a readable path and message,
    sorted by path (``prefix`` goes before each path: ``template.fields``)."""
    problems = sorted(validator.iter_errors(instance), key=_error_order)
    errors = []
    for problem in problems:
        path = _path(problem)
        if prefix:
            path = f"{prefix}{path}" if not path or path.startswith("[") else f"{prefix}.{path}"
        errors.append(DesignError(path, _message(problem)))
    return errors


def parse_design(document: Any) -> Design:
    """Validate a decoded JSON document and return typed layers; raise DesignError otherwise."""
    errors = schema_errors(_validator(), document)
    if errors:
        raise DesignError(errors[0].path, errors[0].message, others=errors[1:])
    areas = {
        key: tuple(_layer(key, i, raw) for i, raw in enumerate(area["layers"]))
        for key, area in document["areas"].items()
    }
    return Design(areas=areas, version=document["version"])


def parse_design_json(text: str | bytes) -> Design:
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DesignError("", f"not valid JSON: {exc}") from None
    return parse_design(document)


def _layer(area: str, index: int, raw: Mapping[str, Any]) -> Layer:
    kind = raw["type"]
    if kind == "text":
        return _text(raw)
    if kind == "shape":
        return _shape(area, index, raw)
    crop, clip = raw.get("crop"), raw.get("clip")
    if clip is not None and clip["shape"] == "mask" and not clip.get("mask"):
        raise DesignError(layer_path(area, index, "clip.mask"), "a mask frame needs its mask")
    return ImageLayer(
        src=raw["src"],
        box=Box.from_mapping(raw),
        crop=_crop(area, index, crop) if crop is not None else None,
        opacity=float(raw.get("opacity", 1.0)),
        kind=kind,
        color=raw.get("color"),
        clip=Clip(clip["shape"], clip.get("mask")) if clip is not None else None,
        field=raw.get("field"),
        hidden=bool(raw.get("hidden", False)),
        turn=cast(Turn, int(raw.get("turn", 0))),
        flip_x=bool(raw.get("flip_x", False)),
        flip_y=bool(raw.get("flip_y", False)),
        filters=_filters(raw["filters"]) if raw.get("filters") else None,
    )


def _filters(raw: Mapping[str, Any]) -> Filters | None:
    filters = Filters(
        brightness=float(raw.get("brightness", 1.0)),
        contrast=float(raw.get("contrast", 1.0)),
        grayscale=bool(raw.get("grayscale", False)),
        sepia=bool(raw.get("sepia", False)),
    )
    return filters if filters.active else None


def _text(raw: Mapping[str, Any]) -> TextLayer:
    return TextLayer(
        text=raw["text"],
        font=raw["font"],
        size_mm=float(raw["size_mm"]),
        x_mm=float(raw["x_mm"]),
        y_mm=float(raw["y_mm"]),
        weight=int(raw.get("weight", 400)),
        style=raw.get("style", "normal"),
        color=raw.get("color", "#000000"),
        align=raw.get("align", "left"),
        line_spacing=float(raw.get("line_spacing", 1.2)),
        letter_spacing_mm=float(raw.get("letter_spacing_mm", 0.0)),
        arc_degrees=float(raw.get("arc_degrees", 0.0)),
        rotation_deg=float(raw.get("rotation_deg", 0.0)),
        opacity=float(raw.get("opacity", 1.0)),
        field=raw.get("field"),
        box=Box.from_mapping(raw["box"]) if raw.get("box") else None,
        stroke=raw.get("stroke"),
        stroke_width_mm=float(raw.get("stroke_width_mm", 0.0)),
        shadow=TextShadow.from_mapping(raw["shadow"]) if raw.get("shadow") else None,
        hidden=bool(raw.get("hidden", False)),
    )


def _shape(area: str, index: int, raw: Mapping[str, Any]) -> ShapeLayer:
    layer = ShapeLayer(
        shape=raw["shape"],
        box=Box.from_mapping(raw),
        fill=raw.get("fill"),
        stroke=raw.get("stroke"),
        stroke_width_mm=float(raw.get("stroke_width_mm", 0.0)),
        opacity=float(raw.get("opacity", 1.0)),
        field=raw.get("field"),
        hidden=bool(raw.get("hidden", False)),
    )
    if layer.shape == "line":
        if layer.stroke_width_mm <= 0:
            raise DesignError(
                layer_path(area, index, "stroke_width_mm"), "a line needs a width > 0"
            )
    else:
        for field in ("width_mm", "height_mm"):
            if float(raw[field]) <= 0:
                raise DesignError(layer_path(area, index, field), "must be > 0")
    return layer


def _crop(area: str, index: int, raw: Mapping[str, Any]) -> Crop:
    crop = Crop(
        x=float(raw["x"]),
        y=float(raw["y"]),
        width=float(raw["width"]),
        height=float(raw["height"]),
        unit=raw.get("unit", "fraction"),
    )
    if crop.unit == "fraction" and (crop.x + crop.width > 1.0001 or crop.y + crop.height > 1.0001):
        raise DesignError(
            layer_path(area, index, "crop"), "a fractional crop must stay within 0..1"
        )
    return crop


# ---------------------------------------------------------------- readable schema errors


def _error_order(error: ValidationError) -> tuple[str, str]:
    return (_path(error), error.message)


def _path(error: ValidationError) -> str:
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if error.validator == "required":
        missing = _missing_property(error)
        path = f"{path}.{missing}" if path else missing
    return path


def _missing_property(error: ValidationError) -> str:
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    required: list[str] = list(cast(Any, error.validator_value))
    return next((name for name in required if name not in instance), "?")


_TYPE_NAMES = {
    "number": "a number",
    "integer": "a whole number",
    "string": "a string",
    "object": "an object",
    "array": "a list",
    "boolean": "true or false",
}


def _message(error: ValidationError) -> str:
    kind, value = error.validator, cast(Any, error.validator_value)
    match kind:
        case "required":
            return "is required"
        case "exclusiveMinimum":
            return f"must be > {_num(value)}"
        case "minimum":
            return f"must be >= {_num(value)}"
        case "exclusiveMaximum":
            return f"must be < {_num(value)}"
        case "maximum":
            return f"must be <= {_num(value)}"
        case "type":
            return f"must be {_TYPE_NAMES.get(str(value), str(value))}"
        case "enum":
            return "must be one of " + ", ".join(json.dumps(v) for v in value)
        case "const":
            return f"must be {json.dumps(value)}"
        case "maxLength":
            return f"must be at most {value} characters"
        case "minLength":
            return "must not be empty"
        case "maxItems":
            return f"must have at most {value} items"
        case "pattern":
            return _pattern_message(str(value))
        case "additionalProperties":
            properties = cast(dict[str, Any], error.schema).get("properties", {})
            extra = sorted(set(cast(dict[str, Any], error.instance)) - set(properties))
            return "unknown field " + ", ".join(repr(name) for name in extra)
        case "propertyNames":
            if "areas" in list(error.absolute_path):
                return "area keys use letters, digits, '_' or '-' (at most 64)"
            return "ids use lowercase letters, digits, '_' or '-' (at most 40)"
        case "anyOf":
            return "is not a valid value here"
        case "minItems":
            return f"must have at least {value} item{'s' if value != 1 else ''}"
        case "maxProperties":
            return f"must have at most {value} entries"
    return error.message


def _pattern_message(pattern: str) -> str:
    if pattern.startswith("^#"):
        return "must be a colour like #1f2937"
    return f"must match {pattern}"


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
