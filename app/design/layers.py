"""Each layer as a raster tile (straight-alpha sRGBA) and where it goes on a Frame's canvas.

Text is drawn glyph by glyph with Pillow/FreeType from the shared layout; shapes are SVG drawn
by librsvg (anti-aliased, exact strokes); pictures are decoded, cropped and resampled by libvips.
Axis-aligned boxes snap their edges to the nearest pixel edge (``Frame.snap``), so a rectangle at
x mm lands on exactly the columns a partner would compute; rotated layers keep sub-pixel places.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from PIL import Image, ImageDraw

from app.design.adjust import adjusted
from app.design.clipart import recolor
from app.design.color import hex_rgb, hex_rgba
from app.design.document import Box, Clip, ImageLayer, ShapeLayer, TextLayer
from app.design.errors import DesignError, check_deadline
from app.design.fonts import FontRegistry, UnknownFont
from app.design.geometry import Bounds, Frame, box_corners, is_axis_aligned
from app.design.images import AssetSource, Source, fetch, open_source, orientation, placed_crop
from app.design.text_layout import Glyph, TextLayout, layout_text
from app.design.vips import (
    SETTLE_MAX_PIXELS,
    VipsError,
    VipsImage,
    blank,
    from_pil,
    load_buffer,
    resize_exact,
    rotate,
    settled,
    svg_buffer,
    with_opacity,
)

# Very large layers (a poster-size image at a high DPI) are still fine: the cap only stops a
# tile from being allocated for something that cannot be on the canvas at all.
MAX_TILE_PIXELS = 400_000_000


@dataclass(frozen=True)
class Tile:
    image: VipsImage
    x: int
    y: int


def text_layout(layer: TextLayer, fonts: FontRegistry, path: str) -> TextLayout:
    try:
        face = fonts.face(layer.font, layer.weight, layer.style)
    except UnknownFont:
        known = ", ".join(fonts.families)
        raise DesignError(f"{path}.font", f"unknown font {layer.font!r} (fonts: {known})") from None
    return layout_text(layer, face)


# ---------------------------------------------------------------- text


def text_tile(
    layout: TextLayout, layer: TextLayer, frame: Frame, deadline: float | None = None
) -> Tile | None:
    """The layer's glyphs (shadow, outline, fill); RenderTimedOut past ``deadline`` (checked
    per glyph).

    Only glyphs that reach the canvas are drawn: a long line running off the area costs a
    bounding box per glyph, not a bitmap (nor a rotation, on a curve).
    """
    ink = _Ink.of(layer, frame)
    placed = _placed(layout, frame, deadline)
    if not placed or layer.opacity <= 0:
        return None
    letters = _union([box for _, box in placed]).grow(ink.outline)
    reach = letters.union(ink.shadow_bounds(letters)) if layer.shadow else letters
    clip = _clip(reach, frame)
    if clip is None:
        return None
    left, top = clip[0], clip[1]
    fill = _mask(layout, placed, frame, clip, deadline)
    paints: list[VipsImage] = []
    if layer.shadow is not None:
        paints.append(_shadow_paint(layout, layer, placed, frame, clip, ink, deadline))
    if ink.outline and layer.stroke is not None:
        outline = _mask(layout, placed, frame, clip, deadline, stroke=ink.outline)
        paints.append(_paint(outline, layer.stroke))
    paints.append(_paint(fill, layer.color))
    tile = paints[0] if len(paints) == 1 else paints[0].composite(paints[1:], "over")
    if layer.opacity < 1:
        tile = tile * [1, 1, 1, layer.opacity]
    return Tile(tile.cast("uchar").copy(interpretation="srgb"), left, top)


def text_shadow_tile(
    layout: TextLayout, layer: TextLayer, frame: Frame, deadline: float | None = None
) -> Tile | None:
    """The layer's shadow alone (the PDF puts it under its live text), as ``text_tile`` draws it."""
    if layer.shadow is None or layer.opacity <= 0:
        return None
    ink = _Ink.of(layer, frame)
    placed = _placed(layout, frame, deadline)
    if not placed:
        return None
    letters = _union([box for _, box in placed]).grow(ink.outline)
    clip = _clip(ink.shadow_bounds(letters), frame)
    if clip is None:
        return None
    paint = _shadow_paint(layout, layer, placed, frame, clip, ink, deadline)
    return Tile(paint.cast("uchar").copy(interpretation="srgb"), clip[0], clip[1])


