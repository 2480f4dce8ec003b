"""What a built-in 3D model is: its mesh, and where on its texture atlas each print area goes.

UV convention (as in trimesh, USD and Blender): ``u`` runs left to right and ``v`` bottom to top
over the texture image, both in [0, 1]; a template's ``uv_region {u0, v0, u1, v1}`` uses the same.
The top edge of a print area's image lands at ``v1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from app.design.errors import DesignError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class UVRect:
    u0: float
    v0: float
    u1: float
    v1: float

    @classmethod
    def parse(cls, path: str, raw: Any) -> UVRect | None:
        """A template's ``uv_region``; empty means "use the model's own region for this area"."""
        if not raw:
            return None
        try:
            rect = cls(*(float(raw[k]) for k in ("u0", "v0", "u1", "v1")))
        except (KeyError, TypeError, ValueError):
            raise DesignError(path, "needs numbers u0, v0, u1 and v1") from None
        if not (0 <= rect.u0 < rect.u1 <= 1 and 0 <= rect.v0 < rect.v1 <= 1):
            raise DesignError(path, "needs 0 <= u0 < u1 <= 1 and 0 <= v0 < v1 <= 1")
        return rect

    def to_dict(self) -> dict[str, float]:
        return {"u0": self.u0, "v0": self.v0, "u1": self.u1, "v1": self.v1}

    def map(self, uv: FloatArray) -> FloatArray:
        """Unit-square coordinates (..., 2) into this rectangle."""
        scale = np.array([self.u1 - self.u0, self.v1 - self.v0])
        return np.asarray(np.array([self.u0, self.v0]) + uv * scale, dtype=np.float64)

    def fit(self, ratio: float) -> UVRect:
        """The centred sub-rectangle ``ratio`` times as wide (relative to its height) as this one.

        Placing an area whose shape differs from the model's region this way keeps the artwork's
        proportions on the product instead of stretching it.
        """
        if ratio >= 1:
            half = (self.v1 - self.v0) / ratio / 2
            middle = (self.v0 + self.v1) / 2
            return UVRect(self.u0, middle - half, self.u1, middle + half)
        half = (self.u1 - self.u0) * ratio / 2
        middle = (self.u0 + self.u1) / 2
        return UVRect(middle - half, self.v0, middle + half, self.v1)

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) on a width x height image (image rows run top down)."""
        return (
            round(self.u0 * width),
            round((1 - self.v1) * height),
            round(self.u1 * width),
            round((1 - self.v0) * height),
        )


@dataclass(frozen=True)
class PrintRegion:
    """A printable rectangle of the model, and its physical size (what a template should use)."""

    key: str
    name: str
    rect: UVRect
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class Swatch:
    """Atlas painted a fixed colour whatever the product colour (a frame, a backing board)."""

    rect: UVRect
    color: str


@dataclass(frozen=True)
class MeshData:
    """One triangle mesh, metres, Y up, front towards +Z; per-vertex unit normals and UVs."""

    vertices: FloatArray  # (n, 3)
    faces: IntArray  # (m, 3), counter-clockwise seen from the side the normals face
    normals: FloatArray  # (n, 3)
    uv: FloatArray  # (n, 2)


@dataclass(frozen=True)
class ModelSpec:
    id: str
    name: str
    atlas_aspect: float  # texture width / height, so texels come out about square on the model
    base_color: str  # the product colour when the template does not say
    roughness: float  # PBR roughness: glazed ceramic is shiny, cotton is not
    regions: tuple[PrintRegion, ...]
    build: Callable[[], MeshData]
    swatches: tuple[Swatch, ...] = ()

    @cached_property
    def mesh(self) -> MeshData:
        return self.build()

    def region(self, key: str) -> PrintRegion | None:
        return next((r for r in self.regions if r.key == key), None)

    def atlas_size(self, long_side: int) -> tuple[int, int]:
        if self.atlas_aspect >= 1:
            return long_side, max(1, round(long_side / self.atlas_aspect))
        return max(1, round(long_side * self.atlas_aspect)), long_side

    def describe(self) -> dict[str, Any]:
        """JSON-ready: what the admin template editor offers."""
        return {
            "id": self.id,
            "name": self.name,
            "areas": [
                {
                    "key": r.key,
                    "name": r.name,
                    "width_mm": r.width_mm,
                    "height_mm": r.height_mm,
                    "uv_region": r.rect.to_dict(),
                }
                for r in self.regions
            ],
        }
