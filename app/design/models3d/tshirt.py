"""A T-shirt's front panel (adult M: 520 mm chest, 720 mm long), gently curved like a torso.

UVs are the front view projected flat (1 mm is the same on u and v), so the DTG chest print,
300 x 400 mm starting 40 mm under the neckline, is a clean rectangle. The back of the panel
uses a plain part of the atlas so the print does not show through.
"""

from __future__ import annotations

import numpy as np

from app.design.models3d.parts import Part, grid, join
from app.design.models3d.spec import FloatArray, MeshData, PrintRegion, UVRect

SPAN = 0.92  # the square of the front view that the atlas covers, in metres
LEFT = -SPAN / 2
HEM_HALF, SHOULDER_HALF, ARMPIT, SHOULDER = 0.26, 0.23, 0.47, 0.70
NECK_HALF, NECK_TOP, NECK_DEPTH = 0.09, 0.72, 0.08
BULGE, BULGE_HALF = 0.02, 0.30
# Right sleeve corners (x, y): armpit, cuff bottom, cuff top, shoulder point.
SLEEVE = ((HEM_HALF, ARMPIT), (0.45, 0.45), (0.40, 0.62), (SHOULDER_HALF, SHOULDER))
BACK = UVRect(0.02, 0.81, 0.98, 0.99)  # above the shirt's outline in the front view
CHEST_MM = (300.0, 400.0)
PRINT_TOP = 0.60


FRONT = PrintRegion(
    "front",
    "Front",
    UVRect(
        (-CHEST_MM[0] / 2000 - LEFT) / SPAN,
        (PRINT_TOP - CHEST_MM[1] / 1000) / SPAN,
        (CHEST_MM[0] / 2000 - LEFT) / SPAN,
        PRINT_TOP / SPAN,
    ),
    *CHEST_MM,
)


def build() -> MeshData:
    outline = [_torso(), _sleeve(), _mirrored(_sleeve())]
    return join([*(_front(points) for points in outline), *(_back(p) for p in outline)])


def _top(x: FloatArray) -> FloatArray:
    """The top edge: a scooped neckline, then shoulders sloping down to the shoulder points."""
    a = np.abs(x)
    neck = NECK_TOP - NECK_DEPTH * np.sqrt(np.clip(1 - (a / NECK_HALF) ** 2, 0, 1))
    slope = NECK_TOP + (SHOULDER - NECK_TOP) * (a - NECK_HALF) / (SHOULDER_HALF - NECK_HALF)
    return np.where(a < NECK_HALF, neck, np.where(a < SHOULDER_HALF, slope, SHOULDER))


def _torso(columns: int = 25, rows: int = 25) -> FloatArray:
    """Left to right, hem to top; straight sides up to the armpits, then in to the shoulders."""
    s, t = np.meshgrid(np.linspace(-1, 1, columns), np.linspace(0, 1, rows), indexing="ij")
    side_y = SHOULDER * t
    half = np.interp(side_y, [0, ARMPIT, SHOULDER], [HEM_HALF, HEM_HALF, SHOULDER_HALF])
    x = s * half
    return np.stack([x, t * _top(x), np.zeros_like(x)], -1)


def _sleeve(columns: int = 8, rows: int = 8) -> FloatArray:
    """The right sleeve: armhole (inner edge) to cuff, lower seam to upper seam."""
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = SLEEVE
    s, t = np.meshgrid(np.linspace(0, 1, columns), np.linspace(0, 1, rows), indexing="ij")
    lower = np.stack([ax + (bx - ax) * s, ay + (by - ay) * s], -1)
    upper = np.stack([dx + (cx - dx) * s, dy + (cy - dy) * s], -1)
    xy = lower + (upper - lower) * t[..., None]
    return np.concatenate([xy, np.zeros_like(xy[..., :1])], -1)


def _mirrored(points: FloatArray) -> FloatArray:
    """The other side: x negated, columns reversed so it still runs left to right."""
    flipped = points[::-1].copy()
    flipped[..., 0] *= -1
    return flipped


def _front(points: FloatArray) -> Part:
    x, y = points[..., 0], points[..., 1]
    curved = points.copy()
    curved[..., 2] = BULGE * np.clip(1 - (x / BULGE_HALF) ** 2, 0, 1)
    return grid(curved, np.stack([(x - LEFT) / SPAN, y / SPAN], -1))


def _back(points: FloatArray) -> Part:
    flat = points.copy()
    flat[..., 2] = -0.002
    x, y = points[..., 0], points[..., 1]
    uv = BACK.map(np.stack([(x - LEFT) / SPAN, y / NECK_TOP], -1))
    return grid(flat, uv, np.broadcast_to(np.array([0.0, 0.0, -1.0]), points.shape))
