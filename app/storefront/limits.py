"""How much a shopper's design may ask the renderer for, checked before anything is drawn.

The schema allows what a merchant's own template or a partner's print job may need (200 layers
of 2,000 characters); a shopper's editor never needs that, and rendering it on a web worker costs
seconds. So documents that come through the storefront (previews and saves) are held to smaller
limits, each a setting, each named in the 422 (``limit``) with the field it is about (``path``):

- ``layers``: layers in the whole document; ``photos``: shoppers' pictures (each is decoded);
- ``characters_per_layer``: characters in one text layer; ``characters``: in all of them;
- ``curved_characters``: characters on an arc or turned (each is drawn and rotated alone);
- ``render_cost``: what drawing it all together would take, estimated below in milliseconds of
  this machine (``bench/preview_limits.py``): so a design at several limits at once, or with a
  few huge letters on a curve (pixels grow with the square of the size), is refused as well.

Whitespace is not counted: it is never drawn.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app

from app.design import Design
from app.design.document import ImageLayer, TextLayer
from app.design.errors import layer_path
from app.models import Template

# Estimated milliseconds on a busy 2-core machine, at the largest preview (1200 px for the area's
# long side; ``size`` is a letter's em over that side, squared): per layer (a tile composited),
# per photo (a 40-megapixel JPEG, decoded at 1/8), per straight and per turned glyph (drawn
# alone, then rotated: a letter as large as the area is a 3,000 px square). Over-estimates are
# fine; ``bench/preview_limits.py`` prints estimate and measure side by side.
LAYER_MS = 6.0
PHOTO_MS = 100.0
STRAIGHT_MS, STRAIGHT_SIZE_MS = 0.8, 0.5
TURNED_MS, TURNED_SIZE_MS = 3.0, 200.0


@dataclass(frozen=True)
class Limits:
    layers: int
    photos: int
    characters_per_layer: int
    characters: int
    curved_characters: int
    render_cost: int

    @classmethod
    def from_config(cls) -> Limits:
        config = current_app.config
        return cls(
            layers=int(config["STOREFRONT_MAX_LAYERS"]),
            photos=int(config["STOREFRONT_MAX_PHOTOS"]),
            characters_per_layer=int(config["STOREFRONT_MAX_TEXT_CHARS"]),
            characters=int(config["STOREFRONT_MAX_CHARS"]),
            curved_characters=int(config["STOREFRONT_MAX_CURVED_CHARS"]),
            render_cost=int(config["STOREFRONT_MAX_RENDER_COST"]),
        )


@dataclass
class _Totals:
    layers: int = 0
    photos: int = 0
    characters: int = 0
    curved_characters: int = 0
    cost_ms: float = 0.0


def over_limits(template: Template, design: Design, limits: Limits) -> list[dict[str, str]]:
    """Each limit the design goes over as ``{path, limit, message}``; empty when it fits."""
    totals, texts = _tally(template, design)
    message = f"at most {limits.characters_per_layer} characters in one text"
    problems = [
        _problem(path, "characters_per_layer", message)
        for path, count in texts
        if count > limits.characters_per_layer
    ]
    return problems + list(_over_totals(totals, limits))


def estimated_ms(template: Template, design: Design) -> float:
    """The estimate ``render_cost`` is compared with (the benchmark prints it)."""
    return _tally(template, design)[0].cost_ms


def _tally(template: Template, design: Design) -> tuple[_Totals, list[tuple[str, int]]]:
    """The document's totals, and each text layer's path and character count."""
    long_side = {a.key: float(max(a.width_mm, a.height_mm)) or 1.0 for a in template.print_areas}
    totals, texts = _Totals(), []
    for key, layers in design.areas.items():
        totals.layers += len(layers)
        totals.cost_ms += LAYER_MS * len(layers)
        for index, layer in enumerate(layers):
            if isinstance(layer, ImageLayer) and layer.kind == "image":
                totals.photos += 1
                totals.cost_ms += PHOTO_MS
            elif isinstance(layer, TextLayer):
                count = _add_text(totals, layer, long_side.get(key, 1.0))
                texts.append((layer_path(key, index, "text"), count))
    return totals, texts


def _add_text(totals: _Totals, layer: TextLayer, long_side: float) -> int:
    count = sum(not c.isspace() for c in layer.text)
    size = (layer.size_mm / long_side) ** 2
    totals.characters += count
    if layer.arc_degrees or layer.rotation_deg % 360:  # the renderer's turned-glyph path
        totals.curved_characters += count
        totals.cost_ms += count * (TURNED_MS + TURNED_SIZE_MS * size)
    else:
        totals.cost_ms += count * (STRAIGHT_MS + STRAIGHT_SIZE_MS * size)
    return count


def _over_totals(totals: _Totals, limits: Limits) -> Iterator[dict[str, str]]:
    checks = [
        ("layers", totals.layers, limits.layers, f"at most {limits.layers} layers in a design"),
        ("photos", totals.photos, limits.photos, f"at most {limits.photos} photos in a design"),
        (
            "characters",
            totals.characters,
            limits.characters,
            f"at most {limits.characters} characters in all",
        ),
        (
            "curved_characters",
            totals.curved_characters,
            limits.curved_characters,
            f"at most {limits.curved_characters} characters on a curve or turned, in all",
        ),
        (
            "render_cost",
            totals.cost_ms,
            limits.render_cost,
            "this design is too much to draw at once: use fewer or smaller letters, curves or "
            "photos",
        ),
    ]
    for name, total, limit, message in checks:
        if total > limit:
            yield _problem("areas", name, message)


def _problem(path: str, limit: str, message: str) -> dict[str, str]:
    return {"path": path, "limit": limit, "message": message}
