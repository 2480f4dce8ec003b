"""A design document as the storefront accepts it: the schema, then the template's own rules.

The JSON Schema (``app.design.document``) says what any design may be; a template narrows it:
only its print areas, at most ``max_layers`` per area, only its fonts and colours (when the
merchant chose some), and pictures only from this shop's own files or from the clipart sets the
template offers (``clipart:<set>/<name>``); text only in what the fonts and layout can print
(``app.design.scripts``: no right-to-left or joined scripts, CJK or emoji). A shopper's photo or
AI image is named by its unguessable storage key (what the upload and generation answers give),
never by ``file:<id>``.
Every problem is reported with the path of the field, all at once (sorted by path, as schema
errors are), so the editor can mark each one.

A layer made from one of the template's fields (``field``; the storefront regenerates those with
``app.design.fields.materialize`` before checking) wears the merchant's choices for that field:
its font, colours and clipart are the template's own, so only its picture (a shopper's photo) is
checked like any other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.design import Design, DesignError, parse_design
from app.design.clipart import default_library, is_clipart_ref
from app.design.document import ImageLayer, Layer, ShapeLayer, TextLayer
from app.design.errors import layer_path
from app.design.fonts import FAMILIES, FontRegistry, UnknownFont, default_registry, registry_for
from app.design.refs import FILE_REF
from app.design.scripts import text_problem
from app.extensions import get_storage
from app.generation.admin import blocked_file_ids
from app.models import FileKind, ShopScope, Template
from app.product_templates import shop_clipart, shop_fonts
from app.production.assets import stored_file_for_ref

CURATED_FONTS = frozenset(f.name for f in FAMILIES)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class InvalidDesign(ValueError):
    """The document cannot be saved or previewed as sent; ``problems`` name every field."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(f"{first.path}: {first.message}" if first.path else first.message)
        self.problems = problems


def check_design(scope: ShopScope, template: Template, document: Any) -> Design:
    """The parsed design, or InvalidDesign listing each schema and template problem."""
    try:
        design = parse_design(document)
    except DesignError as exc:
        raise InvalidDesign([Problem(e.path, e.message) for e in exc.all]) from None
    problems = sorted(_template_problems(scope, template, design), key=lambda p: p.path)
    if problems:
        raise InvalidDesign(problems)
    return design


def _template_problems(scope: ShopScope, template: Template, design: Design) -> Iterator[Problem]:
    areas = {a.key: a for a in template.print_areas}
    fonts = frozenset(str(f) for f in template.fonts or ()) or CURATED_FONTS
    colors = frozenset(_long(str(c)) for c in template.colors or ())
    clipart_sets = frozenset(str(s) for s in template.clipart_sets or ())
    field_ids = frozenset(
        str(f["id"]) for f in template.fields or () if isinstance(f, Mapping) and "id" in f
    )
    registry = _registry(scope, design, fonts)
    for key, layers in design.areas.items():
        if key not in areas:
            yield Problem(f"areas.{key}", f"this product has no print area {key!r}")
            continue
        if len(layers) > template.max_layers:
            yield Problem(f"areas.{key}.layers", f"at most {template.max_layers} layers here")
        for index, layer in enumerate(layers):
            path = layer_path(key, index)
            if layer.field is not None and layer.field in field_ids:
                yield from _field_layer_problems(scope, path, layer)
            else:
                yield from _layer_problems(
                    scope, path, layer, fonts, colors, clipart_sets, registry
                )


def _registry(scope: ShopScope, design: Design, fonts: frozenset[str]) -> FontRegistry:
    """The curated fonts, plus the shop's own the design's text uses (read from storage only
    then), so a letter a shop font lacks is refused here as it would be in print."""
    own = {
        layer.font
        for layers in design.areas.values()
        for layer in layers
        if isinstance(layer, TextLayer) and layer.font in fonts and layer.font not in CURATED_FONTS
    }
    if not own:
        return default_registry()
    return registry_for(shop_fonts.render_files(scope, get_storage(), own))


def _field_layer_problems(scope: ShopScope, path: str, layer: Layer) -> Iterator[Problem]:
    """A field's layer: only a shopper's photo in it is theirs to check."""
    if isinstance(layer, ImageLayer) and layer.kind == "image":
        problem = _ref_problem(scope, layer, frozenset())
        if problem:
            yield Problem(f"{path}.src", problem)


