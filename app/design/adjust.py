"""A placed picture's own edits: quarter turns, mirror flips and colour filters.

They run on the picture at its placed size (after the crop, before a frame's clip and the
layer's opacity), on the straight-alpha tile, so the raster and the PDF get the same pixels.
The widget's preview (``storefront_widget/src/editor/photo_tools.js``) does the same steps with
the same formulas, in the same order: turn, flip, brightness, contrast, grayscale, sepia, each
colour step clamped to 0..255 (as CSS filter functions clamp to 0..1).
"""

from __future__ import annotations

from app.design.document import Filters, ImageLayer
from app.design.vips import VipsImage

# Rec. 709 luma, CSS grayscale(1) and the CSS sepia(1) matrix (Filter Effects Module Level 1).
GRAYSCALE = [[0.2126, 0.7152, 0.0722]] * 3
SEPIA = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]]
_ROTATIONS = {90: "d90", 180: "d180", 270: "d270"}


def adjusted(pixels: VipsImage, layer: ImageLayer) -> VipsImage:
    """``pixels`` (sRGB, RGBA or RGB uchar) turned, flipped and filtered as the layer says."""
    out = pixels
    if layer.turn in _ROTATIONS:
        out = out.rot(_ROTATIONS[layer.turn])
    if layer.flip_x:
        out = out.flip("horizontal")
    if layer.flip_y:
        out = out.flip("vertical")
    if layer.filters is not None and layer.filters.active:
        out = filtered(out, layer.filters)
    return out


def filtered(pixels: VipsImage, filters: Filters) -> VipsImage:
    """The colour bands through each filter in order; alpha untouched."""
    alpha = pixels.extract_band(3) if pixels.bands == 4 else None
    rgb = pixels.extract_band(0, n=3).cast("float")
    if filters.brightness != 1:
        rgb = _clamped(rgb * filters.brightness)
    if filters.contrast != 1:
        rgb = _clamped(rgb * filters.contrast + 127.5 * (1 - filters.contrast))
    if filters.grayscale:
        rgb = _clamped(rgb.recomb(GRAYSCALE))
    if filters.sepia:
        rgb = _clamped(rgb.recomb(SEPIA))
    out = (rgb + 0.5).cast("uchar")  # round to nearest, as the browser's ImageData does
    if alpha is not None:
        out = out.bandjoin(alpha)
    return out.copy(interpretation="srgb")


def _clamped(image: VipsImage) -> VipsImage:
    low = image < 0
    image = low.ifthenelse(0, image)
    return (image > 255).ifthenelse(255, image)
