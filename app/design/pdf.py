"""Print PDFs at the exact physical size, with TrimBox, BleedBox and crop marks.

Page layout (one page per print area):
- MediaBox = CropBox = the bleed box plus a ``SLUG_MM`` margin on every side, holding the crop
  marks; BleedBox = trim + bleed; TrimBox = the product's finished size. Sizes are exactly
  mm x 72 / 25.4 points.
- Crop marks are 0.25 pt hairlines in registration colour, ``MARK_LENGTH_MM`` long, on the trim
  lines, starting ``MARK_GAP_MM`` outside the bleed so they never print into the artwork.

Both PDFs are drawn by one code path and are vector where they can be: text is real text in the
embedded (subset) TrueType fonts, placed glyph by glyph from the same layout as the raster;
shapes are vector paths; pictures are embedded at the print DPI; Luneo's curated clipart is drawn
as vector outlines (``svg_paths.py``: recoloured, flipped, at any size), other clipart embedded
like a picture. What differs is the ``Paint``: ``RgbPaint`` writes sRGB colours and pictures,
``CmykPaint`` converts every colour and picture to DeviceCMYK through the output condition's ICC
profile (``color.py``: relative colorimetric with black point compensation) and marks in
registration colour; ``pdfx.py`` then makes the CMYK file PDF/X-4 (output intent, XMP, version)
and gives every font subset its own tag. A template with a cut line gets it on a CutContour
layer in both (``cut_files.py``). Pictures (the Paint's pixels, lazy libvips pipelines) never
pass through Pillow: ``pdf_images.py`` deflates them as libvips computes them and splices the
compressed streams into the finished file as it is written.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.design.clipart import is_clipart_ref, recolor
from app.design.color import OutputCondition, hex_rgb, ink, output_condition, to_cmyk
from app.design.cut_files import with_cut_contour
from app.design.document import Design, ImageLayer, Layer, ShapeLayer, TextLayer
from app.design.errors import DesignError, layer_path
from app.design.fonts import Face
from app.design.geometry import MM_PER_POINT, Frame
from app.design.images import fetch
from app.design.layers import Tile, image_pixels, text_layout, text_shadow_tile
from app.design.pdf_images import draw_pixels, spliced, write_pieces
from app.design.pdfx import finish_pdf
from app.design.raster import RenderInputs
from app.design.svg_paths import VectorArt, vector_art
from app.design.template import AreaSpec, TemplateSpec
from app.design.text_layout import TextLayout
from app.design.vips import VipsError, VipsImage

SLUG_MM = 8.0
FILL_NON_ZERO = 1  # reportlab's FILL_NON_ZERO (missing from its stubs): SVG's default rule
MARK_GAP_MM = 2.0
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25
rl_config.useA85 = 0  # binary streams: ASCII85 only makes print files 25 % bigger


def pt(mm: float) -> float:
    return mm / MM_PER_POINT


@dataclass(frozen=True)
class PageBoxes:
    """The page geometry in points, PDF-style (origin bottom-left): (x0, y0, x1, y1)."""

    media: tuple[float, float, float, float]
    bleed: tuple[float, float, float, float]
    trim: tuple[float, float, float, float]

    @classmethod
    def for_area(cls, area: AreaSpec, slug_mm: float = SLUG_MM) -> PageBoxes:
        """``slug_mm``: the margin for crop marks around the bleed (0: the page is the bleed)."""
        outer = slug_mm + area.bleed_mm
        width = area.width_mm + 2 * outer
        height = area.height_mm + 2 * outer
        media = (0.0, 0.0, pt(width), pt(height))
        bleed = (pt(slug_mm), pt(slug_mm), pt(width - slug_mm), pt(height - slug_mm))
        trim = (pt(outer), pt(outer), pt(width - outer), pt(height - outer))
        return cls(media, bleed, trim)


class Paint(Protocol):
    """How colours and pictures reach the page: the one difference between the RGB and the
    CMYK PDF."""

    @property
    def intent(self) -> OutputCondition | None:
        """The PDF/X output intent, or None for a plain sRGB PDF."""

    def fill(self, canvas: Canvas, color: str) -> None: ...
    def stroke(self, canvas: Canvas, color: str) -> None: ...
    def registration(self, canvas: Canvas) -> None: ...
    def picture(self, image: VipsImage) -> VipsImage:
        """The pixels to embed (alpha, if any, last: the soft mask); lazy, as ``image``."""


@dataclass(frozen=True)
class RgbPaint:
    intent: OutputCondition | None = None

    def fill(self, canvas: Canvas, color: str) -> None:
        canvas.setFillColorRGB(*_unit(color))

    def stroke(self, canvas: Canvas, color: str) -> None:
        canvas.setStrokeColorRGB(*_unit(color))

    def registration(self, canvas: Canvas) -> None:
        canvas.setStrokeColorRGB(0, 0, 0)

    def picture(self, image: VipsImage) -> VipsImage:
        return image


@dataclass(frozen=True)
class CmykPaint:
    """DeviceCMYK through ``intent``'s profile: the colours a press with that condition prints."""

    intent: OutputCondition

    def fill(self, canvas: Canvas, color: str) -> None:
        canvas.setFillColorCMYK(*ink(color, self.intent.icc))

    def stroke(self, canvas: Canvas, color: str) -> None:
        canvas.setStrokeColorCMYK(*ink(color, self.intent.icc))

    def registration(self, canvas: Canvas) -> None:
        canvas.setStrokeColorCMYK(1, 1, 1, 1)  # registration: on every plate

    def picture(self, image: VipsImage) -> VipsImage:
        return to_cmyk(image, self.intent.icc, keep_alpha=image.bands in (2, 4))