@dataclass(frozen=True)
class _Ink:
    """A text's outline and shadow in pixels of one frame."""

    outline: float  # how far the outline reaches outside the letters (half its width)
    dx: float
    dy: float
    sigma: float  # the shadow's Gaussian

    @classmethod
    def of(cls, layer: TextLayer, frame: Frame) -> _Ink:
        shadow = layer.shadow
        outline = frame.length(layer.outline_mm) / 2
        if shadow is None:
            return cls(outline, 0.0, 0.0, 0.0)
        return cls(
            outline,
            frame.length(shadow.offset_x_mm),
            frame.length(shadow.offset_y_mm),
            frame.length(shadow.blur_mm) / 2,
        )

    def shadow_bounds(self, letters: Bounds) -> Bounds:
        moved = Bounds(
            letters.left + self.dx,
            letters.top + self.dy,
            letters.right + self.dx,
            letters.bottom + self.dy,
        )
        return moved.grow(3 * self.sigma + 1)


def _placed(layout: TextLayout, frame: Frame, deadline: float | None) -> list[tuple[Glyph, Bounds]]:
    size_px = frame.length(layout.size_mm)
    placed: list[tuple[Glyph, Bounds]] = []
    for g in layout.glyphs:
        check_deadline(deadline)
        if not g.char.isspace() and (box := _glyph_box(layout, g, frame, size_px)) is not None:
            placed.append((g, box))
    return placed


def _union(boxes: list[Bounds]) -> Bounds:
    area = boxes[0]
    for box in boxes[1:]:
        area = area.union(box)
    return area


def _mask(
    layout: TextLayout,
    placed: list[tuple[Glyph, Bounds]],
    frame: Frame,
    clip: tuple[int, int, int, int],
    deadline: float | None,
    stroke: float = 0.0,
    shift: tuple[float, float] = (0.0, 0.0),
    blur: float = 0.0,
) -> Image.Image:
    """Coverage of the glyphs (grown by ``stroke`` px, moved by ``shift`` px) on the clip; a
    glyph within ``blur`` px of it is drawn too (its blurred shadow reaches in)."""
    left, top, right, bottom = clip
    size_px = frame.length(layout.size_mm)
    mask = Image.new("L", (right - left, bottom - top), 0)
    spill = 2 + stroke + blur  # anti-aliasing, rotation, the outline and the blur
    for glyph, box in placed:
        check_deadline(deadline)
        moved = Bounds(
            box.left + shift[0], box.top + shift[1], box.right + shift[0], box.bottom + shift[1]
        )
        if _reaches(moved.grow(spill), clip):
            origin = (left - shift[0], top - shift[1])
            _draw_glyph(mask, layout, glyph, frame, size_px, origin, stroke)
    return mask


def _shadow_paint(
    layout: TextLayout,
    layer: TextLayer,
    placed: list[tuple[Glyph, Bounds]],
    frame: Frame,
    clip: tuple[int, int, int, int],
    ink: _Ink,
    deadline: float | None,
) -> VipsImage:
    """The silhouette (letters and outline) moved, blurred and coloured as the shadow."""
    shadow = layer.shadow
    assert shadow is not None
    shift, blur = (ink.dx, ink.dy), 3 * ink.sigma
    silhouette = _mask(layout, placed, frame, clip, deadline, ink.outline, shift, blur)
    alpha = from_pil(silhouette)
    if ink.sigma >= 0.2:
        alpha = alpha.gaussblur(ink.sigma, min_ampl=0.005).cast("uchar")
    return _paint(alpha, shadow.color, shadow.opacity)


