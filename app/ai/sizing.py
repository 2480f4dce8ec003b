"""From a model's output to a print-ready layer: upscale to the print area, report the DPI.

The generated image is placed to cover the print area (bleed included). When it has fewer pixels
than the area needs at the template's DPI it is upscaled with Lanczos (libvips); the effective DPI
reported is the one the stored file gives at that placement, next to the model's native DPI so a
merchant can see how much was interpolated.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.design import vips


@dataclass(frozen=True)
class Fitted:
    png: bytes
    width: int
    height: int
    native_dpi: float  # the model's own pixels spread over the area
    effective_dpi: float  # the stored file's pixels over the area
    upscaled: bool


def cover_dpi(width_px: int, height_px: int, area_w_mm: float, area_h_mm: float) -> float:
    """Pixels per inch of an image scaled to cover an area (the smaller image scale decides)."""
    return min(width_px / (area_w_mm / 25.4), height_px / (area_h_mm / 25.4))


def fit_to_area(
    png: bytes, width: int, height: int, area_mm: tuple[float, float], dpi: int
) -> Fitted:
    """``png`` upscaled (aspect kept) so it covers ``area_mm`` at ``dpi``; unchanged if it does."""
    area_w, area_h = area_mm
    native = cover_dpi(width, height, area_w, area_h)
    if native >= dpi:
        return Fitted(png, width, height, round(native, 1), round(native, 1), False)
    scale = dpi / native
    image = vips.load_buffer(png)
    if image.interpretation != "srgb":
        image = image.colourspace("srgb")
    if not image.hasalpha():
        image = image.bandjoin(255)
    target_w, target_h = round(width * scale), round(height * scale)
    resized = vips.resize_exact(image, target_w, target_h)
    out: bytes = resized.write_to_buffer(".png", compression=6)
    effective = cover_dpi(target_w, target_h, area_w, area_h)
    return Fitted(out, target_w, target_h, round(native, 1), round(effective, 1), True)