def print_pdf(
    design: Design,
    template: TemplateSpec,
    area_key: str,
    inputs: RenderInputs,
    dpi: int | None = None,
    *,
    marks: bool = True,
    into: Path | None = None,
) -> bytes:
    """The sRGB print PDF; ``marks``: crop marks on a slug around the bleed; with ``into``,
    written to that file as it is assembled (pictures' compressed streams never joined in
    memory) and b"" returned."""
    return _print(design, template, area_key, inputs, dpi, RgbPaint(), marks, into)


def print_cmyk_pdf(
    design: Design,
    template: TemplateSpec,
    area_key: str,
    inputs: RenderInputs,
    dpi: int | None = None,
    profile: bytes | None = None,
    *,
    marks: bool = True,
    into: Path | None = None,
) -> bytes:
    """The PDF/X-4 print file: DeviceCMYK for ``profile`` (ICC bytes; None: FOGRA39), which
    is also its output intent; ``marks`` and ``into`` as ``print_pdf``."""
    paint = CmykPaint(output_condition(profile))
    return _print(design, template, area_key, inputs, dpi, paint, marks, into)


def _print(
    design: Design,
    template: TemplateSpec,
    area_key: str,
    inputs: RenderInputs,
    dpi: int | None,
    paint: Paint,
    marks: bool = True,
    into: Path | None = None,
) -> bytes:
    area = template.area(area_key)
    boxes = PageBoxes.for_area(area, SLUG_MM if marks else 0.0)
    out = io.BytesIO()
    canvas = _page(out, boxes, area_key, inputs)
    canvas.saveState()
    _clip_to_bleed(canvas, boxes)
    _area_space(canvas, boxes)
    if area.background:
        _paint_background(canvas, area, paint)
    frame = Frame.for_print(area, dpi)
    for index, layer in enumerate(design.areas.get(area_key, ())):
        if not layer.hidden:  # kept for the shopper, never printed
            _draw_layer(canvas, layer, layer_path(area_key, index), frame, inputs, paint)
    canvas.restoreState()
    if marks:
        _crop_marks(canvas, boxes, paint)
    cut = design, template, area_key, inputs
    return _finish(canvas, out, paint, lambda pdf: with_cut_contour(pdf, *cut), into)


def _page(out: io.BytesIO, boxes: PageBoxes, area_key: str, inputs: RenderInputs) -> Canvas:
    # An embedded font as the initial one: reportlab would otherwise reference a non-embedded
    # Helvetica, which print preflight (PDF/X) rejects even when no text uses it.
    registry = inputs.registry
    initial = _pdf_font(str(registry.face(registry.families[0]).files[0].path))
    options: dict[str, Any] = {"initialFontName": initial}  # (the stubs mistype this one)
    canvas = Canvas(out, pagesize=boxes.media[2:], pageCompression=1, invariant=1, **options)
    canvas.setTitle(f"Luneo print file: {area_key}")
    canvas.setCreator("Luneo")
    canvas.setTrimBox(boxes.trim)
    canvas.setBleedBox(boxes.bleed)
    canvas.setCropBox(boxes.media)
    return canvas


