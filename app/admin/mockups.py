"""Mockup images uploaded in the template editor: checked thoroughly, then stored as-is.

A mockup is shown to every shopper of the product and decoded by the preview renderer, so an
upload must be a real PNG or JPEG of sane size: the type is read from the bytes (not from the
name or the browser's claim), the pixel count is checked from the header before any decoding
(a decompression bomb is a few KB that would inflate to gigabytes), and the whole image is
then decoded once to prove it is intact.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from PIL import Image, UnidentifiedImageError

from app.models import FileKind, ShopScope, StoredFile
from app.product_templates.catalog_options import (
    MOCKUP_FORMATS,
    MOCKUP_MAX_BYTES,
    MOCKUP_MAX_PIXELS,
)
from app.storage import Storage
from app.stored_files import store_bytes


class RejectedUpload(ValueError):
    """An upload we will not keep; ``code`` is the API error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ImageFacts:
    content_type: str
    extension: str
    width: int
    height: int


def read_limited(stream: IO[bytes], limit: int = MOCKUP_MAX_BYTES) -> bytes:
    """The upload's bytes, refusing (without reading it all) one larger than ``limit``."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise RejectedUpload("too_large", f"The image is larger than {limit // (1024 * 1024)} MB.")
    if not data:
        raise RejectedUpload("invalid", "The file is empty.")
    return data


def _open(data: bytes, refusal: str) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise RejectedUpload("too_large", "The image has too many pixels.") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise RejectedUpload("unsupported_type", refusal) from exc


def inspect_image(
    data: bytes,
    *,
    formats: Mapping[str, tuple[str, str]] = MOCKUP_FORMATS,
    max_pixels: int = MOCKUP_MAX_PIXELS,
    refusal: str = "Upload a PNG or JPEG image.",
) -> ImageFacts:
    """What the bytes are, or RejectedUpload saying why they cannot be kept.

    ``formats`` maps Pillow's format names to (content type, extension); the storefront's photo
    uploads pass their own list, pixel limit and wording; the checks are the same.
    """
    with warnings.catch_warnings():
        # Pillow warns, then errors, on huge images; here any such image is simply refused.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data, refusal)
        fmt = image.format or ""
        if fmt not in formats:
            raise RejectedUpload("unsupported_type", refusal)
        width, height = image.size
        if width * height > max_pixels:
            megapixels = max_pixels // 1_000_000
            raise RejectedUpload(
                "too_large", f"The image is {width}×{height} pixels; at most {megapixels} MP."
            )
        decoded = _open(data, refusal)
        try:
            image.verify()
            decoded.load()  # verify() does not decode every pixel; a truncated image fails here
        except (OSError, SyntaxError, ValueError) as exc:
            raise RejectedUpload("invalid_image", "The image is damaged or incomplete.") from exc
    content_type, extension = formats[fmt]
    return ImageFacts(content_type, extension, width, height)


def display_name(filename: str | None) -> str | None:
    """The uploaded file's base name, kept only for display and download names."""
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(c for c in name if c.isprintable())[:255] or None


def store_mockup(
    scope: ShopScope, storage: Storage, data: bytes, filename: str | None
) -> tuple[StoredFile, ImageFacts]:
    """Check and store an uploaded mockup for this shop; flushes the StoredFile row."""
    facts = inspect_image(data)
    stored = store_bytes(
        scope,
        storage,
        data,
        kind=FileKind.MOCKUP,
        folder=FileKind.MOCKUP.value,
        extension=facts.extension,
        content_type=facts.content_type,
        name=display_name(filename),
    )
    return stored, facts
