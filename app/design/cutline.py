"""The cut path of a die-cut or label product, in area millimetres (trim top-left, y down).

Two sources (``app.design.finishing.CutLine``):

- ``shape``: the trim box as a rectangle, a rounded rectangle or an ellipse, grown by the offset.
- ``artwork``: the outline of what is printed. The area is drawn (background left out) at a
  resolution fine enough for the cut (``CUT_PX_PER_MM``, coarser for large offsets so the work
  stays bounded); its alpha becomes a mask; the exact Euclidean distance to the mask is computed
  up to the offset (two separable passes, numpy); the iso-line at ``offset`` is traced by
  marching squares with sub-pixel interpolation, so the line is smooth and lies ``offset_mm``
  outside the artwork's edge; only outer contours are kept (a hole in a sticker is not cut);
  each is simplified (Douglas-Peucker, ``SIMPLIFY_MM``).

A contour is a closed polygon: its last point joins its first. An area with nothing printed
falls back to the trim rectangle, so a cutter never gets an empty file.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from app.design.document import Design
from app.design.errors import DesignError
from app.design.finishing import CutLine
from app.design.geometry import Frame
from app.design.raster import RenderInputs, render_area
from app.design.template import AreaSpec, TemplateSpec
from app.design.vips import VipsError

Point = tuple[float, float]
Contour = tuple[Point, ...]

CUT_PX_PER_MM = 10.0  # 0.1 mm: finer than a cutter's blade follows
MAX_REACH_PX = 40  # the offset in pixels is kept under this (coarser grid for big offsets)
MAX_CUT_PIXELS = 16_000_000  # the mask's size bound, whatever the area's size
SIMPLIFY_MM = 0.05
CURVE_STEP_DEG = 3.0  # arcs of shapes as polylines: a point every 3 degrees
ALPHA_INSIDE = 128  # a pixel at least half opaque is artwork


def cut_contours(
    design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs
) -> tuple[Contour, ...]:
    """The template's cut path for one area (empty when the template has no cut line)."""
    settings = template.cut_line
    if settings is None:
        return ()
    area = template.area(area_key)
    if settings.source == "shape":
        return (shape_contour(area, settings),)
    found = artwork_contours(design, template, area_key, inputs, settings.offset_mm)
    return found or (shape_contour(area, CutLine("shape", settings.offset_mm, "rect")),)


# ---------------------------------------------------------------- shapes


def shape_contour(area: AreaSpec, settings: CutLine) -> Contour:
    """The trim box as ``settings.shape``, grown by the offset on every side."""
    off, w, h = settings.offset_mm, area.width_mm, area.height_mm
    if settings.shape == "ellipse":
        rx, ry, steps = w / 2 + off, h / 2 + off, round(360 / CURVE_STEP_DEG)
        return tuple(
            (
                w / 2 + rx * math.cos(2 * math.pi * i / steps),
                h / 2 + ry * math.sin(2 * math.pi * i / steps),
            )
            for i in range(steps)
        )
    radius = min(settings.corner_mm, w / 2, h / 2) if settings.shape == "rounded" else 0.0
    left, top, right, bottom = -off, -off, w + off, h + off
    if radius <= 0:
        return ((left, top), (right, top), (right, bottom), (left, bottom))
    r = radius + off  # the offset of a rounded corner is a rounder corner
    corners = (
        (right - r, top + r, -90),
        (right - r, bottom - r, 0),
        (left + r, bottom - r, 90),
        (left + r, top + r, 180),
    )
    steps = round(90 / CURVE_STEP_DEG)
    points: list[Point] = []
    for cx, cy, start in corners:
        for i in range(steps + 1):
            angle = math.radians(start + 90 * i / steps)
            points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return tuple(points)


# ---------------------------------------------------------------- artwork