def _finish(
    canvas: Canvas,
    out: io.BytesIO,
    paint: Paint,
    add: Callable[[bytes], bytes],
    into: Path | None = None,
) -> bytes:
    """The page saved; ``add`` puts what reportlab cannot draw (the cut layer) on it before
    ``finish_pdf`` makes the file what it must be (tags, PDF/X-4). Both rewrite the file with
    pictures' streams still placeholders (a few KB); the compressed streams are spliced in as
    it is written (``pdf_images.spliced``): into the file ``into`` (b"" returned), or joined."""
    canvas.showPage()
    canvas.save()
    pieces = spliced(canvas, finish_pdf(add(out.getvalue()), paint.intent))
    if into is None:
        return b"".join(pieces)
    write_pieces(pieces, into)
    return b""


def _clip_to_bleed(canvas: Canvas, boxes: PageBoxes) -> None:
    x0, y0, x1, y1 = boxes.bleed
    path = canvas.beginPath()
    path.rect(x0, y0, x1 - x0, y1 - y0)
    canvas.clipPath(path, stroke=0, fill=0)


def _area_space(canvas: Canvas, boxes: PageBoxes) -> None:
    """From here on, user space is area millimetres: origin at the trim's top-left, y down."""
    x0, _, _, y1 = boxes.trim
    canvas.translate(x0, y1)
    canvas.scale(1 / MM_PER_POINT, -1 / MM_PER_POINT)


def _paint_background(canvas: Canvas, area: AreaSpec, paint: Paint) -> None:
    assert area.background is not None
    paint.fill(canvas, area.background)
    bleed = area.bleed_mm
    canvas.rect(-bleed, -bleed, area.width_mm + 2 * bleed, area.height_mm + 2 * bleed, 0, 1)


def _draw_layer(
    canvas: Canvas, layer: Layer, path: str, frame: Frame, inputs: RenderInputs, paint: Paint
) -> None:
    canvas.saveState()
    if isinstance(layer, TextLayer):
        _draw_text(canvas, layer, path, frame, inputs, paint)
    elif isinstance(layer, ShapeLayer):
        _draw_shape(canvas, layer, paint)
    elif isinstance(layer, ImageLayer):
        _draw_image(canvas, layer, path, frame, inputs, paint)
    canvas.restoreState()


def _draw_text(
    canvas: Canvas, layer: TextLayer, path: str, frame: Frame, inputs: RenderInputs, paint: Paint
) -> None:
    """Shadow (an image at the print DPI: PDF has no blur), then every glyph's outline (live
    text, stroked, round joins), then every glyph's fill: the raster's order."""
    layout = text_layout(layer, inputs.registry, path)
    canvas.setFillAlpha(layer.opacity)
    canvas.setStrokeAlpha(layer.opacity)
    shadow = text_shadow_tile(layout, layer, frame, inputs.deadline)
    if shadow is not None:
        _draw_tile(canvas, shadow, frame, paint)
    if layer.stroke is not None and layer.stroke_width_mm > 0:
        paint.stroke(canvas, layer.stroke)
        canvas.setLineWidth(layer.stroke_width_mm)
        canvas.setLineJoin(1)
        _glyphs(canvas, layout, mode=1)
    paint.fill(canvas, layer.color)
    _glyphs(canvas, layout, mode=0)


def _glyphs(canvas: Canvas, layout: TextLayout, mode: Literal[0, 1]) -> None:
    """Each glyph as live text at its layout place: mode 0 fills, 1 strokes."""
    for glyph in layout.glyphs:
        if glyph.char.isspace():
            continue
        canvas.saveState()
        canvas.translate(glyph.x_mm, glyph.y_mm)
        canvas.rotate(glyph.angle_deg)  # y points down here, so this turns clockwise on paper
        canvas.scale(1, -1)
        canvas.setFont(_pdf_font(str(layout.face.files[glyph.file].path)), layout.size_mm)
        canvas.drawString(0, 0, glyph.char, mode=mode)
        canvas.restoreState()


