"""Colour: hex parsing, the sRGB profile every RGB output carries, and CMYK conversion.

CMYK goes through a real ICC transform (LittleCMS, in libvips for pictures and in Pillow for
single colours) into an output condition: a press characterisation and the names PDF/X gives it.
Two are built in (``icc/``, made by ``scripts/build-cmyk-profiles`` from freely licensed
measurement data): ``fogra39`` (the default: offset on coated paper, ISO 12647-2) and
``gracol2006`` (CGATS TR 006, GRACoL on grade 1 coated); a partner may pass its own ICC bytes.

Every conversion is **relative colorimetric with black point compensation**: colours inside the
press gamut print as designed (paper white stays unprinted), colours outside are clipped to the
nearest printable one, and sRGB black maps to the press's deepest black rather than clipping the
shadows. Designs are mostly flat brand colours, where this keeps them closest; photos lose a little
saturation at the gamut edge but never shift hue as a perceptual table can.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageCms

from app.design.vips import VipsImage, set_blob

HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")  # a product colour as merchants pick it: #1f2937

WHITE = (255, 255, 255, 255)
ICC_DIR = Path(__file__).parent / "icc"
ICC_REGISTRY = "http://www.color.org"  # where registered characterisation names are listed


@dataclass(frozen=True)
class OutputCondition:
    """A CMYK print condition: its ICC profile and how a PDF/X output intent names it."""

    icc: bytes
    identifier: str  # /OutputConditionIdentifier: the ICC registry's name, or "Custom"
    condition: str  # /OutputCondition: what a person reads
    registry: str = ICC_REGISTRY  # empty for a profile that is not a registered condition


# name -> (file in icc/, registered identifier, description of the print condition)
BUILTIN_CMYK = {
    "fogra39": (
        "FOGRA39.icc",
        "FOGRA39",
        "Offset printing, ISO 12647-2:2004/Amd 1, coated paper (paper type 1 or 2), "
        "screen 60/cm (FOGRA39L data)",
    ),
    "gracol2006": (
        "CGATS-TR006.icc",
        "CGATS TR 006",
        "GRACoL 2006 offset printing on grade 1 coated paper, ISO 12647-2 paper type 1 "
        "(CGATS TR 006-2007 data)",
    ),
}
DEFAULT_CMYK = "fogra39"


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
def builtin_cmyk(name: str) -> OutputCondition:
    file, identifier, condition = BUILTIN_CMYK[name]
    return OutputCondition((ICC_DIR / file).read_bytes(), identifier, condition)


def default_cmyk_profile() -> bytes:
    return builtin_cmyk(DEFAULT_CMYK).icc


def output_condition(profile: bytes | None) -> OutputCondition:
    """The condition of ICC bytes: a built-in one by its registered name, else a custom one."""
    if profile is None:
        return builtin_cmyk(DEFAULT_CMYK)
    for name in BUILTIN_CMYK:
        if builtin_cmyk(name).icc == profile:
            return builtin_cmyk(name)
    return OutputCondition(profile, "Custom", profile_name(profile), registry="")


def cmyk_profile_problem(data: bytes) -> str | None:
    """Why ICC bytes cannot be a print condition (None when they can): a CMYK output profile."""
    try:
        parsed = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile
    except (OSError, ImageCms.PyCMSError):
        return "not an ICC profile"
    if parsed.xcolor_space.strip() != "CMYK" or parsed.device_class.strip() != "prtr":
        return f"not a CMYK output profile ({parsed.xcolor_space.strip()} {parsed.device_class})"
    return None


def profile_name(profile: bytes) -> str:
    description: str = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile)))
    return description.strip()


def flatten(image: VipsImage, background: tuple[int, int, int] = (255, 255, 255)) -> VipsImage:
    """Drop alpha onto a background (paper white): CMYK outputs have no transparency."""
    if image.bands < 4:
        return image
    return image.flatten(background=list(background)).cast("uchar").copy(interpretation="srgb")


def to_cmyk(
    image: VipsImage, profile: bytes | None = None, *, keep_alpha: bool = False
) -> VipsImage:
    """sRGB(A) -> CMYK through the ICC profile (relative colorimetric with black point
    compensation), the output profile attached. Alpha is flattened onto paper white, or with
    ``keep_alpha`` kept as a fifth band (straight, for a PDF soft mask)."""
    icc = default_cmyk_profile() if profile is None else profile
    if image.bands < 3:  # grey(A) pictures
        image = image.colourspace("srgb")
    rgb = image if keep_alpha else flatten(image)
    rgb = set_blob(rgb.copy(interpretation="srgb"), "icc-profile-data", srgb_profile())
    with tempfile.NamedTemporaryFile(suffix=".icc", delete=False) as handle:
        handle.write(icc)
    try:
        # libvips reads the profile lazily: materialize before the file goes away.
        return rgb.icc_transform(
            handle.name, embedded=True, intent="relative", black_point_compensation=True
        ).copy_memory()
    finally:
        os.unlink(handle.name)


def ink(color: str, profile: bytes) -> tuple[float, float, float, float]:
    """One sRGB hex colour as CMYK fractions (0..1), by the same intent as ``to_cmyk``."""
    pixel = _rgb_to_cmyk(profile).apply(Image.new("RGB", (1, 1), hex_rgb(color)))
    c, m, y, k = pixel.getpixel((0, 0))  # type: ignore[misc]
    return c / 255, m / 255, y / 255, k / 255


@cache
def _rgb_to_cmyk(profile: bytes) -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(srgb_profile())),
        ImageCms.ImageCmsProfile(io.BytesIO(profile)),
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