def artwork_contours(
    design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs, offset_mm: float
) -> tuple[Contour, ...]:
    """The outer contours of the area's artwork grown by ``offset_mm`` (empty: nothing drawn)."""
    area = template.area(area_key)
    px_per_mm = min(CUT_PX_PER_MM, MAX_REACH_PX / max(offset_mm, 1e-9))
    margin = area.bleed_mm + offset_mm + 1  # room for the line around art reaching into bleed
    width_mm, height_mm = area.width_mm + 2 * margin, area.height_mm + 2 * margin
    px_per_mm = min(px_per_mm, math.sqrt(MAX_CUT_PIXELS / (width_mm * height_mm)))
    frame = Frame(px_per_mm, margin, round(width_mm * px_per_mm), round(height_mm * px_per_mm))
    plain = dataclasses.replace(
        template,
        areas=tuple(dataclasses.replace(a, background=None) for a in template.areas),
    )
    try:
        image = render_area(design, plain, area_key, inputs, frame)
        alpha: NDArray[np.uint8] = np.asarray(image[3].numpy(), dtype=np.uint8)
    except VipsError as exc:
        raise DesignError(f"areas.{area_key}", f"could not trace the cut line: {exc}") from None
    mask = alpha >= ALPHA_INSIDE
    # The edge of the art is half a pixel beyond the centres of its outermost pixels.
    level = offset_mm * px_per_mm + 0.5
    loops = outer_loops(mask, level)
    scale = 1 / px_per_mm
    return tuple(
        tuple(
            (x * scale - margin, y * scale - margin)
            for x, y in simplify(loop, SIMPLIFY_MM * px_per_mm)
        )
        for loop in loops
    )


def distance_field(mask: NDArray[np.bool_], reach: float) -> NDArray[np.float32]:
    """Euclidean distance (pixels) from each pixel centre to the nearest ``mask`` pixel centre,
    exact up to ``reach``; farther pixels hold a value above ``reach``.

    Separable (Meijster-style): the vertical distance per column by two sweeps, then the
    minimum over horizontal neighbours within ``reach`` of ``dx² + dy²``.
    """
    cap = int(math.ceil(reach)) + 2
    height, width = mask.shape
    far = np.float32(cap)
    vertical = np.where(mask, np.float32(0), far).astype(np.float32)
    for row in range(1, height):
        np.minimum(vertical[row], vertical[row - 1] + 1, out=vertical[row])
    for row in range(height - 2, -1, -1):
        np.minimum(vertical[row], vertical[row + 1] + 1, out=vertical[row])
    np.minimum(vertical, far, out=vertical)
    squared = vertical * vertical
    padded = np.pad(squared, ((0, 0), (cap, cap)), constant_values=far * far)
    best = squared.copy()
    for dx in range(1, cap + 1):
        step = np.float32(dx * dx)
        np.minimum(best, padded[:, cap + dx : cap + dx + width] + step, out=best)
        np.minimum(best, padded[:, cap - dx : cap - dx + width] + step, out=best)
    return np.asarray(np.sqrt(best), dtype=np.float32)


def outer_loops(mask: NDArray[np.bool_], level: float) -> list[NDArray[np.float64]]:
    """The outer boundaries of the pixels within ``level`` of ``mask``, as closed loops of
    (x, y) pixel-centre coordinates (holes left out), sub-pixel from the distance field."""
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        return []
    reach = math.ceil(level) + 2
    top, left = max(0, rows.min() - reach), max(0, cols.min() - reach)
    bottom = min(mask.shape[0], rows.max() + reach + 1)
    right = min(mask.shape[1], cols.max() + reach + 1)
    field = distance_field(mask[top:bottom, left:right], level)
    field = np.pad(field, 1, constant_values=np.float32(level + 10))  # every loop closes
    loops = [loop + (left - 1, top - 1) for loop in iso_loops(field, level)]
    return [loop for loop in loops if _signed_area(loop) < 0]