def _paint(mask: Image.Image | VipsImage, color: str, opacity: float = 1.0) -> VipsImage:
    alpha = from_pil(mask) if isinstance(mask, Image.Image) else mask
    rgb = alpha.new_from_image(list(hex_rgb(color)))
    paint = rgb.bandjoin(alpha * opacity if opacity < 1 else alpha)
    return paint.cast("uchar").copy(interpretation="srgb")


def _reaches(box: Bounds, clip: tuple[int, int, int, int]) -> bool:
    left, top, right, bottom = clip
    return box.right > left and box.left < right and box.bottom > top and box.top < bottom


def _glyph_box(layout: TextLayout, g: Glyph, frame: Frame, size_px: float) -> Bounds | None:
    left, top, right, bottom = layout.face.pil(g.file, size_px).getbbox(g.char, anchor="ls")
    if right <= left or bottom <= top:
        return None
    ox, oy = frame.px(g.x_mm), frame.px(g.y_mm)
    corners = [(left, top), (right, top), (right, bottom), (left, bottom)]
    rad = math.radians(g.angle_deg)
    cos, sin = math.cos(rad), math.sin(rad)
    return Bounds.around((ox + x * cos - y * sin, oy + x * sin + y * cos) for x, y in corners)


def _draw_glyph(
    mask: Image.Image,
    layout: TextLayout,
    g: Glyph,
    frame: Frame,
    size_px: float,
    offset: tuple[float, float],
    stroke: float = 0.0,
) -> None:
    """One glyph's coverage onto ``mask``; ``stroke`` > 0 grows it by that many pixels (the
    outline's outer half, FreeType's stroker with round joins, as canvas and PDF strokes)."""
    font = layout.face.pil(g.file, size_px)
    ox, oy = frame.px(g.x_mm) - offset[0], frame.px(g.y_mm) - offset[1]
    ink = {"fill": 255, "anchor": "ls", "stroke_width": stroke, "stroke_fill": 255}
    if math.isclose(g.angle_deg % 360, 0, abs_tol=1e-6):
        ImageDraw.Draw(mask).text((ox, oy), g.char, font=font, **ink)  # type: ignore[arg-type]
        return
    left, top, right, bottom = font.getbbox(g.char, anchor="ls")
    reach = math.ceil(max(math.hypot(x, y) for x in (left, right) for y in (top, bottom)))
    reach += 2 + math.ceil(stroke)
    ix, iy = math.floor(ox), math.floor(oy)
    fx, fy = ox - ix, oy - iy
    glyph = Image.new("L", (2 * reach + 1, 2 * reach + 1), 0)
    ImageDraw.Draw(glyph).text((reach + fx, reach + fy), g.char, font=font, **ink)  # type: ignore[arg-type]
    glyph = glyph.rotate(
        -g.angle_deg, resample=Image.Resampling.BICUBIC, center=(reach + fx, reach + fy)
    )
    mask.paste(255, (ix - reach, iy - reach), glyph)


# ---------------------------------------------------------------- shapes


def shape_tile(layer: ShapeLayer, frame: Frame) -> Tile | None:
    box, straight = layer.box, is_axis_aligned(layer.box.rotation_deg)
    stroked = layer.stroke is not None or layer.shape == "line"
    stroke = frame.length(layer.stroke_width_mm) if stroked else 0.0
    if layer.opacity <= 0 or (layer.fill is None and not stroke):
        return None
    if straight and layer.shape == "rect" and not stroke and layer.fill:
        return _solid_rect(layer, frame)
    bounds = Bounds.around((frame.px(x), frame.px(y)) for x, y in box_corners(box))
    clip = _clip(bounds.grow(stroke / 2 + 2), frame)
    if clip is None:
        return None
    left, top, right, bottom = clip
    width, height = right - left, bottom - top
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="{left} {top} {width} {height}"><g opacity="{layer.opacity:.4f}" '
        f"{_rotation(box, frame)}>{_shape_svg(layer, frame, straight)}</g></svg>"
    )
    return Tile(svg_buffer(svg.encode()).copy(interpretation="srgb"), left, top)


