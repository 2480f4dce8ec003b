"""Millimetres to pixels, once, for every output: the only place the mm -> px rule lives.

Area coordinates are millimetres from the trim box's top-left corner (x right, y down). A canvas
may start outside the trim (the bleed) and has a pixel density; ``Frame`` holds both.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from app.design.document import Box

if TYPE_CHECKING:
    from app.design.template import AreaSpec

MM_PER_INCH = 25.4
MM_PER_POINT = MM_PER_INCH / 72


def pixel_size(area: AreaSpec, dpi: int | None = None) -> tuple[int, int]:
    """Print size in pixels including bleed, rounded like ``PrintArea.pixel_size`` (Decimal)."""
    to_px = Decimal(dpi or area.dpi) / Decimal("25.4")
    bleed = 2 * Decimal(str(area.bleed_mm))
    width = (Decimal(str(area.width_mm)) + bleed) * to_px
    height = (Decimal(str(area.height_mm)) + bleed) * to_px
    return int(width.to_integral_value()), int(height.to_integral_value())


@dataclass(frozen=True)
class Frame:
    """A raster canvas over an area: ``px = (mm + origin_mm) * px_per_mm``."""

    px_per_mm: float
    origin_mm: float
    width_px: int
    height_px: int

    @classmethod
    def for_print(cls, area: AreaSpec, dpi: int | None = None) -> Frame:
        width, height = pixel_size(area, dpi)
        return cls((dpi or area.dpi) / MM_PER_INCH, area.bleed_mm, width, height)

    @classmethod
    def for_preview(cls, area: AreaSpec, width_px: int, height_px: int) -> Frame:
        """The trim box only (bleed is cut off), scaled to fit the given size."""
        scale = min(width_px / area.width_mm, height_px / area.height_mm)
        return cls(scale, 0.0, width_px, height_px)

    @property
    def dpi(self) -> float:
        return self.px_per_mm * MM_PER_INCH

    def px(self, mm: float) -> float:
        return (mm + self.origin_mm) * self.px_per_mm

    def snap(self, mm: float) -> int:
        """The pixel edge nearest to a mm coordinate: where axis-aligned edges land."""
        return round(self.px(mm))

    def length(self, mm: float) -> float:
        return mm * self.px_per_mm


def rotate_point(x: float, y: float, cx: float, cy: float, degrees: float) -> tuple[float, float]:
    """Rotate clockwise on screen (y down) about (cx, cy), as CSS ``rotate()`` does."""
    rad = math.radians(degrees)
    cos, sin = math.cos(rad), math.sin(rad)
    dx, dy = x - cx, y - cy
    return cx + dx * cos - dy * sin, cy + dx * sin + dy * cos


def box_corners(box: Box) -> list[tuple[float, float]]:
    cx, cy = box.x_mm + box.width_mm / 2, box.y_mm + box.height_mm / 2
    corners = [
        (box.x_mm, box.y_mm),
        (box.x_mm + box.width_mm, box.y_mm),
        (box.x_mm + box.width_mm, box.y_mm + box.height_mm),
        (box.x_mm, box.y_mm + box.height_mm),
    ]
    return [rotate_point(x, y, cx, cy, box.rotation_deg) for x, y in corners]


@dataclass(frozen=True)
class Bounds:
    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]]) -> Bounds:
        xs, ys = zip(*points, strict=True)
        return cls(min(xs), min(ys), max(xs), max(ys))

    def grow(self, by: float) -> Bounds:
        return Bounds(self.left - by, self.top - by, self.right + by, self.bottom + by)

    def union(self, other: Bounds) -> Bounds:
        return Bounds(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def is_axis_aligned(degrees: float) -> bool:
    return math.isclose(degrees % 360, 0.0, abs_tol=1e-9) or math.isclose(
        degrees % 360, 360.0, abs_tol=1e-9
    )
