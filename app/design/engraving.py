"""Laser-engraving files: a 1-bit TIFF of the print and a vector SVG of its text and clipart.

The template's ``engraving`` setting (``app.design.finishing.Engraving``) says how grey becomes
burn or no burn. Black is engraved, white is not (what LightBurn, RDWorks and Trotec's Ruby read
by default); ``invert`` swaps them for dark materials.

- ``engrave_tiff``: the print raster (trim + bleed at the area's DPI) flattened on white, made
  grey (luminance), then 1-bit: ``threshold`` (grey below ``threshold`` is engraved) or ``dither``
  (Floyd-Steinberg, so photos keep their tones). CCITT Group 4, resolution set.
- ``engrave_svg``: millimetres over the print's extent (viewBox as ``cut_files.cut_svg``), drawn
  bottom to top: text as glyph outlines from the same layout as the PDF (``outline_text``, via
  fontTools) or as ``<text>`` naming the font family; shapes as SVG shapes; Luneo's curated
  clipart as its vector outlines (``svg_paths.py``). Each vector is black when its colour would
  be engraved by the threshold, else white (so a light shape over a dark one still reads as no
  burn). Pictures (photos, uploaded clipart) are embedded as 1-bit PNG images at the area's
  DPI, converted with the template's method, white transparent (it hides nothing beneath).
"""

from __future__ import annotations

import base64
import io
from functools import cache
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from fontTools.pens.svgPathPen import SVGPathPen  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from PIL import Image

from app.design.clipart import is_clipart_ref, recolor
from app.design.color import flatten, hex_rgb
from app.design.document import Design, ImageLayer, Layer, ShapeLayer, TextLayer
from app.design.errors import DesignError, layer_path
from app.design.finishing import Engraving
from app.design.geometry import Frame
from app.design.images import fetch
from app.design.layers import image_pixels, text_layout
from app.design.raster import RenderInputs, render_print
from app.design.svg_paths import VectorArt, vector_art
from app.design.template import TemplateSpec
from app.design.vips import VipsError, VipsImage, to_pil

BLACK, WHITE = "#000000", "#ffffff"


def one_bit(grey: Image.Image, settings: Engraving) -> Image.Image:
    """A greyscale ("L") picture as 1-bit: black where the laser burns."""
    if settings.method == "dither":
        grey = grey.point(lambda v: 255 - v) if settings.invert else grey
        return grey.convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    burn, keep = (255, 0) if settings.invert else (0, 255)
    return grey.point(lambda v: keep if v >= settings.threshold else burn).convert(
        "1", dither=Image.Dither.NONE
    )


def _grey(image: VipsImage) -> Image.Image:
    """sRGB(A) pixels flattened on white, as luminance (Rec. 601, what Pillow's "L" uses)."""
    return to_pil(flatten(image.colourspace("srgb"))).convert("L")


def engrave_tiff(
    design: Design,
    template: TemplateSpec,
    area_key: str,
    inputs: RenderInputs,
    dpi: int | None = None,
) -> bytes:
    """The print as a 1-bit TIFF (G4) at the print DPI, converted as the template says."""
    settings = template.engraving or Engraving()
    area = template.area(area_key)
    raster = render_print(design, template, area_key, inputs, dpi)
    try:
        bitmap = one_bit(_grey(raster), settings)
    except VipsError as exc:
        raise DesignError(f"areas.{area_key}", f"could not render: {exc}") from None
    resolution = dpi or area.dpi
    out = io.BytesIO()
    bitmap.save(out, "TIFF", compression="group4", dpi=(resolution, resolution))
    return out.getvalue()


def _ink(color: str | None, settings: Engraving) -> str | None:
    """A vector's colour as the laser sees it: black (burn) or white (no burn)."""
    if color is None:
        return None
    r, g, b = hex_rgb(color)
    grey = (r * 299 + g * 587 + b * 114) / 1000
    burn = grey < settings.threshold if settings.method == "threshold" else grey < 128
    return BLACK if burn != settings.invert else WHITE


def _paint(fill: str | None, stroke: str | None, width: float, settings: Engraving) -> str:
    fill_ink, stroke_ink = _ink(fill, settings), _ink(stroke, settings)
    attributes = f' fill="{fill_ink or "none"}"'
    if stroke_ink is not None and width > 0:
        attributes += f' stroke="{stroke_ink}" stroke-width="{width:g}"'
    return attributes


def engrave_svg(
    design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs
) -> bytes:
    """Text, shapes and clipart as vectors (pictures as 1-bit images) in mm, for a laser."""
    settings = template.engraving or Engraving()
    area = template.area(area_key)
    frame = Frame.for_print(area)
    bleed = area.bleed_mm
    width, height = area.width_mm + 2 * bleed, area.height_mm + 2 * bleed
    parts = []
    for index, layer in enumerate(design.areas.get(area_key, ())):
        if not layer.hidden:
            parts.append(_layer(layer, layer_path(area_key, index), frame, inputs, settings))
    body = "\n".join(p for p in parts if p)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}mm" height="{height:g}mm" '
        f'viewBox="{-bleed:g} {-bleed:g} {width:g} {height:g}">\n{body}\n</svg>\n'
    ).encode()


def _layer(layer: Layer, path: str, frame: Frame, inputs: RenderInputs, settings: Engraving) -> str:
    if isinstance(layer, TextLayer):
        return _text(layer, path, inputs, settings)
    if isinstance(layer, ShapeLayer):
        return _shape(layer, settings)
    art = _curated_vector(layer, path, inputs)
    if art is not None:
        return _vector(art, layer, settings)
    return _picture(layer, path, frame, inputs, settings)