def iso_loops(field: NDArray[np.float32], level: float) -> list[NDArray[np.float64]]:
    """Marching squares: the closed lines where ``field`` crosses ``level`` (a border of values
    above ``level`` assumed), all oriented alike in (x, y-down) coordinates: an outer boundary
    of the region ``field <= level`` has a negative shoelace area, a hole a positive one.
    """
    inside = field <= level
    height, width = field.shape
    # Corner values of every cell: a top-left, b top-right, c bottom-right, d bottom-left.
    a, b = field[:-1, :-1], field[:-1, 1:]
    c, d = field[1:, 1:], field[1:, :-1]
    ia, ib, ic, id_ = inside[:-1, :-1], inside[:-1, 1:], inside[1:, 1:], inside[1:, :-1]
    case = ia.astype(np.uint8) | ib << 1 | ic << 2 | id_ << 3
    cell_rows, cell_cols = np.nonzero((case != 0) & (case != 15))
    segments: dict[int, tuple[int, Point]] = {}  # start edge id -> (end edge id, start point)

    def edge_point(edge: str, i: int, j: int) -> tuple[int, Point]:
        """Where the level crosses one edge of cell (i, j), and the edge's id."""
        if edge == "T":
            v0, v1, x0, y0, dx, dy, eid = a[i, j], b[i, j], j, i, 1, 0, 2 * (i * width + j)
        elif edge == "B":
            v0, v1, x0, y0, dx, dy, eid = (
                d[i, j],
                c[i, j],
                j,
                i + 1,
                1,
                0,
                2 * ((i + 1) * width + j),
            )
        elif edge == "L":
            v0, v1, x0, y0, dx, dy, eid = a[i, j], d[i, j], j, i, 0, 1, 2 * (i * width + j) + 1
        else:
            v0, v1, x0, y0, dx, dy, eid = (
                b[i, j],
                c[i, j],
                j + 1,
                i,
                0,
                1,
                2 * (i * width + j + 1) + 1,
            )
        t = 0.5 if v1 == v0 else float((level - v0) / (v1 - v0))
        t = min(1.0, max(0.0, t))
        return eid, (x0 + dx * t, y0 + dy * t)

    for i, j in zip(cell_rows.tolist(), cell_cols.tolist(), strict=True):
        for start, end in _CELL_SEGMENTS(
            int(case[i, j]), a[i, j], b[i, j], c[i, j], d[i, j], level
        ):
            start_id, start_point = edge_point(start, i, j)
            end_id, _ = edge_point(end, i, j)
            segments[start_id] = (end_id, start_point)
    loops: list[NDArray[np.float64]] = []
    while segments:
        first, (nxt, point) = segments.popitem()
        points = [point]
        while nxt != first and nxt in segments:
            nxt, point = segments.pop(nxt)
            points.append(point)
        if len(points) >= 3:
            loops.append(np.asarray(points, dtype=np.float64))
    return loops


# Each case (bits: 1 top-left, 2 top-right, 4 bottom-right, 8 bottom-left inside) as the
# segment from one crossed edge to the other, all oriented alike: the inside on the same side.
_SINGLE: dict[int, tuple[tuple[str, str], ...]] = {
    1: (("L", "T"),),
    2: (("T", "R"),),
    3: (("L", "R"),),
    4: (("R", "B"),),
    6: (("T", "B"),),
    7: (("L", "B"),),
    8: (("B", "L"),),
    9: (("B", "T"),),
    11: (("B", "R"),),
    12: (("R", "L"),),
    13: (("R", "T"),),
    14: (("T", "L"),),
}


def _CELL_SEGMENTS(  # noqa: N802 (a table lookup that needs the saddle's centre)
    case: int, a: float, b: float, c: float, d: float, level: float
) -> tuple[tuple[str, str], ...]:
    if case in _SINGLE:
        return _SINGLE[case]
    centre_inside = (a + b + c + d) / 4 <= level
    if case == 5:  # top-left and bottom-right inside: cases 1 and 4, or 13 and 7
        return (("L", "B"), ("R", "T")) if centre_inside else (("L", "T"), ("R", "B"))
    return (("T", "L"), ("B", "R")) if centre_inside else (("T", "R"), ("B", "L"))  # 10: 14 + 11


def _signed_area(loop: NDArray[np.float64]) -> float:
    x, y = loop[:, 0], loop[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2


def simplify(loop: Sequence[Point] | NDArray[np.float64], tolerance: float) -> list[Point]:
    """Douglas-Peucker on a closed loop: split at the point farthest from the first, then
    keep every point farther than ``tolerance`` from the chord of its run."""
    points = np.asarray(loop, dtype=np.float64)
    if len(points) < 4:
        return [(float(x), float(y)) for x, y in points]
    far = int(np.argmax(np.hypot(*(points - points[0]).T)))
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[far] = True
    closed = np.vstack([points, points[:1]])
    stack = [(0, far), (far, len(points))]
    while stack:
        start, end = stack.pop()
        if end - start < 2:
            continue
        p0, p1 = closed[start], closed[end]
        chord = p1 - p0
        length = math.hypot(*chord)
        inner = closed[start + 1 : end] - p0
        if length == 0:
            gaps = np.hypot(inner[:, 0], inner[:, 1])
        else:
            gaps = np.abs(inner[:, 0] * chord[1] - inner[:, 1] * chord[0]) / length
        worst = int(np.argmax(gaps))
        if gaps[worst] > tolerance:
            middle = start + 1 + worst
            keep[middle] = True
            stack.extend(((start, middle), (middle, end)))
    return [(float(x), float(y)) for x, y in points[keep]]
