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
from collections import OrderedDict
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

CUT_PX_PER_MM = 8.0  # 0.125 mm cells, the line interpolated within them
MAX_REACH_PX = 40  # the offset in pixels is kept under this (coarser grid for big offsets)
MAX_CUT_PIXELS = 16_000_000  # the mask's size bound, whatever the area's size
SIMPLIFY_MM = 0.05
CURVE_STEP_DEG = 3.0  # arcs of shapes as polylines: a point every 3 degrees
ALPHA_INSIDE = 128  # a pixel at least half opaque is artwork
RECENT_PATHS = 4
_RECENT: OrderedDict[tuple[int, int, str], tuple[Design, TemplateSpec, tuple[Contour, ...]]] = (
    OrderedDict()
)


def cut_contours(
    design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs
) -> tuple[Contour, ...]:
    """The template's cut path for one area (empty when the template has no cut line).

    A job asks for the same path up to four times (two PDFs, SVG, DXF): the last few are kept,
    by the very objects asked about (held, so their ids cannot be reused meanwhile)."""
    settings = template.cut_line
    if settings is None:
        return ()
    area = template.area(area_key)
    if settings.source == "shape":
        return (shape_contour(area, settings),)
    key = (id(design), id(template), area_key)
    kept = _RECENT.get(key)
    if kept is not None and kept[0] is design and kept[1] is template:
        return kept[2]
    found = artwork_contours(design, template, area_key, inputs, settings.offset_mm)
    contours = found or (shape_contour(area, CutLine("shape", settings.offset_mm, "rect")),)
    _RECENT[key] = (design, template, contours)
    while len(_RECENT) > RECENT_PATHS:
        _RECENT.popitem(last=False)
    return contours


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
            ((x + 0.5) * scale - margin, (y + 0.5) * scale - margin)
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

    Every crossing is a point on a cell edge, known by the edge's id (shared by the two cells
    it separates); each cell's segment runs from one such id to another, so the loops are the
    chains of ids. Segments are found for all cells at once (numpy); only saddles are looped.
    """
    inside = field <= level
    width = field.shape[1]
    case = (
        inside[:-1, :-1].astype(np.uint8)
        | inside[:-1, 1:].astype(np.uint8) << 1
        | inside[1:, 1:].astype(np.uint8) << 2
        | inside[1:, :-1].astype(np.uint8) << 3
    )
    rows, cols = np.nonzero((case != 0) & (case != 15))
    cases = case[rows, cols]
    single = _START[cases] >= 0
    starts, ends = _START[cases[single]], _END[cases[single]]
    seg_rows, seg_cols = rows[single], cols[single]
    saddle_starts: list[int] = []
    saddle_ends: list[int] = []
    saddle_rows: list[int] = []
    saddle_cols: list[int] = []
    for i, j in zip(rows[~single].tolist(), cols[~single].tolist(), strict=True):
        corners = (field[i, j], field[i, j + 1], field[i + 1, j + 1], field[i + 1, j])
        for edge_in, edge_out in _saddle(int(case[i, j]), sum(corners) / 4 <= level):
            saddle_starts.append(_CODE[edge_in])
            saddle_ends.append(_CODE[edge_out])
            saddle_rows.append(i)
            saddle_cols.append(j)
    starts = np.concatenate([starts, np.asarray(saddle_starts, dtype=np.int8)])
    ends = np.concatenate([ends, np.asarray(saddle_ends, dtype=np.int8)])
    seg_rows = np.concatenate([seg_rows, np.asarray(saddle_rows, dtype=seg_rows.dtype)])
    seg_cols = np.concatenate([seg_cols, np.asarray(saddle_cols, dtype=seg_cols.dtype)])
    start_ids, xs, ys = _crossings(field, level, width, starts, seg_rows, seg_cols)
    end_ids, _, _ = _crossings(field, level, width, ends, seg_rows, seg_cols)
    following = dict(zip(start_ids.tolist(), range(len(start_ids)), strict=True))
    next_ids = end_ids.tolist()
    done = np.zeros(len(start_ids), dtype=bool)
    loops: list[NDArray[np.float64]] = []
    for first in range(len(start_ids)):
        if done[first]:
            continue
        chain = [first]
        done[first] = True
        at = following.get(next_ids[first])
        while at is not None and not done[at]:
            done[at] = True
            chain.append(at)
            at = following.get(next_ids[at])
        if len(chain) >= 3:
            loops.append(np.column_stack([xs[chain], ys[chain]]))
    return loops


def _crossings(
    field: NDArray[np.float32],
    level: float,
    width: int,
    edges: NDArray[np.int8],
    rows: NDArray[np.intp],
    cols: NDArray[np.intp],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Each (cell, edge)'s crossing: the edge's id and the interpolated point.

    Edge codes 0 top, 1 right, 2 bottom, 3 left; an edge runs from its first vertex (top-left
    end for horizontal edges, top end for vertical ones) one pixel right or down.
    """
    rows64, cols64 = rows.astype(np.int64), cols.astype(np.int64)
    y0 = rows64 + (edges == 2)  # the bottom edge starts one row down
    x0 = cols64 + (edges == 1)  # the right edge starts one column right
    vertical = (edges == 1) | (edges == 3)
    y1, x1 = y0 + vertical, x0 + ~vertical
    v0 = field[y0, x0].astype(np.float64)
    v1 = field[y1, x1].astype(np.float64)
    span = v1 - v0
    safe = np.where(span == 0, 1.0, span)
    t = np.clip(np.where(span == 0, 0.5, (level - v0) / safe), 0.0, 1.0)
    ids = 2 * (y0 * width + x0) + vertical
    return ids, x0 + t * ~vertical, y0 + t * vertical


# Each case (bits: 1 top-left, 2 top-right, 4 bottom-right, 8 bottom-left inside) as the
# segment from one crossed edge to the other, all oriented alike: the inside on the same side.
_SINGLE: dict[int, tuple[str, str]] = {
    1: ("L", "T"),
    2: ("T", "R"),
    3: ("L", "R"),
    4: ("R", "B"),
    6: ("T", "B"),
    7: ("L", "B"),
    8: ("B", "L"),
    9: ("B", "T"),
    11: ("B", "R"),
    12: ("R", "L"),
    13: ("R", "T"),
    14: ("T", "L"),
}
_CODE = {"T": 0, "R": 1, "B": 2, "L": 3}
_START = np.full(16, -1, dtype=np.int8)
_END = np.full(16, -1, dtype=np.int8)
for _case, (_first, _second) in _SINGLE.items():
    _START[_case], _END[_case] = _CODE[_first], _CODE[_second]


def _saddle(case: int, centre_inside: bool) -> tuple[tuple[str, str], ...]:
    """The two segments of a saddle cell, joined or split by the value at its centre."""
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