def _layer_problems(
    scope: ShopScope,
    path: str,
    layer: Layer,
    fonts: frozenset[str],
    colors: frozenset[str],
    clipart_sets: frozenset[str],
    registry: FontRegistry,
) -> Iterator[Problem]:
    if isinstance(layer, TextLayer):
        if layer.font not in fonts:
            yield Problem(f"{path}.font", "choose one of this product's fonts")
        else:
            yield from _script_problem(f"{path}.text", layer, registry)
        yield from _color_problem(f"{path}.color", layer.color, colors)
        if layer.stroke is not None:
            yield from _color_problem(f"{path}.stroke", layer.stroke, colors)
        if layer.shadow is not None:
            yield from _color_problem(f"{path}.shadow.color", layer.shadow.color, colors)
    elif isinstance(layer, ShapeLayer):
        for field in ("fill", "stroke"):
            value = getattr(layer, field)
            if value is not None:
                yield from _color_problem(f"{path}.{field}", value, colors)
    elif isinstance(layer, ImageLayer):
        problem = _ref_problem(scope, layer, clipart_sets)
        if problem:
            yield Problem(f"{path}.src", problem)
        mask = layer.clip.mask if layer.clip is not None else None
        if mask is not None and default_library().item(mask) is None:
            # A frame the shopper draws is cut by Luneo's clipart only: never by a stored file,
            # whose shape would be read through the frame.
            yield Problem(f"{path}.clip.mask", "a frame's shape must be one of Luneo's clipart")
        if layer.color is not None:
            yield from _color_problem(f"{path}.color", layer.color, colors)


def _script_problem(path: str, layer: TextLayer, registry: FontRegistry) -> Iterator[Problem]:
    """Text the layout cannot print (a script, emoji, a letter the font lacks): refused."""
    try:
        face = registry.face(layer.font, layer.weight, layer.style)
    except UnknownFont:
        return
    problem = text_problem(layer.text, face)
    if problem:
        yield Problem(path, problem)


def _color_problem(path: str, color: str, allowed: frozenset[str]) -> Iterator[Problem]:
    if allowed and _long(color) not in allowed:
        yield Problem(path, "choose one of this product's colours")


SHOPPERS_PICTURES = frozenset({FileKind.UPLOAD, FileKind.AI_IMAGE})


def _ref_problem(scope: ShopScope, layer: ImageLayer, clipart_sets: frozenset[str]) -> str | None:
    if is_clipart_ref(layer.src):
        if layer.kind != "clipart":
            return "clipart goes in a clipart layer"
        item = default_library().item(layer.src)
        own = shop_clipart.piece_for_ref(scope, layer.src) if item is None else None
        if item is None and own is None:
            return "this clipart was not found"
        key = item.set_key if item is not None else own[0].clipart_set.key if own else ""
        return None if key in clipart_sets else "this clipart is not offered here"
    stored = stored_file_for_ref(scope, layer.src)
    if stored is None or (stored.kind in SHOPPERS_PICTURES and FILE_REF.fullmatch(layer.src)):
        # Shoppers' photos and AI images are placed by their unguessable storage key, never by
        # a counted ``file:<id>`` another shopper of the store could guess: same answer as unknown.
        return "this picture was not found; please upload it again"
    if blocked_file_ids(scope, [stored.id]):
        return "the store removed this generated image; please choose another"
    return None


def _long(color: str) -> str:
    """``#abc`` -> ``#aabbcc``, lower case: the one spelling colours are compared in."""
    value = color.strip().lower()
    if len(value) == 4 and value.startswith("#"):
        return "#" + "".join(c * 2 for c in value[1:])
    return value


def summary(template: Template, design: Design, limit: int = 250) -> str:
    """What the cart shows: ``Front — 'Happy birthday Anna', 1 photo; Back — 2 clipart``."""
    names = {a.key: a.name or a.key for a in template.print_areas}
    order = {a.key: a.position for a in template.print_areas}
    parts = []
    for key in sorted(design.areas, key=lambda k: (order.get(k, 0), k)):
        described = _describe(design.areas[key])
        if described:
            parts.append(f"{names.get(key, key)} — {described}")
    text = "; ".join(parts) or "No personalization"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _describe(every: tuple[Layer, ...]) -> str:
    layers = [layer for layer in every if not layer.hidden]  # hidden layers are not printed
    texts = [
        f"'{' '.join(layer.text.split())}'" for layer in layers if isinstance(layer, TextLayer)
    ]
    counts: Mapping[str, int] = {
        "photo": sum(isinstance(la, ImageLayer) and la.kind == "image" for la in layers),
        "clipart": sum(isinstance(la, ImageLayer) and la.kind == "clipart" for la in layers),
    }
    extras = [
        f"{n} {name}{'s' if n > 1 and name == 'photo' else ''}" for name, n in counts.items() if n
    ]
    return ", ".join([t for t in texts if t != "''"] + extras)
