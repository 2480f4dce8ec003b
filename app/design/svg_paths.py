"""Luneo's curated clipart as vector outlines, so the print PDF keeps it sharp at any size.

The curated sets (Tabler icons) are one ``<svg>`` with a ``viewBox`` holding ``<path>`` elements,
painted by fill or by a round-capped stroke in ``currentColor``. This module reads exactly that
subset into absolute path operations (every SVG path command; arcs become cubic Béziers, as
SVG 1.1 appendix F.6 describes); anything else (another element, a transform, a gradient, a
style sheet) answers None and the caller embeds the picture instead, as before. Only Luneo's
own files are read here, never a shopper's upload.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.etree import ElementTree

SVG_NS = "{http://www.w3.org/2000/svg}"
_PAINTS = re.compile(r"none|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}
_CAPS = {"butt": 0, "round": 1, "square": 2}
_JOINS = {"miter": 0, "round": 1, "bevel": 2}
_PAINTED_ATTRIBUTES = {"fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin"}
_ROOT_ATTRIBUTES = {"width", "height", "viewBox", "class", "version"} | _PAINTED_ATTRIBUTES

Op = tuple[str, tuple[float, ...]]  # ("M", (x, y)), ("L", (x, y)), ("C", (6 numbers)), ("Z", ())


@dataclass(frozen=True)
class Outline:
    ops: tuple[Op, ...]
    fill: str | None  # a #colour, or None for no fill
    stroke: str | None
    stroke_width: float
    linecap: int  # PDF line cap: 0 butt, 1 round, 2 square
    linejoin: int


@dataclass(frozen=True)
class VectorArt:
    viewbox: tuple[float, float, float, float]  # min x, min y, width, height
    outlines: tuple[Outline, ...]


def vector_art(svg: bytes) -> VectorArt | None:
    """The drawing as outlines, or None when it uses more than the curated sets' subset."""
    try:
        root = ElementTree.fromstring(svg)  # noqa: S314 (Luneo's own curated files only)
        return _art(root)
    except (ElementTree.ParseError, ValueError, IndexError):
        return None


def _art(root: ElementTree.Element) -> VectorArt | None:
    if root.tag != f"{SVG_NS}svg" or not root.get("viewBox") or set(root.attrib) - _ROOT_ATTRIBUTES:
        return None
    viewbox = tuple(float(v) for v in root.get("viewBox", "").replace(",", " ").split())
    if len(viewbox) != 4 or viewbox[2] <= 0 or viewbox[3] <= 0:
        return None
    inherited = {k: v for k, v in root.attrib.items() if k in _PAINTED_ATTRIBUTES}
    outlines = []
    for element in root:
        if element.tag != f"{SVG_NS}path" or set(element.attrib) - {"d"} - _PAINTED_ATTRIBUTES:
            return None
        outline = _outline(element.get("d", ""), {**inherited, **element.attrib})
        if outline is not None:
            outlines.append(outline)
    return VectorArt((viewbox[0], viewbox[1], viewbox[2], viewbox[3]), tuple(outlines))


def _outline(d: str, paint: dict[str, str]) -> Outline | None:
    fill, stroke = _paint(paint.get("fill", "#000000")), _paint(paint.get("stroke", "none"))
    width = float(paint.get("stroke-width", "1"))
    if fill is None and (stroke is None or width <= 0):
        return None  # invisible (the icons' bounding-box path)
    return Outline(
        ops=tuple(path_ops(d)),
        fill=fill,
        stroke=stroke,
        stroke_width=width,
        linecap=_CAPS[paint.get("stroke-linecap", "butt")],
        linejoin=_JOINS[paint.get("stroke-linejoin", "miter")],
    )


def _paint(value: str) -> str | None:
    if not _PAINTS.fullmatch(value.strip()):
        raise ValueError(f"unsupported paint {value!r}")
    return None if value.strip() == "none" else value.strip()


# ---------------------------------------------------------------- path data


class _Reader:
    """Numbers, flags and command letters of SVG path data, in order."""

    def __init__(self, d: str) -> None:
        self.d, self.at = d, 0

    def skip(self) -> None:
        while self.at < len(self.d) and self.d[self.at] in " \t\r\n,":
            self.at += 1

    def command(self) -> str | None:
        self.skip()
        if self.at < len(self.d) and self.d[self.at].isalpha():
            self.at += 1
            return self.d[self.at - 1]
        return None

    def more(self) -> bool:
        self.skip()
        return self.at < len(self.d) and not self.d[self.at].isalpha()

    def number(self) -> float:
        self.skip()
        match = _NUMBER.match(self.d, self.at)
        if match is None:
            raise ValueError(f"a number expected at {self.at}")
        self.at = match.end()
        return float(match.group())

    def flag(self) -> float:
        self.skip()
        if self.at >= len(self.d) or self.d[self.at] not in "01":
            raise ValueError(f"an arc flag expected at {self.at}")
        self.at += 1
        return float(self.d[self.at - 1])


def path_ops(d: str) -> list[Op]:
    """Every command of ``d`` as absolute moveto / lineto / cubic curveto / close operations."""
    reader, ops = _Reader(d), []
    x = y = start_x = start_y = 0.0
    last_control: tuple[float, float] | None = None  # for S/T: the previous curve's control
    last_kind = ""
    command = reader.command()
    if command not in ("M", "m"):
        raise ValueError("path data must start with a moveto")
    while command is not None:
        kind, relative = command.upper(), command.islower()
        if kind not in _ARGS:
            raise ValueError(f"unknown path command {command!r}")
        first = True
        while first or (kind != "Z" and reader.more()):
            first = False
            args = [
                reader.flag() if kind == "A" and i in (3, 4) else reader.number()
                for i in range(_ARGS[kind])
            ]
            x, y, start_x, start_y, last_control, new_ops = _step(
                kind, relative, args, (x, y), (start_x, start_y), last_control, last_kind
            )
            ops.extend(new_ops)
            last_kind = kind
            if kind == "M":
                kind = "L"  # extra coordinate pairs after a moveto are linetos
        command = reader.command()
        if command is None and reader.more():
            raise ValueError("stray numbers in path data")
    return ops


