"""A 30 x 40 cm poster in a 20 mm black frame, hanging on a wall (the wall is the Z = 0 plane).

The poster face sits 8 mm behind the front of the frame, as under glass; its UVs fill a 3:4
rectangle of a square atlas (texels square on the poster), beside swatches for the frame and
the kraft backing board.
"""

from __future__ import annotations

import numpy as np

from app.design.models3d.parts import Part, box, join, quad
from app.design.models3d.spec import MeshData, PrintRegion, Swatch, UVRect

WIDTH, HEIGHT = 0.30, 0.40
FRAME, DEPTH, RECESS = 0.02, 0.025, 0.008
FACE = PrintRegion("face", "Poster", UVRect(0.0, 0.0, 0.75, 1.0), WIDTH * 1000, HEIGHT * 1000)
FRAME_SWATCH = Swatch(UVRect(0.8, 0.55, 1.0, 1.0), "#1f1f1f")
BACKING_SWATCH = Swatch(UVRect(0.8, 0.0, 1.0, 0.45), "#b49a6e")


def build() -> MeshData:
    return join([*_frame(), _face(), _backing()])


def _frame() -> list[Part]:
    left, right = -WIDTH / 2 - FRAME, WIDTH / 2 + FRAME
    top = HEIGHT + 2 * FRAME
    rect = FRAME_SWATCH.rect
    pieces = [
        ((left, 0.0), (right, FRAME)),
        ((left, top - FRAME), (right, top)),
        ((left, FRAME), (-WIDTH / 2, top - FRAME)),
        ((WIDTH / 2, FRAME), (right, top - FRAME)),
    ]
    return [
        face
        for (x0, y0), (x1, y1) in pieces
        for face in box(np.array([x0, y0, 0.0]), np.array([x1, y1, DEPTH]), rect)
    ]


def _face() -> Part:
    x0, x1, y0, y1, z = -WIDTH / 2, WIDTH / 2, FRAME, FRAME + HEIGHT, DEPTH - RECESS
    corners = np.array([[x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z]])
    return quad(corners, np.array([0.0, 0.0, 1.0]), FACE.rect)


def _backing() -> Part:
    """Closes the opening at the back (what you see walking round it in AR)."""
    x0, x1, y0, y1, z = -WIDTH / 2, WIDTH / 2, FRAME, FRAME + HEIGHT, 0.002
    corners = np.array([[x1, y0, z], [x0, y0, z], [x0, y1, z], [x1, y1, z]])
    return quad(corners, np.array([0.0, 0.0, -1.0]), BACKING_SWATCH.rect)
