"""How much a shopper's design may ask the renderer for, checked before anything is drawn.

The schema allows what a merchant's own template or a partner's print job may need (200 layers
of 2,000 characters); a shopper's editor never needs that, and rendering it on a web worker costs
seconds. So documents that come through the storefront (previews and saves) are held to smaller
limits, each a setting, each named in the 422 (``limit``) with the field it is about (``path``):

- ``layers``: layers in the whole document;
- ``characters_per_layer``: characters in one text layer;
- ``characters``: characters in all text layers together;
- ``curved_characters``: characters on an arc or turned (each is drawn and rotated alone, the
  costly path: cost grows with curve x length);
- ``curved_size``: the same characters weighted by their size, in ems as large as the print
  area's long side (a few huge curved letters cost as much as many small ones: pixels grow
  with the square of the size).

Whitespace is not counted: it is never drawn.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app

from app.design import Design
from app.design.document import TextLayer
from app.design.errors import layer_path
from app.models import Template


@dataclass(frozen=True)
class Limits:
    layers: int
    characters_per_layer: int
    characters: int
    curved_characters: int
    curved_size: int

    @classmethod
    def from_config(cls) -> Limits:
        config = current_app.config
        return cls(
            layers=int(config["STOREFRONT_MAX_LAYERS"]),
            characters_per_layer=int(config["STOREFRONT_MAX_TEXT_CHARS"]),
            characters=int(config["STOREFRONT_MAX_CHARS"]),
            curved_characters=int(config["STOREFRONT_MAX_CURVED_CHARS"]),
            curved_size=int(config["STOREFRONT_MAX_CURVED_EMS"]),
        )


def over_limits(template: Template, design: Design, limits: Limits) -> list[dict[str, str]]:
    """Each limit the design goes over as ``{path, limit, message}``; empty when it fits."""
    return list(_problems(template, design, limits))


def _problems(template: Template, design: Design, limits: Limits) -> Iterator[dict[str, str]]:
    long_side = {a.key: float(max(a.width_mm, a.height_mm)) or 1.0 for a in template.print_areas}
    layers = characters = curved = 0
    curved_size = 0.0
    for key, area_layers in design.areas.items():
        layers += len(area_layers)
        for index, layer in enumerate(area_layers):
            if not isinstance(layer, TextLayer):
                continue
            count = sum(not c.isspace() for c in layer.text)
            characters += count
            if count > limits.characters_per_layer:
                yield _problem(
                    layer_path(key, index, "text"),
                    "characters_per_layer",
                    f"at most {limits.characters_per_layer} characters in one text",
                )
            if _curved(layer):
                curved += count
                curved_size += count * (layer.size_mm / long_side.get(key, 1.0)) ** 2
    if layers > limits.layers:
        yield _problem("areas", "layers", f"at most {limits.layers} layers in a design")
    if characters > limits.characters:
        yield _problem("areas", "characters", f"at most {limits.characters} characters in all")
    if curved > limits.curved_characters:
        yield _problem(
            "areas",
            "curved_characters",
            f"at most {limits.curved_characters} characters on a curve or turned, in all",
        )
    if curved_size > limits.curved_size:
        yield _problem(
            "areas",
            "curved_size",
            "the curved or turned text is too large for its length: make it smaller or shorter",
        )


def _curved(layer: TextLayer) -> bool:
    """Whether each character is drawn turned (the renderer's slow path)."""
    return bool(layer.arc_degrees) or layer.rotation_deg % 360 != 0


def _problem(path: str, limit: str, message: str) -> dict[str, str]:
    return {"path": path, "limit": limit, "message": message}
