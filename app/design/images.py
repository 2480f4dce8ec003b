"""Loading shoppers' pictures and clipart safely: header checks before any pixel is decoded.

A caller hands the render core an ``AssetSource``: ref -> bytes (a storage key or upload id for
jobs, a path next to the design file for the CLI). Everything that can go wrong with the bytes
becomes a DesignError naming the layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.design import clipart
from app.design.document import Box, Crop, ImageLayer
from app.design.errors import DesignError
from app.design.vips import VipsError, VipsImage, load_buffer, svg_buffer

AssetSource = Callable[[str], bytes]
MAX_PIXELS = 100_000_000  # decoded size cap: a 10,000 x 10,000 photo, far above any print need
MAX_BYTES = 100 * 1024 * 1024
RASTER_LOADERS = ("jpegload", "pngload", "webpload", "tiffload", "gifload", "heifload")


@dataclass(frozen=True)
class Source:
    """A decodable image (lazy: only its header has been read) and its oriented pixel size."""

    image: VipsImage | None  # None for SVG: rendered at the placed size instead
    svg: bytes | None
    width: int
    height: int
    loader: str


def directory_assets(root: Path) -> AssetSource:
    """Refs are paths relative to ``root`` (the CLI: next to the design file); never outside it."""
    base = root.resolve()

    def read(ref: str) -> bytes:
        path = (base / ref).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            raise FileNotFoundError(ref)
        return path.read_bytes()

    return read


def fetch(assets: AssetSource, ref: str, path: str) -> bytes:
    """The bytes a ref names: Luneo's clipart for ``clipart:`` refs, else the caller's source."""
    try:
        curated = clipart.default_library().item(ref) if clipart.is_clipart_ref(ref) else None
        # Luneo's clipart from its files; a shop's own clipart and everything else from ``assets``
        data = curated.path.read_bytes() if curated is not None else assets(ref)
    except (LookupError, OSError):
        raise DesignError(path, f"the file {ref!r} was not found") from None
    if not data:
        raise DesignError(path, f"the file {ref!r} is empty")
    if len(data) > MAX_BYTES:
        raise DesignError(path, f"the file {ref!r} is larger than {MAX_BYTES // 2**20} MB")
    return data


def open_source(data: bytes, path: str, *, allow_svg: bool) -> Source:
    if _looks_like_svg(data):
        if not allow_svg:
            raise DesignError(path, "an SVG can only be used as clipart")
        return _svg_source(data, path)
    try:
        image = load_buffer(data, access="random", fail_on="truncated")
    except VipsError:
        raise DesignError(path, "the file is not an image we can read") from None
    loader = str(image.get("vips-loader")) if image.get_typeof("vips-loader") else "?"
    if not loader.startswith(RASTER_LOADERS):
        raise DesignError(path, "use a JPEG, PNG, WebP, TIFF, GIF or HEIC picture")
    _check_size(image.width, image.height, path)
    if orientation(image) in (5, 6, 7, 8):  # EXIF quarter turns swap width and height
        return Source(image, None, image.height, image.width, loader)
    return Source(image, None, image.width, image.height, loader)


def _svg_source(data: bytes, path: str) -> Source:
    try:
        header = svg_buffer(data)
    except VipsError:
        raise DesignError(path, "the SVG could not be read") from None
    return Source(None, data, max(1, header.width), max(1, header.height), "svgload")


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in data[:4096]


def _check_size(width: int, height: int, path: str) -> None:
    if width * height > MAX_PIXELS:
        megapixels = width * height / 1e6
        raise DesignError(
            path,
            f"the image is {width}x{height} px ({megapixels:.0f} megapixels); "
            f"the limit is {MAX_PIXELS // 1_000_000} megapixels",
        )


def orientation(image: VipsImage) -> int:
    if not image.get_typeof("orientation"):
        return 1
    return int(image.get("orientation"))


def crop_px(source: Source, crop: Crop | None, path: str) -> tuple[int, int, int, int]:
    """The crop as whole source pixels (left, top, width, height), checked against the image."""
    if crop is None:
        return 0, 0, source.width, source.height
    sx, sy = (source.width, source.height) if crop.unit == "fraction" else (1, 1)
    left, top = round(crop.x * sx), round(crop.y * sy)
    width, height = max(1, round(crop.width * sx)), max(1, round(crop.height * sy))
    if left + width > source.width or top + height > source.height:
        raise DesignError(
            f"{path}.crop",
            f"goes outside the image ({source.width}x{source.height} px)",
        )
    return left, top, width, height


def cover_crop(region: tuple[int, int, int, int], box: Box) -> tuple[int, int, int, int]:
    """The centred part of ``region`` (left, top, width, height) with the box's proportions: a
    frame filled, never warped."""
    left, top, width, height = region
    box_ratio = box.width_mm / box.height_mm
    if width / height > box_ratio:
        crop_w = max(1, min(width, round(height * box_ratio)))
        return left + (width - crop_w) // 2, top, crop_w, height
    crop_h = max(1, min(height, round(width / box_ratio)))
    return left, top + (height - crop_h) // 2, width, crop_h


def placed_crop(source: Source, layer: ImageLayer, path: str) -> tuple[int, int, int, int]:
    """What part of the picture the layer shows: its crop (or the whole picture). In a frame
    (``clip``) that part is cut, centred, to the frame's proportions, so a photo is never
    stretched in a frame; a plain layer stretches it to its box, as always."""
    region = crop_px(source, layer.crop, path)
    return cover_crop(region, picture_box(layer)) if layer.clip is not None else region


def picture_box(layer: ImageLayer) -> Box:
    """The box as the picture sees it before its quarter turn: a picture turned 90 degrees
    fills a box of swapped sides."""
    box = layer.box
    if not layer.quarter_turned:
        return box
    return Box(box.x_mm, box.y_mm, box.height_mm, box.width_mm, box.rotation_deg)


def effective_dpi(source: Source, layer: ImageLayer, path: str) -> float:
    """Source pixels per inch at the placed size (the lower of the two directions)."""
    _, _, width, height = placed_crop(source, layer, path)
    box = picture_box(layer)
    return min(width / (box.width_mm / 25.4), height / (box.height_mm / 25.4))
