"""How a print follows the fabric on a 2D mockup: a displacement map made of the photo itself.

A shirt photo's folds are its light and shade, so the photo is its own displacement map. Over
the view's box (``w`` x ``h`` pixels as shown):

1. ``lum``: each pixel's luminance, ``(0.299 R + 0.587 G + 0.114 B) / 255``;
2. blurred by a box of radius ``r = max(1, round(min(w, h) / 40))``, across then down (edges
   repeat), so the weave's noise does not shake the print, only the folds move it;
3. ``offset = (blurred - mean(blurred)) * strength``: a pixel lighter than the box's average
   (a fold's ridge) pulls the print one way, a darker one (its valley) the other, the same
   amount along x and y (a displacement map's usual reading, one grey channel for both axes);
4. the print shown at box pixel ``(x, y)`` is the flat print's at ``(x + offset, y + offset)``
   (bilinear; outside it: clear), then multiplied onto the photo so the folds shade it too.

``strength`` is the view's ``displacement.strength_px`` in mockup pixels, times the scale the
mockup is shown at. The widget's live preview does the same (storefront_widget/src/editor/
displace.js, held to this by tests/integration/widget/test_widget_displace.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_STRENGTH_PX = 200.0
LUMA = (0.299, 0.587, 0.114)


@dataclass(frozen=True)
class Displacement:
    strength_px: float  # the most a fold moves the print, per unit of luminance, mockup pixels


def blur_radius(width: int, height: int) -> int:
    return max(1, round(min(width, height) / 40))


def luminance(rgb: Any) -> Any:
    """(h, w, 3+) uint8 pixels to (h, w) luminance from 0 to 1."""
    pixels = np.asarray(rgb, dtype=np.float64)
    return (pixels[..., 0] * LUMA[0] + pixels[..., 1] * LUMA[1] + pixels[..., 2] * LUMA[2]) / 255


def _box_blur(values: Any, radius: int, axis: int) -> Any:
    size = values.shape[axis]
    padded = np.pad(
        values, [(radius, radius) if a == axis else (0, 0) for a in range(2)], mode="edge"
    )
    total = np.cumsum(padded, axis=axis)
    zero = np.zeros_like(np.take(total, [0], axis=axis))
    total = np.concatenate([zero, total], axis=axis)
    upper = np.take(total, np.arange(2 * radius + 1, 2 * radius + 1 + size), axis=axis)
    lower = np.take(total, np.arange(0, size), axis=axis)
    return (upper - lower) / (2 * radius + 1)


def offsets(lum: Any, strength: float) -> Any:
    """(h, w) luminance of the box to (h, w) pixel offsets (the same along x and y)."""
    lum = np.asarray(lum, dtype=np.float64)
    height, width = lum.shape
    radius = blur_radius(width, height)
    blurred = _box_blur(_box_blur(lum, radius, 1), radius, 0)
    return (blurred - blurred.mean()) * strength


def sample_grid(offset: Any) -> tuple[Any, Any]:
    """Where each shown pixel reads the flat print: (xs, ys), in the flat print's pixels."""
    height, width = offset.shape
    xs = np.arange(width, dtype=np.float64)[None, :] + offset
    ys = np.arange(height, dtype=np.float64)[:, None] + offset
    return xs, ys