@cache
def _font(path: str) -> TTFont:
    return TTFont(path, lazy=True)


def _text(layer: TextLayer, path: str, inputs: RenderInputs, settings: Engraving) -> str:
    layout = text_layout(layer, inputs.registry, path)
    stroke = layer.stroke if layer.stroke_width_mm > 0 else None
    out = [f'<g class="text"{_paint(layer.color, None, 0, settings)}>']
    for glyph in layout.glyphs:
        if glyph.char.isspace():
            continue
        place = f"translate({glyph.x_mm:.4f} {glyph.y_mm:.4f}) rotate({glyph.angle_deg:.4f})"
        if not settings.outline_text:
            family = quoteattr(layout.face.family)
            out.append(
                f'<text transform="{place}" font-family={family} font-size="{layout.size_mm:g}" '
                f'font-weight="{layout.face.weight}" font-style="{layout.face.style}"'
                f"{_paint(layer.color, stroke, layer.stroke_width_mm, settings)}>"
                f"{escape(glyph.char)}</text>"
            )
            continue
        font = _font(str(layout.face.files[glyph.file].path))
        name = font.getBestCmap().get(ord(glyph.char), ".notdef")
        glyphs = font.getGlyphSet()
        pen = SVGPathPen(glyphs)
        glyphs[name].draw(pen)
        scale = layout.size_mm / font["head"].unitsPerEm
        d = pen.getCommands()
        if d:
            paint = _paint(layer.color, stroke, layer.stroke_width_mm / scale, settings)
            out.append(
                f'<path transform="{place} scale({scale:.6f} {-scale:.6f})" d="{d}"{paint}/>'
            )
    out.append("</g>")
    return "\n".join(out)


def _shape(layer: ShapeLayer, settings: Engraving) -> str:
    box = layer.box
    w, h = box.width_mm, box.height_mm
    place = f"translate({box.x_mm + w / 2:.4f} {box.y_mm + h / 2:.4f}) rotate({box.rotation_deg:g})"
    if layer.shape == "line":
        paint = _paint(None, layer.stroke or layer.fill, layer.stroke_width_mm, settings)
        ends = f'x1="{-w / 2:g}" y1="{-h / 2:g}" x2="{w / 2:g}" y2="{h / 2:g}"'
        return f'<line transform="{place}" {ends}{paint}/>'
    paint = _paint(layer.fill, layer.stroke, layer.stroke_width_mm, settings)
    if layer.shape == "ellipse":
        return f'<ellipse transform="{place}" rx="{w / 2:g}" ry="{h / 2:g}"{paint}/>'
    corner = f'x="{-w / 2:g}" y="{-h / 2:g}" width="{w:g}" height="{h:g}"'
    return f'<rect transform="{place}" {corner}{paint}/>'


def _curated_vector(layer: ImageLayer, path: str, inputs: RenderInputs) -> VectorArt | None:
    """Luneo's own clipart as outlines (as the PDF draws it), or None: a picture then."""
    if layer.kind != "clipart" or not is_clipart_ref(layer.src):
        return None
    data = fetch(inputs.assets, layer.src, f"{path}.src")
    return vector_art(recolor(data, layer.color or BLACK))


def _vector(art: VectorArt, layer: ImageLayer, settings: Engraving) -> str:
    box = layer.box
    min_x, min_y, width, height = art.viewbox
    place = (
        f"translate({box.x_mm + box.width_mm / 2:.4f} {box.y_mm + box.height_mm / 2:.4f}) "
        f"rotate({box.rotation_deg:g}) "
        f"scale({-1 if layer.flip_x else 1} {-1 if layer.flip_y else 1}) "
        f"translate({-box.width_mm / 2:.4f} {-box.height_mm / 2:.4f}) "
        f"scale({box.width_mm / width:.6f} {box.height_mm / height:.6f}) "
        f"translate({-min_x:g} {-min_y:g})"
    )
    out = [f'<g class="clipart" transform="{place}">']
    for outline in art.outlines:
        d = " ".join(kind + " ".join(f"{v:.3f}" for v in args) for kind, args in outline.ops)
        paint = _paint(outline.fill, outline.stroke, outline.stroke_width, settings)
        caps = ("butt", "round", "square")[outline.linecap]
        joins = ("miter", "round", "bevel")[outline.linejoin]
        out.append(f'<path d="{d}"{paint} stroke-linecap="{caps}" stroke-linejoin="{joins}"/>')
    out.append("</g>")
    return "\n".join(out)


def _picture(
    layer: ImageLayer, path: str, frame: Frame, inputs: RenderInputs, settings: Engraving
) -> str:
    pixels = image_pixels(layer, frame, inputs.assets, path, inputs.pictures)
    try:
        bitmap = one_bit(_grey(pixels), settings)
    except VipsError as exc:
        raise DesignError(path, f"could not render: {exc}") from None
    if not np.any(np.asarray(bitmap) == 0):
        return ""  # nothing to burn
    out = io.BytesIO()
    bitmap.save(out, "PNG", optimize=True, transparency=1)  # white: clear, not a cover
    href = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    box = layer.box
    w, h = box.width_mm, box.height_mm
    place = f"translate({box.x_mm + w / 2:.4f} {box.y_mm + h / 2:.4f}) rotate({box.rotation_deg:g})"
    return (
        f'<image transform="{place}" x="{-w / 2:g}" y="{-h / 2:g}" width="{w:g}" height="{h:g}" '
        f'preserveAspectRatio="none" href="{href}"/>'
    )
