"""A phone case (75.5 x 151.5 x 11 mm, 11 mm corners) standing upright, its back facing +Z.

A rounded-rectangle slab with rounded-over edges. The back's UVs are its outline's bounding box
projected flat, so the print file (the same rectangle, corners cut by the case) is a clean
rectangle; the sides and the screen side use a plain strip.
"""

from __future__ import annotations

import math

import numpy as np

from app.design.models3d.parts import Part, fan, grid, join
from app.design.models3d.spec import FloatArray, MeshData, PrintRegion, UVRect

WIDTH, HEIGHT, THICKNESS, CORNER, EDGE = 0.0755, 0.1515, 0.011, 0.011, 0.0025
BACK = PrintRegion("back", "Back", UVRect(0.0, 0.1, 0.9, 1.0), WIDTH * 1000, HEIGHT * 1000)
PLAIN = UVRect(0.02, 0.01, 0.98, 0.08)


def build() -> MeshData:
    points, outward = _outline()
    return join([_sides(points, outward), _back(points, outward), _screen_side(points, outward)])


def _outline(per_corner: int = 9) -> tuple[FloatArray, FloatArray]:
    """The outline counter-clockwise seen from the back (+Z), with its outward unit normals."""
    right, top = WIDTH / 2 - CORNER, HEIGHT - CORNER
    centers = [(right, CORNER), (right, top), (-right, top), (-right, CORNER)]
    points, normals = [], []
    for quarter, (cx, cy) in enumerate(centers):
        for a in np.linspace(0, math.pi / 2, per_corner) + (quarter - 1) * math.pi / 2:
            normals.append((math.cos(a), math.sin(a)))
            points.append((cx + CORNER * math.cos(a), cy + CORNER * math.sin(a)))
    return np.array(points), np.array(normals)


def _sides(points: FloatArray, outward: FloatArray, steps: int = 5) -> Part:
    """The outline swept along the edge profile: quarter round, straight wall, quarter round."""
    alpha = np.concatenate(
        [np.linspace(-math.pi / 2, 0, steps), np.linspace(0, math.pi / 2, steps)]
    )
    inset = EDGE * (1 - np.cos(alpha))
    z = np.where(
        np.arange(alpha.size) < steps,
        EDGE * (1 + np.sin(alpha)),
        THICKNESS - EDGE + EDGE * np.sin(alpha),
    )
    loop_points, loop_out = np.vstack([points, points[:1]]), np.vstack([outward, outward[:1]])
    xy = loop_points[:, None, :] - inset[None, :, None] * loop_out[:, None, :]
    grid_points = np.concatenate([xy, np.broadcast_to(z, xy.shape[:2])[..., None]], -1)
    normals = np.concatenate(
        [
            np.cos(alpha)[None, :, None] * loop_out[:, None, :],
            np.broadcast_to(np.sin(alpha), xy.shape[:2])[..., None],
        ],
        -1,
    )
    u, v = np.meshgrid(
        np.linspace(0, 1, len(loop_points)), np.linspace(0, 1, alpha.size), indexing="ij"
    )
    return grid(grid_points, PLAIN.map(np.stack([u, v], -1)), normals)


def _flat(points: FloatArray, outward: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    ring = points - EDGE * outward
    center = np.array([0.0, HEIGHT / 2, z])
    return center, np.column_stack([ring, np.full(len(ring), z)])


def _back(points: FloatArray, outward: FloatArray) -> Part:
    center, ring = _flat(points, outward, THICKNESS)
    flat = np.vstack([center, ring])[:, :2]
    uv = BACK.rect.map(np.column_stack([flat[:, 0] / WIDTH + 0.5, flat[:, 1] / HEIGHT]))
    return fan(center, ring, np.array([0.0, 0.0, 1.0]), uv)


def _screen_side(points: FloatArray, outward: FloatArray) -> Part:
    center, ring = _flat(points, outward, 0.0)
    return fan(center, ring, np.array([0.0, 0.0, -1.0]), PLAIN)
