"""How a print area bends on its mockup: flat, or around a cylinder (a mug, a tumbler, a can).

A flat placement shows the area as it prints, scaled into the rectangle. A cylindrical one is
a side view of the product: the rectangle's width is the body's visible diameter, the height
the printed band. Across it, a column at ``t`` (-1 left edge, 0 the middle, 1 right edge) shows
the point of the wrap at arc length ``asin(t) * C / 2π`` from the part facing the viewer
(``offset_mm`` from the wrap's middle: 0 front, C/2 the back); columns past the wrap's ends show
the bare product. So a 200 mm wrap on an 82 mm mug shows its middle ~129 mm, narrowing towards
the sides, as the print will look — never the whole wrap squeezed onto the front.

The widget's live 2D preview does the same (storefront_widget/src/editor/warp.js, held to this
by tests/integration/widget/test_widget_warp.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_CIRCUMFERENCE_MM = 10.0
MAX_CIRCUMFERENCE_MM = 3000.0


@dataclass(frozen=True)
class Cylinder:
    circumference_mm: float
    offset_mm: float = 0.0  # the point of the wrap facing the viewer, from the wrap's middle

    def source_mm(self, t: float, area_width_mm: float) -> float | None:
        """The wrap's x (mm from its left edge) seen at ``t`` across the body; None beyond it."""
        if not -1.0 <= t <= 1.0:
            return None
        x = area_width_mm / 2 + self.offset_mm + math.asin(t) * self.circumference_mm / math.tau
        return x if 0.0 <= x <= area_width_mm else None

    def centre_px_per_mm(self, width_px: float) -> float:
        """Pixels per mm where the wrap faces the viewer: the finest detail shown."""
        return math.pi * width_px / self.circumference_mm