def _step(
    kind: str,
    relative: bool,
    args: list[float],
    at: tuple[float, float],
    start: tuple[float, float],
    control: tuple[float, float] | None,
    last_kind: str,
) -> tuple[float, float, float, float, tuple[float, float] | None, list[Op]]:
    x, y = at
    ox, oy = (x, y) if relative else (0.0, 0.0)

    def point(i: int) -> tuple[float, float]:
        return args[i] + ox, args[i + 1] + oy

    if kind == "Z":
        return start[0], start[1], start[0], start[1], None, [("Z", ())]
    if kind == "M":
        px, py = point(0)
        return px, py, px, py, None, [("M", (px, py))]
    if kind == "L":
        px, py = point(0)
        return px, py, start[0], start[1], None, [("L", (px, py))]
    if kind == "H":
        px = args[0] + ox
        return px, y, start[0], start[1], None, [("L", (px, y))]
    if kind == "V":
        py = args[0] + oy
        return x, py, start[0], start[1], None, [("L", (x, py))]
    if kind in ("C", "S"):
        if kind == "C":
            c1, c2, end = point(0), point(2), point(4)
        else:
            c1 = _reflect(control, (x, y)) if last_kind in ("C", "S") else (x, y)
            c2, end = point(0), point(2)
        return end[0], end[1], start[0], start[1], c2, [("C", (*c1, *c2, *end))]
    if kind in ("Q", "T"):
        if kind == "Q":
            q, end = point(0), point(2)
        else:
            q = _reflect(control, (x, y)) if last_kind in ("Q", "T") else (x, y)
            end = point(0)
        c1 = (x + 2 / 3 * (q[0] - x), y + 2 / 3 * (q[1] - y))
        c2 = (end[0] + 2 / 3 * (q[0] - end[0]), end[1] + 2 / 3 * (q[1] - end[1]))
        return end[0], end[1], start[0], start[1], q, [("C", (*c1, *c2, *end))]
    end = point(5)  # A
    curves = arc_curves((x, y), args[0], args[1], args[2], bool(args[3]), bool(args[4]), end)
    return end[0], end[1], start[0], start[1], None, [("C", c) for c in curves]


def _reflect(control: tuple[float, float] | None, at: tuple[float, float]) -> tuple[float, float]:
    if control is None:
        return at
    return 2 * at[0] - control[0], 2 * at[1] - control[1]


def arc_curves(
    start: tuple[float, float],
    rx: float,
    ry: float,
    angle_deg: float,
    large: bool,
    sweep: bool,
    end: tuple[float, float],
) -> list[tuple[float, ...]]:
    """An elliptical arc as cubic Béziers of at most 90 degrees each (SVG 1.1, F.6.5-F.6.6)."""
    (x1, y1), (x2, y2) = start, end
    if (x1, y1) == (x2, y2):
        return []
    rx, ry = abs(rx), abs(ry)
    if rx == 0 or ry == 0:
        return [(x1, y1, x2, y2, x2, y2)]
    phi = math.radians(angle_deg % 360)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    x1p, y1p = cos * dx + sin * dy, -sin * dx + cos * dy
    scale = (x1p / rx) ** 2 + (y1p / ry) ** 2
    if scale > 1:  # radii too small: scaled up just enough
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p
    den = rx * rx * y1p * y1p + ry * ry * x1p * x1p
    root = math.sqrt(max(0.0, num / den)) * (-1 if large == sweep else 1)
    cxp, cyp = root * rx * y1p / ry, -root * ry * x1p / rx
    cx = cos * cxp - sin * cyp + (x1 + x2) / 2
    cy = sin * cxp + cos * cyp + (y1 + y2) / 2
    theta = math.atan2((y1p - cyp) / ry, (x1p - cxp) / rx)
    delta = math.atan2((-y1p - cyp) / ry, (-x1p - cxp) / rx) - theta
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    pieces = max(1, math.ceil(abs(delta) / (math.pi / 2) - 1e-9))
    step = delta / pieces
    k = 4 / 3 * math.tan(step / 4)

    def at(t: float) -> tuple[float, float]:
        ex, ey = rx * math.cos(t), ry * math.sin(t)
        return cx + cos * ex - sin * ey, cy + sin * ex + cos * ey

    def slope(t: float) -> tuple[float, float]:
        ex, ey = -rx * math.sin(t), ry * math.cos(t)
        return cos * ex - sin * ey, sin * ex + cos * ey

    curves: list[tuple[float, ...]] = []
    for i in range(pieces):
        t0, t1 = theta + i * step, theta + (i + 1) * step
        p0, p1 = at(t0), at(t1)
        d0, d1 = slope(t0), slope(t1)
        c1 = (p0[0] + k * d0[0], p0[1] + k * d0[1])
        c2 = (p1[0] - k * d1[0], p1[1] - k * d1[1])
        curves.append((*c1, *c2, *p1))
    last = curves[-1]
    curves[-1] = (*last[:4], x2, y2)  # land exactly on the end point
    return curves
