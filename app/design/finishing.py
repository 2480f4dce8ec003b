"""What a template asks of production beyond the print itself: a cut line, score lines, an
engraving file.

Both settings live in the template's JSON (``Template.extra``, column ``metadata``; in a
``template.v1.json`` document and ``luneo render``'s TEMPLATE.json as top-level keys) and are
checked here once, by the same rules for the admin's save, an import and the renderer:

- ``cut_line``: ``{"source": "artwork" | "shape", "offset_mm": 2, "shape": "rect" | "rounded" |
  "ellipse", "corner_mm": 3}``. ``artwork``: the outline of what is printed, grown by
  ``offset_mm`` (a die-cut sticker); ``shape``: the trim box as ``shape`` grown by ``offset_mm``
  (a label). ``app.design.cutline`` computes the path, ``app.design.cut_files`` draws it.
- ``score_lines``: up to ``MAX_SCORE_LINES`` straight crease lines of a folded product (card,
  box, sleeve), ``[{"x1_mm", "y1_mm", "x2_mm", "y2_mm"}]`` in area millimetres (trim top-left,
  y down), each end inside every print area's bleed box; ``app.design.cut_files`` draws them
  on a Crease layer beside the cut line.
- ``engraving``: ``{"method": "threshold" | "dither", "threshold": 128, "invert": false,
  "outline_text": true}`` for laser engraving (``app.design.engraving``).

``None`` (or a missing key; ``[]`` for score lines) means the product is neither cut, scored
nor engraved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.design.errors import DesignError

CutSource = Literal["artwork", "shape"]
CutShape = Literal["rect", "rounded", "ellipse"]
EngraveMethod = Literal["threshold", "dither"]

CUT_SOURCES: tuple[CutSource, ...] = ("artwork", "shape")
CUT_SHAPES: tuple[CutShape, ...] = ("rect", "rounded", "ellipse")
ENGRAVE_METHODS: tuple[EngraveMethod, ...] = ("threshold", "dither")
MAX_CUT_OFFSET_MM = 20.0  # further out a sticker is mostly backing paper
MAX_CORNER_MM = 100.0
_CUT_KEYS = {"source", "offset_mm", "shape", "corner_mm"}
MAX_SCORE_LINES = 20
MAX_SCORE_MM = 10_000.0  # a coordinate's bound before the area's own check
_SCORE_KEYS = ("x1_mm", "y1_mm", "x2_mm", "y2_mm")
_ENGRAVE_KEYS = {"method", "threshold", "invert", "outline_text"}


@dataclass(frozen=True)
class CutLine:
    source: CutSource = "artwork"
    offset_mm: float = 2.0
    shape: CutShape = "rect"
    corner_mm: float = 0.0  # the trim's corner radius for "rounded" (before the offset)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "offset_mm": self.offset_mm,
            "shape": self.shape,
            "corner_mm": self.corner_mm,
        }


@dataclass(frozen=True)
class ScoreLine:
    """A crease from (x1, y1) to (x2, y2), area mm (trim top-left, y down)."""

    x1_mm: float
    y1_mm: float
    x2_mm: float
    y2_mm: float

    def as_dict(self) -> dict[str, Any]:
        return {"x1_mm": self.x1_mm, "y1_mm": self.y1_mm, "x2_mm": self.x2_mm, "y2_mm": self.y2_mm}

    @property
    def points(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return (self.x1_mm, self.y1_mm), (self.x2_mm, self.y2_mm)


@dataclass(frozen=True)
class Engraving:
    method: EngraveMethod = "threshold"
    threshold: int = 128  # grey levels below it are engraved (black), 0-255
    invert: bool = False  # engrave the light parts instead (dark material, a negative)
    outline_text: bool = True  # SVG text as glyph outlines, else <text> naming the font

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "threshold": self.threshold,
            "invert": self.invert,
            "outline_text": self.outline_text,
        }


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def cut_line_problems(raw: Any, path: str = "cut_line") -> dict[str, str]:
    """What is wrong with a ``cut_line`` value, by field path (empty: fine; None is fine)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        return {path: "Must be an object with source and offset_mm, or null for no cut line."}
    problems: dict[str, str] = {}
    for key in sorted(set(raw) - _CUT_KEYS):
        problems[f"{path}.{key}"] = "Not a cut line setting (source, offset_mm, shape, corner_mm)."
    if raw.get("source", "artwork") not in CUT_SOURCES:
        problems[f"{path}.source"] = "Choose artwork (around the design) or shape (the trim)."
    offset = _number(raw.get("offset_mm", 2))
    if offset is None or not 0 <= offset <= MAX_CUT_OFFSET_MM:
        problems[f"{path}.offset_mm"] = f"Must be a number from 0 to {MAX_CUT_OFFSET_MM:g} mm."
    if raw.get("shape", "rect") not in CUT_SHAPES:
        problems[f"{path}.shape"] = "Choose rect, rounded or ellipse."
    corner = _number(raw.get("corner_mm", 0))
    if corner is None or not 0 <= corner <= MAX_CORNER_MM:
        problems[f"{path}.corner_mm"] = f"Must be a number from 0 to {MAX_CORNER_MM:g} mm."
    return problems


