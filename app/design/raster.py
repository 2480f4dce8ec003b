"""Raster outputs: one print area as an image at any DPI, the print PNG, and the mockup preview.

``render_area`` is the building block for everything else (PDF, CMYK, 3D textures, bulk runs):
the area's layers composited bottom to top onto a canvas of ``Frame`` size, by libvips, so an
A3 at 300 DPI streams instead of sitting in memory several times over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from PIL import Image

from app.design import displace
from app.design.color import hex_rgba, srgb_profile
from app.design.document import Design, ImageLayer, Layer, ShapeLayer, TextLayer
from app.design.errors import DesignError, check_deadline, layer_path
from app.design.fonts import FontRegistry, default_registry, registry_for
from app.design.geometry import MM_PER_INCH, Frame
from app.design.images import AssetSource
from app.design.layers import (
    PixelCache,
    Tile,
    image_pixels,
    image_tile,
    shape_tile,
    text_layout,
    text_tile,
)
from app.design.template import AreaSpec, Placement, TemplateSpec
from app.design.vips import (
    VipsError,
    VipsImage,
    blank,
    composite,
    encode,
    load_buffer,
    printed_on,
    remap,
    remap_grid,
    set_blob,
    to_numpy,
    to_pil,
)
from app.design.warp import Cylinder

T = TypeVar("T")
PREVIEW_MAX_PX = 1200  # previews are for screens: a mockup larger than this is scaled down
FOCUS_MARGIN = 0.25  # a thumbnail framed on the print keeps this much product around it
PNG_OPTIONS = {"compression": 6}  # the print PNG's zlib level, for bytes and files alike


@dataclass(frozen=True)
class RenderInputs:
    """Everything besides the design that a render reads: picture bytes and the font files."""

    assets: AssetSource
    fonts: FontRegistry | None = None
    # Set one (and keep the RenderInputs) to re-render previews of a design without re-decoding.
    pictures: PixelCache | None = None
    # A time.monotonic() instant: past it the render stops with RenderTimedOut (checked between
    # layers and glyphs), so a web request can bound what one preview costs.
    deadline: float | None = None

    @property
    def registry(self) -> FontRegistry:
        return self.fonts or default_registry()

    def for_template(self, template: TemplateSpec) -> RenderInputs:
        """These inputs with the template's shop fonts added to the font registry (what a
        shop's render is built with: ``TemplateSpec.shop_fonts``)."""
        if not template.shop_fonts:
            return self
        return replace(self, fonts=registry_for(template.shop_fonts, self.fonts))


def render_area(
    design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs, frame: Frame
) -> VipsImage:
    """The area as straight-alpha sRGBA on ``frame`` (lazy libvips image: save or copy it)."""
    area = template.area(area_key)
    background = hex_rgba(area.background) if area.background else (0, 0, 0, 0)
    canvas = blank(frame.width_px, frame.height_px, background)
    tiles = [
        tile
        for index, layer in enumerate(design.areas.get(area_key, ()))
        if not layer.hidden
        and (tile := layer_tile(layer, layer_path(area_key, index), frame, inputs)) is not None
    ]
    return composite(canvas, [(t.image, t.x, t.y) for t in tiles])


def layer_tile(layer: Layer, path: str, frame: Frame, inputs: RenderInputs) -> Tile | None:
    check_deadline(inputs.deadline)
    if isinstance(layer, TextLayer):
        layout = text_layout(layer, inputs.registry, path)
        return text_tile(layout, layer, frame, inputs.deadline)
    if isinstance(layer, ShapeLayer):
        return shape_tile(layer, frame)
    if isinstance(layer, ImageLayer):
        return image_tile(
            image_pixels(layer, frame, inputs.assets, path, inputs.pictures), layer, frame
        )
    raise DesignError(path, "unknown layer type")


def render_print(
    design: Design,
    template: TemplateSpec,
    area_key: str,
    inputs: RenderInputs,
    dpi: int | None = None,
) -> VipsImage:
    """The print raster: trim + bleed at the print DPI, resolution and sRGB profile attached."""
    area = template.area(area_key)
    frame = Frame.for_print(area, dpi)
    image = render_area(design, template, area_key, inputs, frame)
    per_mm = frame.dpi / MM_PER_INCH
    return set_blob(image.copy(xres=per_mm, yres=per_mm), "icc-profile-data", srgb_profile())


def print_png(
    design: Design,
    template: TemplateSpec,
    area_key: str,
    inputs: RenderInputs,
    dpi: int | None = None,
) -> bytes:
    """PNG, (size + 2 x bleed) x DPI / 25.4 pixels, pHYs = DPI, sRGB ICC profile embedded.

    ``render_print`` stays lazy up to here: the canvas is computed strip by strip as it is
    encoded (``outputs.write_output`` streams it straight to a file)."""
    image = render_print(design, template, area_key, inputs, dpi)
    return _save(lambda: encode(image, ".png", **PNG_OPTIONS), area_key)


def render_area_pil(
    design: Design,
    template: TemplateSpec,
    area_key: str,
    inputs: RenderInputs,
    dpi: int | None = None,
) -> Image.Image:
    """The print raster as a Pillow image (RGBA): for 3D textures and tests."""
    image = render_print(design, template, area_key, inputs, dpi)
    return _save(lambda: to_pil(image), area_key)