def _solid_rect(layer: ShapeLayer, frame: Frame) -> Tile | None:
    box = layer.box
    x0, x1 = frame.snap(box.x_mm), frame.snap(box.x_mm + box.width_mm)
    y0, y1 = frame.snap(box.y_mm), frame.snap(box.y_mm + box.height_mm)
    clip = _clip(Bounds(x0, y0, x1, y1), frame)
    if clip is None or layer.fill is None:
        return None
    left, top, right, bottom = clip
    return Tile(blank(right - left, bottom - top, hex_rgba(layer.fill, layer.opacity)), left, top)


def _rotation(box: Box, frame: Frame) -> str:
    if is_axis_aligned(box.rotation_deg):
        return ""
    cx, cy = frame.px(box.x_mm + box.width_mm / 2), frame.px(box.y_mm + box.height_mm / 2)
    return f'transform="rotate({box.rotation_deg:.6f} {cx:.4f} {cy:.4f})"'


def _shape_svg(layer: ShapeLayer, frame: Frame, straight: bool) -> str:
    box = layer.box
    place = frame.snap if straight else frame.px
    x0, x1 = place(box.x_mm), place(box.x_mm + box.width_mm)
    y0, y1 = place(box.y_mm), place(box.y_mm + box.height_mm)
    paint = (
        f"fill={quoteattr(layer.fill or 'none')} stroke={quoteattr(layer.stroke or 'none')} "
        f'stroke-width="{frame.length(layer.stroke_width_mm):.4f}"'
    )
    if layer.shape == "rect":
        return f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" {paint}/>'
    if layer.shape == "ellipse":
        return (
            f'<ellipse cx="{(x0 + x1) / 2}" cy="{(y0 + y1) / 2}" rx="{(x1 - x0) / 2}" '
            f'ry="{(y1 - y0) / 2}" {paint}/>'
        )
    stroke = quoteattr(layer.stroke or layer.fill or "#000000")
    width = frame.length(layer.stroke_width_mm)
    ends = f'x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}"'
    return f'<line {ends} stroke={stroke} stroke-width="{width:.4f}"/>'


# ---------------------------------------------------------------- images and clipart


class PixelCache:
    """Placed pictures kept between renders (an editor re-rendering previews of one design).

    Keyed by the picture's bytes and everything that shapes its pixels; only small (preview
    size) results are kept, so print renders never hold extra copies.
    """

    def __init__(self, entries: int = 32, max_pixels: int = 4_000_000) -> None:
        self._items: OrderedDict[tuple[object, ...], VipsImage] = OrderedDict()
        self._entries, self._max_pixels = entries, max_pixels

    @property
    def max_pixels(self) -> int:
        return self._max_pixels

    def get(self, key: tuple[object, ...]) -> VipsImage | None:
        if key in self._items:
            self._items.move_to_end(key)
        return self._items.get(key)

    def put(self, key: tuple[object, ...], pixels: VipsImage) -> None:
        if pixels.width * pixels.height <= self._max_pixels:
            self._items[key] = pixels
            while len(self._items) > self._entries:
                self._items.popitem(last=False)


