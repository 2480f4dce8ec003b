"""An 11 oz mug: Ø 82 mm x 95 mm ceramic body with a C handle on the right (+X).

The outer wall's UVs unroll the cylinder left to right as seen from outside, with the seam at
the handle, so the print wrap (200 x 85 mm, as sublimation blanks take) is one clean rectangle
centred opposite the handle. Inside, rim, bottom and handle share a plain strip of the atlas.
"""

from __future__ import annotations

import math

import numpy as np

from app.design.models3d.parts import Part, fan, grid, join
from app.design.models3d.spec import FloatArray, MeshData, PrintRegion, UVRect

RADIUS = 0.041
HEIGHT = 0.095
WALL = 0.004
FLOOR = 0.006
SEGMENTS = 64
WRAP_MM = (200.0, 85.0)

SIDE = UVRect(0.0, 0.25, 1.0, 1.0)  # the whole outer wall (2:1 atlas: texels ~square)
PLAIN = UVRect(0.01, 0.01, 0.99, 0.22)
_CIRCUMFERENCE_MM = 2 * math.pi * RADIUS * 1000
_HALF_U = WRAP_MM[0] / _CIRCUMFERENCE_MM / 2
_MARGIN_V = (HEIGHT * 1000 - WRAP_MM[1]) / 2 / (HEIGHT * 1000) * (SIDE.v1 - SIDE.v0)
WRAP = PrintRegion(
    "wrap",
    "Wrap",
    UVRect(0.5 - _HALF_U, SIDE.v0 + _MARGIN_V, 0.5 + _HALF_U, SIDE.v1 - _MARGIN_V),
    *WRAP_MM,
)


def build() -> MeshData:
    return join([outer_wall(), inner_wall(), rim(), *floors(), *handle()])


def _angles() -> FloatArray:
    """Around the mug from the handle (+X) back to it; increasing angle moves right on screen."""
    return math.pi / 2 + np.linspace(0, 2 * math.pi, SEGMENTS + 1)


def _radial(radius: float, heights: FloatArray) -> tuple[FloatArray, FloatArray]:
    phi = _angles()[:, None]
    x, z = np.sin(phi) * np.ones_like(heights), np.cos(phi) * np.ones_like(heights)
    y = np.ones_like(phi) * heights
    points = np.stack([radius * x, y, radius * z], axis=-1)
    normals = np.stack([x, np.zeros_like(y), z], axis=-1)
    return points, normals


def _unit_grid(nu: int, nv: int) -> FloatArray:
    u, v = np.meshgrid(np.linspace(0, 1, nu), np.linspace(0, 1, nv), indexing="ij")
    return np.stack([u, v], axis=-1)


def outer_wall() -> Part:
    points, normals = _radial(RADIUS, np.array([0.0, HEIGHT]))
    return grid(points, SIDE.map(_unit_grid(SEGMENTS + 1, 2)), normals)


def inner_wall() -> Part:
    points, normals = _radial(RADIUS - WALL, np.array([FLOOR, HEIGHT]))
    return grid(points, PLAIN.map(_unit_grid(SEGMENTS + 1, 2)), -normals)


def rim() -> Part:
    inner, _ = _radial(RADIUS - WALL, np.array([HEIGHT]))
    outer, _ = _radial(RADIUS, np.array([HEIGHT]))
    normals = np.broadcast_to(np.array([0.0, 1.0, 0.0]), (SEGMENTS + 1, 2, 3))
    return grid(
        np.concatenate([inner, outer], axis=1), PLAIN.map(_unit_grid(SEGMENTS + 1, 2)), normals
    )


def floors() -> list[Part]:
    inside, _ = _radial(RADIUS - WALL, np.array([FLOOR]))
    outside, _ = _radial(RADIUS, np.array([0.0]))
    up, down = np.array([0.0, 1.0, 0.0]), np.array([0.0, -1.0, 0.0])
    return [
        fan(np.array([0.0, FLOOR, 0.0]), inside[:-1, 0], up, PLAIN),
        fan(np.array([0.0, 0.0, 0.0]), outside[:-1, 0], down, PLAIN),
    ]


def handle(tube: float = 0.0055, reach: float = 0.030, span: float = 0.030) -> list[Part]:
    """A round tube along a half ellipse in the XY plane; both ends are buried in the wall."""
    t = np.linspace(-math.pi / 2, math.pi / 2, 25)[:, None]
    s = np.linspace(0, 2 * math.pi, 17)[None, :]
    center = np.stack(
        [RADIUS - 0.003 + reach * np.cos(t), HEIGHT / 2 + 0.004 + span * np.sin(t), 0 * t], -1
    )
    outward = np.stack([span * np.cos(t), reach * np.sin(t), 0 * t], -1)
    outward /= np.linalg.norm(outward, axis=-1, keepdims=True)
    side = np.array([0.0, 0.0, 1.0])
    normals = np.cos(s)[..., None] * outward + np.sin(s)[..., None] * side
    points = center + tube * normals
    return [grid(points, PLAIN.map(_unit_grid(*points.shape[:2])), normals)]
