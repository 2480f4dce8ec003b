"""How a viewer shows a built-in model wearing a design: where each print area goes on the
texture atlas, and where the camera starts so the print faces the shopper.

Shared by the GLB the server bakes (``app.design.mesh``) and the widget's live 3D preview, which
paints the same atlas in the browser from :func:`model_view` — so both put the design on the
printable region only (never over a mug's handle or rim) and open facing it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from app.design.errors import DesignError
from app.design.models3d import ModelSpec, UVRect, get_model

UVRegions = Mapping[str, UVRect | Mapping[str, Any] | None]
ELEVATION_DEG = 75  # a little from above, as one looks at a product on a table
NEAREST = 8  # triangles around a region's middle whose normals say which way it faces


def placements(
    spec: ModelSpec, aspects: Mapping[str, float], uv_regions: UVRegions | None = None
) -> dict[str, UVRect]:
    """Where each area (key -> width / height) goes on the atlas.

    The template's ``uv_region`` is used as given; otherwise the model's region of the same key,
    shrunk to the area's proportions so the artwork is not stretched. A lone area on a model
    with one region goes there whatever its key (a mug template's only area called "front").
    Areas the model has no place for are left off (a t-shirt's back on ``tshirt_front``), but
    if none of the areas fits, that is an error worth showing the merchant.
    """
    explicit = {key: _uv_region(key, (uv_regions or {}).get(key)) for key in aspects}
    lone = spec.regions[0] if len(spec.regions) == 1 and len(aspects) == 1 else None
    placed: dict[str, UVRect] = {}
    for key, aspect in aspects.items():
        region = spec.region(key) or lone
        if (rect := explicit[key]) is not None:
            placed[key] = rect
        elif region is not None:
            placed[key] = region.rect.fit(aspect / (region.width_mm / region.height_mm))
    if aspects and not placed:
        first, keys = next(iter(aspects)), ", ".join(r.key for r in spec.regions)
        raise DesignError(
            f"template.print_areas.{first}.uv_region",
            f"the {spec.id} model has no printable area {first!r} (it has: {keys}); "
            "name the area after one of them or give it a uv_region",
        )
    return placed


def facing_deg(spec: ModelSpec, rect: UVRect) -> float:
    """The camera's azimuth that faces the middle of ``rect`` on the model, in degrees as
    model-viewer's ``camera-orbit`` takes it (0: from +Z, the model's front; 90: from +X).

    Read off the mesh itself: the mean normal of the triangles inside the rectangle nearest its
    middle in UV space, so every model (a mug's wrap faces away from its handle) opens on its
    print.
    """
    mesh = spec.mesh
    middle = np.array([(rect.u0 + rect.u1) / 2, (rect.v0 + rect.v1) / 2])
    centres = mesh.uv[mesh.faces].mean(axis=1)  # each triangle's middle in UV space
    inside = np.all((centres >= [rect.u0, rect.v0]) & (centres <= [rect.u1, rect.v1]), axis=1)
    if not inside.any():
        return 0.0
    faces, centres = mesh.faces[inside], centres[inside]
    distance = np.linalg.norm(centres - middle, axis=1)
    reach = np.sort(distance)[min(NEAREST, len(distance)) - 1] + 1e-9  # ties in: symmetric
    x, _y, z = mesh.normals[faces[distance <= reach]].reshape(-1, 3).mean(axis=0)
    if math.hypot(x, z) < 1e-6:
        return 0.0  # a region facing straight up or down: the front will do
    return round(math.degrees(math.atan2(x, z)), 1) or 0.0  # never "-0deg"


def model_view(
    model_id: str,
    aspects: Mapping[str, float],
    uv_regions: UVRegions | None = None,
    base_color: str | None = None,
) -> dict[str, Any]:
    """JSON-ready: the atlas's aspect and colour, each area's rectangle on it (u0, v0, u1, v1;
    v up), and the camera orbit facing the first placed area."""
    spec = get_model(model_id)
    placed = placements(spec, aspects, uv_regions)
    first = next(iter(placed.values()), None)
    azimuth = facing_deg(spec, first) if first is not None else 0.0
    return {
        "atlas_aspect": spec.atlas_aspect,
        "color": base_color or spec.base_color,
        "swatches": [{**s.rect.to_dict(), "color": s.color} for s in spec.swatches],
        "areas": {key: rect.to_dict() for key, rect in placed.items()},
        "orbit": f"{azimuth:g}deg {ELEVATION_DEG}deg auto",
    }


def _uv_region(key: str, raw: UVRect | Mapping[str, Any] | None) -> UVRect | None:
    if isinstance(raw, UVRect):
        return raw
    return UVRect.parse(f"template.print_areas.{key}.uv_region", raw)