def image_pixels(
    layer: ImageLayer,
    frame: Frame,
    assets: AssetSource,
    path: str,
    cache: PixelCache | None = None,
) -> VipsImage:
    """The layer's picture, cropped and resampled to its placed size, unrotated: in memory
    when small (``settled``), a lazy pipeline at print size (computed as the file is written)."""
    data = fetch(assets, layer.src, f"{path}.src")
    if layer.kind == "clipart" and layer.color:
        data = recolor(data, layer.color)
    width, height = _placed_size(layer.box, frame)
    digest = hashlib.blake2b(data, digest_size=16).digest()
    edits = (layer.turn, layer.flip_x, layer.flip_y, layer.filters)
    key = (digest, layer.kind, layer.crop, layer.clip, width, height, edits)
    cached = cache.get(key) if cache is not None else None
    if cached is not None:
        return cached
    # A quarter-turned picture is decoded to the box's swapped sides, then turned into it.
    decoded = (height, width) if layer.quarter_turned else (width, height)
    keep = max(SETTLE_MAX_PIXELS, cache.max_pixels) if cache is not None else SETTLE_MAX_PIXELS
    pixels = settled(adjusted(_decode(layer, data, *decoded, path), layer), keep)
    if layer.clip is not None and layer.clip.shape != "rect":
        pixels = _clipped(pixels, clip_alpha(layer.clip, width, height, assets, path))
    if cache is not None:
        cache.put(key, pixels)
    return pixels


def _decode(layer: ImageLayer, data: bytes, width: int, height: int, path: str) -> VipsImage:
    source = open_source(data, f"{path}.src", allow_svg=layer.kind == "clipart")
    if width * height > MAX_TILE_PIXELS:
        raise DesignError(path, "the placed picture is too large to render")
    try:
        if source.svg is not None:
            pixels = _svg_pixels(source, width, height)
        else:
            crop = placed_crop(source, layer, path)
            pixels = _raster_pixels(source, data, crop, width, height, _top_down(layer))
        return settled(pixels)
    except VipsError:
        raise DesignError(f"{path}.src", "the image file is damaged or truncated") from None


# A "rounded" frame's corner radius, as a share of the box's shorter side (the widget agrees).
ROUNDED_RADIUS = 0.15


def clip_alpha(clip: Clip, width: int, height: int, assets: AssetSource, path: str) -> VipsImage:
    """The frame's coverage (one uchar band, 255 = shown) at the placed size.

    An ellipse or a rounded rectangle is drawn by librsvg (anti-aliased); a mask is the alpha of
    its picture (clipart or an uploaded PNG/SVG) stretched over the box, as clipart is placed.
    """
    try:
        if clip.shape == "mask":
            if not clip.mask:
                raise DesignError(f"{path}.clip.mask", "a mask frame needs its mask")
            data = fetch(assets, clip.mask, f"{path}.clip.mask")
            source = open_source(data, f"{path}.clip.mask", allow_svg=True)
            if source.svg is not None:
                image = _svg_pixels(source, width, height)
            else:
                crop = (0, 0, source.width, source.height)
                image = _raster_pixels(source, data, crop, width, height)
        else:
            radius = ROUNDED_RADIUS * min(width, height) if clip.shape == "rounded" else 0
            outline = (
                f'<ellipse cx="{width / 2}" cy="{height / 2}" rx="{width / 2}" ry="{height / 2}"'
                if clip.shape == "ellipse"
                else f'<rect width="{width}" height="{height}" rx="{radius}" ry="{radius}"'
            )
            svg = (
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}">{outline} fill="#ffffff"/></svg>'
            )
            image = svg_buffer(svg.encode())
        image = (
            resize_exact(image, width, height)
            if (image.width, image.height)
            != (
                width,
                height,
            )
            else image
        )
        return image.extract_band(image.bands - 1) if image.hasalpha() else image.extract_band(0)
    except VipsError:
        raise DesignError(f"{path}.clip", "the frame could not be drawn") from None


def _clipped(pixels: VipsImage, coverage: VipsImage) -> VipsImage:
    """The picture's alpha multiplied by the frame's coverage (both straight, 0..255)."""
    rgba = pixels if pixels.bands == 4 else pixels.bandjoin(255)
    alpha = rgba.extract_band(3) * coverage / 255
    joined = rgba.extract_band(0, n=3).bandjoin(alpha.cast("uchar"))
    return settled(joined.cast("uchar").copy(interpretation="srgb"))


