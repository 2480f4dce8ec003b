"""How much a shopper's design may ask the renderer for, checked before anything is drawn.

The schema allows what a merchant's own template or a partner's print job may need (200 layers
of 2,000 characters); a shopper's editor never needs that, and rendering it on a web worker costs
seconds. So documents that come through the storefront (previews and saves) are held to smaller
limits, each a setting, each named in the 422 (``limit``) with the field it is about (``path``):

- ``layers``: layers in the whole document; ``photos``: shoppers' pictures (each is decoded);
- ``characters_per_layer``: characters in one text layer;
- ``characters``: characters in all text layers together;
- ``curved_characters``: characters on an arc or turned (each is drawn and rotated alone, the
  costly path: what a curve costs grows with its length);
- ``text_size`` and ``curved_size``: characters weighted by the square of their size, in ems as
  large as the print area's long side (pixels grow with the square of the size: a few huge
  letters cost as much as many small ones; turned ones about forty times more).

Whitespace is not counted: it is never drawn. ``bench/preview_limits.py`` renders the worst
document these defaults accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app

from app.design import Design
from app.design.document import ImageLayer, TextLayer
from app.design.errors import layer_path
from app.models import Template


@dataclass(frozen=True)
class Limits:
    layers: int
    photos: int
    characters_per_layer: int
    characters: int
    curved_characters: int
    text_size: int
    curved_size: int

    @classmethod
    def from_config(cls) -> Limits:
        config = current_app.config
        return cls(
            layers=int(config["STOREFRONT_MAX_LAYERS"]),
            photos=int(config["STOREFRONT_MAX_PHOTOS"]),
            characters_per_layer=int(config["STOREFRONT_MAX_TEXT_CHARS"]),
            characters=int(config["STOREFRONT_MAX_CHARS"]),
            curved_characters=int(config["STOREFRONT_MAX_CURVED_CHARS"]),
            text_size=int(config["STOREFRONT_MAX_TEXT_EMS"]),
            curved_size=int(config["STOREFRONT_MAX_CURVED_EMS"]),
        )


@dataclass
class _Totals:
    layers: int = 0
    photos: int = 0
    characters: int = 0
    curved_characters: int = 0
    text_size: float = 0.0
    curved_size: float = 0.0


def over_limits(template: Template, design: Design, limits: Limits) -> list[dict[str, str]]:
    """Each limit the design goes over as ``{path, limit, message}``; empty when it fits."""
    long_side = {a.key: float(max(a.width_mm, a.height_mm)) or 1.0 for a in template.print_areas}
    totals = _Totals()
    problems = []
    for key, layers in design.areas.items():
        totals.layers += len(layers)
        for index, layer in enumerate(layers):
            if isinstance(layer, ImageLayer):
                totals.photos += layer.kind == "image"
            elif isinstance(layer, TextLayer):
                count = _add_text(totals, layer, long_side.get(key, 1.0))
                if count > limits.characters_per_layer:
                    problems.append(
                        _problem(
                            layer_path(key, index, "text"),
                            "characters_per_layer",
                            f"at most {limits.characters_per_layer} characters in one text",
                        )
                    )
    return problems + list(_over_totals(totals, limits))


def _add_text(totals: _Totals, layer: TextLayer, long_side: float) -> int:
    count = sum(not c.isspace() for c in layer.text)
    ems = count * (layer.size_mm / long_side) ** 2
    totals.characters += count
    totals.text_size += ems
    if layer.arc_degrees or layer.rotation_deg % 360:  # the renderer's turned-glyph path
        totals.curved_characters += count
        totals.curved_size += ems
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
            "text_size",
            totals.text_size,
            limits.text_size,
            "the text is too large for its length: make it smaller or shorter",
        ),
        (
            "curved_size",
            totals.curved_size,
            limits.curved_size,
            "the curved or turned text is too large for its length: make it smaller or shorter",
        ),
    ]
    for name, total, limit, message in checks:
        if total > limit:
            yield _problem("areas", name, message)


def _problem(path: str, limit: str, message: str) -> dict[str, str]:
    return {"path": path, "limit": limit, "message": message}
