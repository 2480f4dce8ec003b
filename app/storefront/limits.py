"""How much a shopper's design may ask the renderer for, checked before anything is drawn.

The schema allows what a merchant's own template or a partner's print job may need (200 layers
of 2,000 characters); a shopper's editor never needs that, and rendering it on a web worker costs
seconds. So documents that come through the storefront (previews and saves) are held to smaller
limits, each a setting, each named in the 422 (``limit``) with the field it is about (``path``):

- ``document_size``: the JSON a save keeps (a shopper's design is a few KB; ``meta`` is free-form);
- ``layers``: layers in the whole document; ``photos``: shoppers' pictures (each is decoded);
- ``characters_per_layer``: characters in one text layer; ``characters``: in all of them;
- ``curved_characters``: characters on an arc or turned (each is drawn and rotated alone);
- ``picture_size``: a photo or clipart placed more than 4 times the print area's size (it is
  resampled whole at its placed size: a 10-times piece is 144 megapixels);
- ``render_cost``: what drawing it all together would take, estimated below in milliseconds of
  this machine (``bench/preview_limits.py``): so a design at several limits at once, or with a
  few huge letters on a curve (pixels grow with the square of the size), is refused as well.

Whitespace is not counted: it is never drawn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from app.design import Design
from app.design.document import ImageLayer, TextLayer
from app.design.errors import layer_path
from app.design.geometry import is_axis_aligned
from app.models import Template

# Estimated milliseconds on a busy 2-core machine, at the largest preview (1200 px for the area's
# long side; ``size`` is a letter's em over that side, squared): per layer (a tile composited),
# per photo (a 40-megapixel JPEG, decoded at 1/8), per straight and per turned glyph (drawn
# alone, then rotated: a letter as large as the area is a 3,000 px square). Over-estimates are
# fine; ``bench/preview_limits.py`` prints estimate and measure side by side.
# Pictures (photos and clipart) and shapes by their placed size in "squares" (the print area's
# long side, squared: 1.44 megapixels): a picture is resampled whole, and turned if rotated.
LAYER_MS = 6.0
PHOTO_MS = 80.0
STRAIGHT_MS, STRAIGHT_SIZE_MS = 0.8, 0.5
TURNED_MS, TURNED_SIZE_MS = 3.0, 200.0
PICTURE_MS, TURNED_PICTURE_MS, SHAPE_MS = 20.0, 200.0, 8.0
MAX_PICTURE_SCALE = 4  # a picture's placed width or height, in print areas (zoomed-in photos)


@dataclass(frozen=True)
class Limits:
    document_bytes: int
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
            document_bytes=int(config["STOREFRONT_MAX_DOCUMENT_BYTES"]),
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
    texts: list[tuple[str, int]] = field(default_factory=list)  # (path, characters)
    oversized: list[str] = field(default_factory=list)  # pictures over MAX_PICTURE_SCALE


def over_limits(
    template: Template, design: Design, document: Any, limits: Limits
) -> list[dict[str, str]]:
    """Each limit the design goes over as ``{path, limit, message}``; empty when it fits.

    ``document`` is the JSON as sent, which a save keeps (``meta`` included).
    """
    totals = _tally(template, design)
    message = f"at most {limits.characters_per_layer} characters in one text"
    problems = [
        _problem(path, "characters_per_layer", message)
        for path, count in totals.texts
        if count > limits.characters_per_layer
    ]
    size = len(json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode())
    if size > limits.document_bytes:
        kib = limits.document_bytes // 1024
        problems.append(_problem("", "document_size", f"at most {kib} KB of design data"))
    scale = f"at most {MAX_PICTURE_SCALE} times as wide and high as the print area"
    problems += [_problem(path, "picture_size", scale) for path in totals.oversized]
    return problems + list(_over_totals(totals, limits))


def estimated_ms(template: Template, design: Design) -> float:
    """The estimate ``render_cost`` is compared with (the benchmark prints it)."""
    return _tally(template, design).cost_ms


def _tally(template: Template, design: Design) -> _Totals:
    long_side = {a.key: float(max(a.width_mm, a.height_mm)) or 1.0 for a in template.print_areas}
    totals = _Totals()
    for key, layers in design.areas.items():
        side = long_side.get(key, 1.0)
        totals.layers += len(layers)
        totals.cost_ms += LAYER_MS * len(layers)
        for index, layer in enumerate(layers):
            path = layer_path(key, index)
            if isinstance(layer, TextLayer):
                totals.texts.append((f"{path}.text", _add_text(totals, layer, side)))
            elif isinstance(layer, ImageLayer):
                _add_picture(totals, layer, side, path)
            else:
                squares = (layer.box.width_mm / side) * (layer.box.height_mm / side)
                totals.cost_ms += SHAPE_MS * min(1.0, squares)  # drawn clipped to the canvas
    return totals


def _add_picture(totals: _Totals, layer: ImageLayer, side: float, path: str) -> None:
    """A picture is resampled whole at its placed size (then turned): cost grows with it."""
    box = layer.box
    if max(box.width_mm, box.height_mm) > MAX_PICTURE_SCALE * side:
        totals.oversized.append(path)
    squares = (box.width_mm / side) * (box.height_mm / side)
    totals.cost_ms += PICTURE_MS * squares
    if not is_axis_aligned(box.rotation_deg):
        totals.cost_ms += TURNED_PICTURE_MS * min(1.0, squares)
    if layer.kind == "image":
        totals.photos += 1
        totals.cost_ms += PHOTO_MS


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
            "too much to draw at once: use fewer or smaller letters, curves or pictures",
        ),
    ]
    for name, total, limit, message in checks:
        if total > limit:
            yield _problem("areas", name, message)


def _problem(path: str, limit: str, message: str) -> dict[str, str]:
    return {"path": path, "limit": limit, "message": message}
