"""Colour: hex parsing, the sRGB profile every RGB output carries, and CMYK conversion.

CMYK goes through a real ICC transform (libvips/LittleCMS). The default output profile is the
public-domain ArgyllCMS "Chemical proof" CMYK profile that libvips ships (inside the
``pyvips-binary`` wheel); a partner with its own press profile (e.g. FOGRA39) passes its bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from functools import cache
from pathlib import Path

from PIL import ImageCms

from app.design.vips import VipsImage, blank, set_blob

HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")  # a product colour as merchants pick it: #1f2937

WHITE = (255, 255, 255, 255)


def hex_rgb(color: str) -> tuple[int, int, int]:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    value = int(digits, 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def hex_rgba(color: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    return (*hex_rgb(color), round(255 * max(0.0, min(1.0, opacity))))


@cache
def srgb_profile() -> bytes:
    """sRGB IEC61966-2.1 as an ICC blob (LittleCMS's built-in, through Pillow)."""
    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


@cache
def default_cmyk_profile() -> bytes:
    return bytes(_builtin_cmyk().get("icc-profile-data"))


def _builtin_cmyk() -> VipsImage:
    return blank(1, 1, WHITE).extract_band(0, n=3).icc_transform("cmyk")


def profile_name(profile: bytes) -> str:
    description: str = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile)))
    return description.strip()


def flatten(image: VipsImage, background: tuple[int, int, int] = (255, 255, 255)) -> VipsImage:
    """Drop alpha onto a background (paper white): CMYK outputs have no transparency."""
    if image.bands < 4:
        return image
    return image.flatten(background=list(background)).cast("uchar").copy(interpretation="srgb")


def to_cmyk(image: VipsImage, profile: bytes | None = None) -> VipsImage:
    """sRGB(A) -> CMYK through the ICC profile (relative colorimetric, as print shops expect).

    Lazy, like its input: libvips reads a given profile from a file, kept (``_profile_file``)
    for as long as the image may be computed."""
    rgb = set_blob(flatten(image), "icc-profile-data", srgb_profile())
    target = "cmyk" if profile is None else str(_profile_file(profile))
    return rgb.icc_transform(target, embedded=True, intent="relative")


def _profile_file(profile: bytes) -> Path:
    """The profile as a file named after its content (written once, atomically; a few KB)."""
    name = f"luneo-icc-{hashlib.sha256(profile).hexdigest()[:32]}.icc"
    path = Path(tempfile.gettempdir()) / name
    if not path.is_file() or path.read_bytes() != profile:
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as handle:
            handle.write(profile)
        os.replace(handle.name, path)
    return path
