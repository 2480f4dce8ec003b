"""Built-in 3D models a template can pick (``Template.model_3d``), generated in code.

No downloaded assets: each model is built from a few dimensions, in metres, Y up, front towards
+Z, with UV maps on which every printable area is a clean rectangle named by print-area key.
"""

from __future__ import annotations

from typing import Any

from app.design.errors import DesignError
from app.design.models3d import mug, phone_case, poster, tshirt
from app.design.models3d.spec import MeshData, ModelSpec, PrintRegion, Swatch, UVRect

MODELS: dict[str, ModelSpec] = {
    spec.id: spec
    for spec in (
        ModelSpec("mug", "Mug (11 oz)", 2.0, "#ffffff", 0.25, (mug.WRAP,), mug.build),
        ModelSpec(
            "tshirt_front", "T-shirt (front)", 1.0, "#ffffff", 0.9, (tshirt.FRONT,), tshirt.build
        ),
        ModelSpec(
            "poster_framed",
            "Framed poster (30 x 40 cm)",
            1.0,
            "#ffffff",
            0.6,
            (poster.FACE,),
            poster.build,
            (poster.FRAME_SWATCH, poster.BACKING_SWATCH),
        ),
        ModelSpec(
            "phone_case", "Phone case", 0.5, "#f2f2f2", 0.4, (phone_case.BACK,), phone_case.build
        ),
    )
}


def get_model(model_id: str) -> ModelSpec:
    try:
        return MODELS[model_id]
    except KeyError:
        known = ", ".join(MODELS)
        raise DesignError(
            "template.model_3d", f"unknown 3D model {model_id!r} (built-in models: {known})"
        ) from None


def available_models() -> list[dict[str, Any]]:
    """Ids, names and printable areas (key, size in mm, UV rectangle) of every built-in model."""
    return [spec.describe() for spec in MODELS.values()]


__all__ = [
    "MODELS",
    "MeshData",
    "ModelSpec",
    "PrintRegion",
    "Swatch",
    "UVRect",
    "available_models",
    "get_model",
]