def preview(
    design: Design,
    template: TemplateSpec,
    area_key: str,
    inputs: RenderInputs,
    mockup: bytes | None = None,
    image_format: str = "png",
    *,
    focus: bool = False,
    view: int = 0,
) -> bytes:
    """The design on the product mockup (where the area sits on it), at web size: PNG or WebP.

    ``focus``: framed on the print (the area's place on the mockup and a margin of product
    around it), for thumbnails — a cart line or an order row shows the design, not the backdrop.
    ``view``: which of the area's pictures ``mockup`` is (0: its mockup; ``AreaSpec.views``).
    """
    area = template.area(area_key)
    place = area.placement(view)
    if mockup is not None and place is not None:
        image = _on_mockup(design, template, area, inputs, mockup, place, focus=focus)
    else:
        image = _plain_preview(design, template, area, inputs)
    if image_format == "webp":
        return _save(lambda: bytes(image.webpsave_buffer(Q=85, effort=2)), area_key)
    return _save(lambda: bytes(image.pngsave_buffer(compression=3)), area_key)


def _on_mockup(
    design: Design,
    template: TemplateSpec,
    area: AreaSpec,
    inputs: RenderInputs,
    mockup: bytes,
    place: Placement,
    *,
    focus: bool = False,
) -> VipsImage:
    try:
        base = load_buffer(mockup, access="sequential")
    except VipsError:
        raise DesignError(f"template.print_areas.{area.key}.mockup", "unreadable mockup") from None
    base = base.colourspace("srgb").cast("uchar")
    base = base if base.hasalpha() else base.bandjoin(255)
    # The design is drawn at the size it is shown (a large mockup is scaled down first), so what
    # a preview costs is bounded by PREVIEW_MAX_PX, whatever the size of the merchant's mockup.
    scale = min(1.0, PREVIEW_MAX_PX / max(base.width, base.height))
    if scale < 1:
        base = base.resize(scale)
    x, y = round(place.x * scale), round(place.y * scale)
    width, height = max(1, round(place.width * scale)), max(1, round(place.height * scale))
    base = base.copy(interpretation="srgb")
    if place.cylinder is not None:
        art = _around(design, template, area, inputs, place.cylinder, width, height)
    else:
        frame = Frame.for_preview(area, width, height)
        art = render_area(design, template, area.key, inputs, frame)
    if place.displacement is not None:
        base = base.copy_memory()  # read twice (the folds, then the picture): web size at most
        art = _on_fabric(art, base, x, y, place.displacement.strength_px * scale)
    if place.cylinder is not None or place.displacement is not None:
        shown = printed_on(base, art, x, y)
    else:
        shown = composite(base, [(art, x, y)])
    return _framed_on(shown, x, y, width, height) if focus else shown


def _framed_on(image: VipsImage, x: int, y: int, width: int, height: int) -> VipsImage:
    """The part of ``image`` around the box (x, y, width, height): the box and a quarter of
    its larger side of product on every side, within the picture."""
    margin = round(max(width, height) * FOCUS_MARGIN)
    left, top = max(0, x - margin), max(0, y - margin)
    right = min(image.width, x + width + margin)
    bottom = min(image.height, y + height + margin)
    if right - left < 1 or bottom - top < 1:
        return image  # the box is off the picture: the whole mockup says more than nothing
    return image.crop(left, top, right - left, bottom - top)


def _around(
    design: Design,
    template: TemplateSpec,
    area: AreaSpec,
    inputs: RenderInputs,
    cylinder: Cylinder,
    width: int,
    height: int,
) -> VipsImage:
    """The area bent around the body (``app.design.warp``): width x height, clear past the ends
    of the wrap. Drawn flat at the finest scale shown (the middle), then each column sampled."""
    k = max(cylinder.centre_px_per_mm(width), height / area.height_mm)
    flat_w, flat_h = max(1, round(area.width_mm * k)), max(1, round(area.height_mm * k))
    flat = render_area(design, template, area.key, inputs, Frame.for_preview(area, flat_w, flat_h))
    columns = []
    for column in range(width):
        mm = cylinder.source_mm((column + 0.5) / width * 2 - 1, area.width_mm)
        columns.append(-1.0 if mm is None else mm * flat_w / area.width_mm)
    rows = [(row + 0.5) / height * flat_h for row in range(height)]
    return remap(flat, columns, rows)


def _on_fabric(art: VipsImage, base: VipsImage, x: int, y: int, strength: float) -> VipsImage:
    """``art`` moved by the folds of the photo under it (``app.design.displace``)."""
    box = base.extract_band(0, n=3).embed(-x, -y, art.width, art.height, extend="copy")
    offset = displace.offsets(displace.luminance(to_numpy(box)), strength)
    xs, ys = displace.sample_grid(offset)
    return remap_grid(art, xs, ys)


def _plain_preview(
    design: Design, template: TemplateSpec, area: AreaSpec, inputs: RenderInputs
) -> VipsImage:
    scale = min(800 / area.width_mm, 800 / area.height_mm)
    width, height = max(1, round(area.width_mm * scale)), max(1, round(area.height_mm * scale))
    frame = Frame.for_preview(area, width, height)
    art = render_area(design, template, area.key, inputs, frame)
    return composite(blank(width, height, (255, 255, 255, 255)), [(art, 0, 0)])


def _save(write: Callable[[], T], area_key: str) -> T:
    try:
        return write()
    except VipsError as exc:
        raise DesignError(
            f"areas.{area_key}", f"could not render: {str(exc).splitlines()[0]}"
        ) from None
