"""Shoppers' photos: checked like mockups, then turned upright and re-encoded without metadata.

The checks are the mockup ones (``app.admin.mockups.inspect_image``: type from the bytes, pixel
count from the header before decoding, a full decode to catch truncation). Then the EXIF
orientation is applied to the pixels (phones store portraits sideways plus a tag, and the
renderer and the browser must agree on which way is up) and the image is encoded afresh, so
no EXIF (GPS position, camera serial), XMP or comment travels on; the colour profile is kept.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from app.admin.mockups import RejectedUpload, inspect_image

# Pillow format -> what we store. WebP and GIF become PNG (lossless, alpha kept, first frame).
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/png", "png"),
    "GIF": ("image/png", "png"),
}
REFUSAL = "Upload a photo or picture as JPEG, PNG, WebP or GIF."
JPEG_QUALITY = 92


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def prepare_photo(data: bytes, max_pixels: int) -> Photo:
    """The upload made safe to keep, or RejectedUpload (``too_many_pixels`` for a bomb)."""
    try:
        facts = inspect_image(data, formats=PHOTO_FORMATS, max_pixels=max_pixels, refusal=REFUSAL)
    except RejectedUpload as exc:
        if exc.code == "too_large":  # only the pixel count: the byte size was checked before
            raise RejectedUpload("too_many_pixels", exc.message) from exc
        raise
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)
            icc = opened.info.get("icc_profile")
    upright.info = {}  # Pillow re-writes some of these (comment, exif) unless told otherwise
    out = io.BytesIO()
    if facts.content_type == "image/jpeg":
        rgb = upright if upright.mode in ("RGB", "L") else upright.convert("RGB")
        rgb.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=icc)
    else:
        pixels = upright if upright.mode in ("RGB", "RGBA", "L", "LA") else upright.convert("RGBA")
        pixels.save(out, "PNG", icc_profile=icc, compress_level=6)
    return Photo(out.getvalue(), facts.content_type, facts.extension, *upright.size)