@dataclass(frozen=True)
class Box:
    """A print area's extent for score lines: trim width and height and bleed, in mm."""

    key: str
    width_mm: float
    height_mm: float
    bleed_mm: float


def score_lines_problems(
    raw: Any, path: str = "score_lines", boxes: Sequence[Box] = ()
) -> dict[str, str]:
    """What is wrong with a ``score_lines`` value, by field path (empty: fine; None is fine);
    each end must lie inside every one of ``boxes``' bleed box."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        return {path: "Must be a list of lines (x1_mm, y1_mm, x2_mm, y2_mm), or empty."}
    if len(raw) > MAX_SCORE_LINES:
        return {path: f"At most {MAX_SCORE_LINES} score lines."}
    problems: dict[str, str] = {}
    for i, line in enumerate(raw):
        at = f"{path}[{i}]"
        if not isinstance(line, Mapping):
            problems[at] = "Must be an object with x1_mm, y1_mm, x2_mm and y2_mm."
            continue
        for key in sorted(set(line) - set(_SCORE_KEYS)):
            problems[f"{at}.{key}"] = "Not a score line setting (x1_mm, y1_mm, x2_mm, y2_mm)."
        values = {key: _number(line.get(key)) for key in _SCORE_KEYS}
        for key, value in values.items():
            if value is None or abs(value) > MAX_SCORE_MM:
                problems[f"{at}.{key}"] = "Must be a number of millimetres."
                continue
            for box in boxes:
                size = box.width_mm if key[0] == "x" else box.height_mm
                low, high = -box.bleed_mm, size + box.bleed_mm
                if not low <= value <= high:
                    problems[f"{at}.{key}"] = (
                        f"Must lie inside the bleed box of area {box.key}: {low:g} to {high:g} mm."
                    )
                    break
        x1, y1, x2, y2 = (values[k] for k in _SCORE_KEYS)
        if f"{at}.x2_mm" not in problems and f"{at}.y2_mm" not in problems and (x1, y1) == (x2, y2):
            problems[f"{at}.x2_mm"] = "The line's end must differ from its start."
    return problems


def engraving_problems(raw: Any, path: str = "engraving") -> dict[str, str]:
    """What is wrong with an ``engraving`` value, by field path (empty: fine; None is fine)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        return {path: "Must be an object with method and threshold, or null for no engraving."}
    problems: dict[str, str] = {}
    for key in sorted(set(raw) - _ENGRAVE_KEYS):
        problems[f"{path}.{key}"] = (
            "Not an engraving setting (method, threshold, invert, outline_text)."
        )
    if raw.get("method", "threshold") not in ENGRAVE_METHODS:
        problems[f"{path}.method"] = "Choose threshold or dither."
    threshold = raw.get("threshold", 128)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= 255:
        problems[f"{path}.threshold"] = "Must be a whole number from 0 to 255."
    for key in ("invert", "outline_text"):
        if not isinstance(raw.get(key, False), bool):
            problems[f"{path}.{key}"] = "Must be true or false."
    return problems


def cut_line(raw: Any) -> CutLine | None:
    """A ``cut_line`` value as a CutLine (None: no cut); DesignError naming the first problem."""
    problems = cut_line_problems(raw, "template.cut_line")
    if problems:
        raise DesignError(*next(iter(problems.items())))
    if raw is None:
        return None
    return CutLine(
        source=raw.get("source", "artwork"),
        offset_mm=float(raw.get("offset_mm", 2)),
        shape=raw.get("shape", "rect"),
        corner_mm=float(raw.get("corner_mm", 0)),
    )


def score_lines(raw: Any, boxes: Sequence[Box] = ()) -> tuple[ScoreLine, ...]:
    """A ``score_lines`` value as ScoreLines (empty: not scored); DesignError as above."""
    problems = score_lines_problems(raw, "template.score_lines", boxes)
    if problems:
        raise DesignError(*next(iter(problems.items())))
    return tuple(ScoreLine(*(float(line[k]) for k in _SCORE_KEYS)) for line in raw or ())


def engraving(raw: Any) -> Engraving | None:
    """An ``engraving`` value as an Engraving (None: no engraving); DesignError as above."""
    problems = engraving_problems(raw, "template.engraving")
    if problems:
        raise DesignError(*next(iter(problems.items())))
    if raw is None:
        return None
    return Engraving(
        method=raw.get("method", "threshold"),
        threshold=int(raw.get("threshold", 128)),
        invert=bool(raw.get("invert", False)),
        outline_text=bool(raw.get("outline_text", True)),
    )