def _draw_tile(canvas: Canvas, tile: Tile, frame: Frame, paint: Paint) -> None:
    """A raster tile of ``frame`` (straight alpha) at its place, in area millimetres."""
    x_mm = tile.x / frame.px_per_mm - frame.origin_mm
    y_mm = tile.y / frame.px_per_mm - frame.origin_mm
    w_mm, h_mm = tile.image.width / frame.px_per_mm, tile.image.height / frame.px_per_mm
    canvas.saveState()
    canvas.translate(x_mm, y_mm)
    canvas.scale(1, -1)
    _draw_picture(canvas, paint, tile.image, (0, -h_mm, w_mm, h_mm))
    canvas.restoreState()


def _draw_picture(
    canvas: Canvas,
    paint: Paint,
    image: VipsImage,
    box: tuple[float, float, float, float],
    path: str = "",
) -> None:
    """``image`` through the paint over ``box`` (x, y, width, height in user space), its pixels
    computed and deflated as they are written (``pdf_images.draw_pixels``)."""
    try:
        draw_pixels(canvas, paint.picture(image), *box)
    except VipsError as exc:
        message = f"could not render a picture: {str(exc).splitlines()[0]}"
        raise DesignError(path, message) from None


def _draw_shape(canvas: Canvas, layer: ShapeLayer, paint: Paint) -> None:
    box = layer.box
    canvas.translate(box.x_mm + box.width_mm / 2, box.y_mm + box.height_mm / 2)
    canvas.rotate(box.rotation_deg)
    canvas.setFillAlpha(layer.opacity)
    canvas.setStrokeAlpha(layer.opacity)
    fill = layer.fill is not None and layer.shape != "line"
    stroke_color = layer.stroke or (layer.fill if layer.shape == "line" else None)
    stroke = stroke_color is not None and layer.stroke_width_mm > 0
    if fill and layer.fill:
        paint.fill(canvas, layer.fill)
    if stroke and stroke_color:
        paint.stroke(canvas, stroke_color)
        canvas.setLineWidth(layer.stroke_width_mm)
    w, h = box.width_mm, box.height_mm
    if layer.shape == "rect":
        canvas.rect(-w / 2, -h / 2, w, h, stroke=int(stroke), fill=int(fill))
    elif layer.shape == "ellipse":
        canvas.ellipse(-w / 2, -h / 2, w / 2, h / 2, stroke=int(stroke), fill=int(fill))
    elif stroke:
        canvas.line(-w / 2, -h / 2, w / 2, h / 2)


def _draw_image(
    canvas: Canvas, layer: ImageLayer, path: str, frame: Frame, inputs: RenderInputs, paint: Paint
) -> None:
    art = _curated_vector(layer, path, inputs)
    if art is not None:
        _draw_vector(canvas, art, layer, paint)
        return
    pixels: VipsImage = image_pixels(layer, frame, inputs.assets, path, inputs.pictures)
    box = layer.box
    canvas.translate(box.x_mm + box.width_mm / 2, box.y_mm + box.height_mm / 2)
    canvas.rotate(box.rotation_deg)
    canvas.scale(1, -1)
    canvas.setFillAlpha(layer.opacity)
    w, h = box.width_mm, box.height_mm
    _draw_picture(canvas, paint, pixels, (-w / 2, -h / 2, w, h), path)


def _curated_vector(layer: ImageLayer, path: str, inputs: RenderInputs) -> VectorArt | None:
    """Luneo's own clipart as outlines (in its colour), or None: drawn as a picture then."""
    if layer.kind != "clipart" or not is_clipart_ref(layer.src):
        return None
    data = fetch(inputs.assets, layer.src, f"{path}.src")
    return vector_art(recolor(data, layer.color or "#000000"))  # currentColor: black by default