def image_tile(pixels: VipsImage, layer: ImageLayer, frame: Frame) -> Tile | None:
    box = layer.box
    tile = with_opacity(pixels, layer.opacity)
    if is_axis_aligned(box.rotation_deg):
        return Tile(tile, frame.snap(box.x_mm), frame.snap(box.y_mm))
    turned = rotate(tile, box.rotation_deg % 360)
    cx, cy = frame.px(box.x_mm + box.width_mm / 2), frame.px(box.y_mm + box.height_mm / 2)
    return Tile(turned, round(cx - turned.width / 2), round(cy - turned.height / 2))


def _placed_size(box: Box, frame: Frame) -> tuple[int, int]:
    if is_axis_aligned(box.rotation_deg):
        width = frame.snap(box.x_mm + box.width_mm) - frame.snap(box.x_mm)
        height = frame.snap(box.y_mm + box.height_mm) - frame.snap(box.y_mm)
    else:
        width, height = round(frame.length(box.width_mm)), round(frame.length(box.height_mm))
    return max(1, width), max(1, height)


def _top_down(layer: ImageLayer) -> bool:
    """Whether the placed picture is read top to bottom once: not turned, flipped upside down
    or rotated on the canvas (those read it out of order)."""
    return not (layer.turn or layer.flip_y or not is_axis_aligned(layer.box.rotation_deg))


def _raster_pixels(
    source: Source,
    data: bytes,
    crop: tuple[int, int, int, int],
    width: int,
    height: int,
    top_down: bool = False,
) -> VipsImage:
    """The crop resampled to width x height. A large picture read ``top_down`` (and upright in
    its file) is decoded as it is read, strip by strip, never whole in memory."""
    image, scale = source.image, 1
    assert image is not None  # raster sources always carry their decoder
    left, top, crop_w, crop_h = crop
    if source.loader.startswith("jpegload"):  # decode at 1/2, 1/4 or 1/8: far less work
        # a picture drawn larger than it is (a small photo, a large preview) decodes whole
        fits = (s for s in (8, 4, 2) if crop_w / s >= width and crop_h / s >= height)
        scale = next(fits, 1)
    decoded = crop_w * crop_h // (scale * scale)
    streamed = top_down and decoded > SETTLE_MAX_PIXELS and orientation(image) == 1
    if streamed:
        options = {"shrink": scale} if scale > 1 else {}
        image = load_buffer(data, access="sequential", fail_on="truncated", **options)
    elif scale > 1:
        image = load_buffer(data, access="random", fail_on="truncated", shrink=scale)
    image = _srgba(image.autorot())
    left, top = left // scale, top // scale
    crop_w = min(max(1, crop_w // scale), image.width - left)
    crop_h = min(max(1, crop_h // scale), image.height - top)
    return resize_exact(image.crop(left, top, crop_w, crop_h), width, height)


def _svg_pixels(source: Source, width: int, height: int) -> VipsImage:
    assert source.svg is not None
    scale = max(width / source.width, height / source.height)
    image = _srgba(svg_buffer(source.svg, scale=scale))
    return resize_exact(image, width, height)


def _srgba(image: VipsImage) -> VipsImage:
    """Any decoded picture as 8-bit sRGB (embedded ICC profiles honoured), alpha kept if any."""
    if image.get_typeof("icc-profile-data") and image.interpretation != "b-w":
        try:
            image = image.icc_transform("srgb", embedded=True, intent="relative")
        except VipsError:
            image = image.colourspace("srgb")
    elif image.interpretation != "srgb":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    return image.copy(interpretation="srgb")  # alpha, if any, is kept; tiles get it on resize


def _clip(bounds: Bounds, frame: Frame) -> tuple[int, int, int, int] | None:
    left, top = max(0, math.floor(bounds.left)), max(0, math.floor(bounds.top))
    right = min(frame.width_px, math.ceil(bounds.right))
    bottom = min(frame.height_px, math.ceil(bounds.bottom))
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom
