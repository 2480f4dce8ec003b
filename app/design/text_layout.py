"""Where every character of a text layer goes, in area millimetres: one layout, two painters.

The raster and the PDF both draw each character at the origin (left end of its baseline) and
angle computed here, so the print PNG and the PDF agree to the glyph.

The rules (the editor follows the same ones):
- ``size_mm`` is the em (CSS ``font-size``); a line box is ``size_mm * line_spacing`` tall and the
  glyphs sit in it as CSS puts them: half the leading above the font's ascent, half below its
  descent. ``y_mm`` is the top of the first line box; ``x_mm`` is the left end, centre or right
  end of each line by ``align``.
- Advances come from the font with kerning (HarfBuzz via Raqm, pair by pair); letter spacing is
  added between characters (not after the last one).
- ``arc_degrees`` bends each line onto a circle through its middle point whose arc length is the
  line's width: > 0 arches up (a rainbow), < 0 sags (a smile).
- ``rotation_deg`` turns the whole layer clockwise about (x_mm, y_mm).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.design.document import TextLayer
from app.design.fonts import Face, advance_em
from app.design.geometry import Bounds, rotate_point


@dataclass(frozen=True)
class Glyph:
    char: str
    file: int  # index into Face.files
    x_mm: float  # the glyph origin: left end of its baseline
    y_mm: float
    angle_deg: float  # clockwise
    advance_mm: float


@dataclass(frozen=True)
class TextLayout:
    face: Face
    size_mm: float
    glyphs: tuple[Glyph, ...]
    missing: tuple[str, ...]  # characters no file of the face has (drawn as the font's box)
    bounds: Bounds | None  # em boxes of the glyphs (ascent to descent), rotated; None if empty


def layout_text(layer: TextLayer, face: Face) -> TextLayout:
    size = layer.size_mm
    line_height = size * layer.line_spacing
    half_leading = (line_height - (face.ascent + face.descent) * size) / 2
    glyphs: list[Glyph] = []
    missing: list[str] = []
    lines = split_lines(layer.text)
    for number, line in enumerate(lines):
        baseline = layer.y_mm + number * line_height + half_leading + face.ascent * size
        glyphs.extend(_line(layer, face, line, baseline, missing))
    turned = tuple(_rotate(g, layer.x_mm, layer.y_mm, layer.rotation_deg) for g in glyphs)
    bounds = _bounds(turned, face, size)
    return TextLayout(face, size, turned, tuple(dict.fromkeys(missing)), bounds)


def split_lines(text: str) -> list[str]:
    """The lines of a text as the layout reads them (any newline breaks; a tab is a space)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")


def line_widths_em(text: str, face: Face) -> list[float]:
    """Each line's advance width in ems (kerning in, letter spacing out): what auto-fit scales."""
    return [sum(a for _, _, a in _advances(face, line, 1.0, [])) for line in split_lines(text)]


def _line(
    layer: TextLayer, face: Face, line: str, baseline: float, missing: list[str]
) -> list[Glyph]:
    chars = _advances(face, line, layer.size_mm, missing)
    if not chars:
        return []
    spacing = layer.letter_spacing_mm
    width = sum(advance for _, _, advance in chars) + spacing * (len(chars) - 1)
    left = layer.x_mm - {"left": 0.0, "center": width / 2, "right": width}[layer.align]
    glyphs, x = [], left
    for char, file, advance in chars:
        glyphs.append(Glyph(char, file, x, baseline, 0.0, advance))
        x += advance + spacing
    if layer.arc_degrees and width > 0:
        middle = left + width / 2
        return [_bend(g, middle, baseline, width, layer.arc_degrees) for g in glyphs]
    return glyphs


def _advances(
    face: Face, line: str, size_mm: float, missing: list[str]
) -> list[tuple[str, int, float]]:
    """(char, file index, advance in mm) with the kerning to the next char folded in."""
    files: list[int] = []
    for char in line:
        index = face.file_index(char)
        if index is None:
            missing.append(char)
        files.append(index or 0)
    out = []
    for i, char in enumerate(line):
        path = str(face.files[files[i]].path)
        if i + 1 < len(line) and files[i + 1] == files[i]:
            nxt = line[i + 1]
            em = advance_em(path, char + nxt) - advance_em(path, nxt)
        else:
            em = advance_em(path, char)
        out.append((char, files[i], em * size_mm))
    return out


def _bend(glyph: Glyph, middle: float, baseline: float, width: float, degrees: float) -> Glyph:
    radius = width / math.radians(abs(degrees))
    offset = glyph.x_mm + glyph.advance_mm / 2 - middle  # along the straight baseline
    if degrees > 0:
        phi = offset / radius
        cx, cy = middle + radius * math.sin(phi), baseline + radius - radius * math.cos(phi)
    else:
        phi = -offset / radius
        cx, cy = middle - radius * math.sin(phi), baseline - radius + radius * math.cos(phi)
    half = glyph.advance_mm / 2
    x, y = cx - half * math.cos(phi), cy - half * math.sin(phi)
    return Glyph(glyph.char, glyph.file, x, y, math.degrees(phi), glyph.advance_mm)


def _rotate(glyph: Glyph, cx: float, cy: float, degrees: float) -> Glyph:
    if not degrees:
        return glyph
    x, y = rotate_point(glyph.x_mm, glyph.y_mm, cx, cy, degrees)
    return Glyph(glyph.char, glyph.file, x, y, glyph.angle_deg + degrees, glyph.advance_mm)


def _bounds(glyphs: tuple[Glyph, ...], face: Face, size: float) -> Bounds | None:
    points: list[tuple[float, float]] = []
    for g in glyphs:
        for dx, dy in (
            (0.0, -face.ascent),
            (1.0, -face.ascent),
            (1.0, face.descent),
            (0.0, face.descent),
        ):
            local_x, local_y = g.x_mm + dx * g.advance_mm, g.y_mm + dy * size
            points.append(rotate_point(local_x, local_y, g.x_mm, g.y_mm, g.angle_deg))
    return Bounds.around(points) if points else None