def _draw_vector(canvas: Canvas, art: VectorArt, layer: ImageLayer, paint: Paint) -> None:
    """The outlines stretched over the box as the raster stretches the drawing, flipped and
    turned about the box's centre."""
    box = layer.box
    canvas.translate(box.x_mm + box.width_mm / 2, box.y_mm + box.height_mm / 2)
    canvas.rotate(box.rotation_deg)
    canvas.scale(-1 if layer.flip_x else 1, -1 if layer.flip_y else 1)
    min_x, min_y, width, height = art.viewbox
    canvas.translate(-box.width_mm / 2, -box.height_mm / 2)
    canvas.scale(box.width_mm / width, box.height_mm / height)
    canvas.translate(-min_x, -min_y)
    canvas.setFillAlpha(layer.opacity)
    canvas.setStrokeAlpha(layer.opacity)
    for outline in art.outlines:
        shape = canvas.beginPath()
        for kind, args in outline.ops:
            if kind == "M":
                shape.moveTo(*args)
            elif kind == "L":
                shape.lineTo(*args)
            elif kind == "C":
                shape.curveTo(*args)
            else:
                shape.close()
        if outline.fill:
            paint.fill(canvas, outline.fill)
        if outline.stroke:
            paint.stroke(canvas, outline.stroke)
            canvas.setLineWidth(outline.stroke_width)
            canvas.setLineCap(outline.linecap)
            canvas.setLineJoin(outline.linejoin)
        stroke, fill = int(outline.stroke is not None), int(outline.fill is not None)
        canvas.drawPath(shape, stroke=stroke, fill=fill, fillMode=FILL_NON_ZERO)


def _crop_marks(canvas: Canvas, boxes: PageBoxes, paint: Paint) -> None:
    paint.registration(canvas)
    canvas.setLineWidth(MARK_WIDTH_PT)
    tx0, ty0, tx1, ty1 = boxes.trim
    bx0, by0, bx1, by1 = boxes.bleed
    gap, length = pt(MARK_GAP_MM), pt(MARK_LENGTH_MM)
    for x in (tx0, tx1):
        canvas.line(x, by0 - gap, x, by0 - gap - length)
        canvas.line(x, by1 + gap, x, by1 + gap + length)
    for y in (ty0, ty1):
        canvas.line(bx0 - gap, y, bx0 - gap - length, y)
        canvas.line(bx1 + gap, y, bx1 + gap + length, y)


def _unit(color: str) -> tuple[float, float, float]:
    r, g, b = hex_rgb(color)
    return r / 255, g / 255, b / 255


@cache
def _pdf_font(path: str) -> str:
    """Register a TTF with reportlab once; it embeds the subset of glyphs a PDF uses.

    Every unicode-range file of a family carries the same PostScript name (Inter-Regular), and
    reportlab registers one font per PostScript name: a Cyrillic, Greek, Vietnamese or
    latin-ext file would silently be drawn with the Latin file, as .notdef boxes. So each file
    but the Latin one gets its own name (stable: from the file's name).
    """
    name = "L" + hashlib.sha256(path.encode()).hexdigest()[:12]
    font = TTFont(name, path)
    stem = Path(path).stem  # <package>-<subset>-<weight>-<style>
    if not stem.rsplit("-", 2)[0].endswith("-latin"):
        suffix = hashlib.sha256(stem.encode()).hexdigest()[:6].upper()
        font.face.name = font.face.name + b"-" + suffix.encode()
    pdfmetrics.registerFont(font)
    return name


def face_font(face: Face) -> str:
    """The reportlab name of a face's first (Latin) file, registered for embedding."""
    return _pdf_font(str(face.files[0].path))


def draw_face_text(canvas: Canvas, face: Face, size: float, x: float, y: float, text: str) -> None:
    """A line of plain text in a registry face, embedded: each run of characters is drawn from
    the unicode-range file that has them ("Łukasz" needs the latin-ext file), a character no
    file has from the first file (a .notdef box, not a silent substitution)."""
    runs: list[tuple[int, str]] = []
    for char in text:
        index = face.file_index(char) or 0
        if runs and runs[-1][0] == index:
            runs[-1] = (index, runs[-1][1] + char)
        else:
            runs.append((index, char))
    writer = canvas.beginText(x, y)
    for index, run in runs:
        writer.setFont(_pdf_font(str(face.files[index].path)), size)
        writer.textOut(run)
    canvas.drawText(writer)
