"""The one import of pyvips (libvips: streaming, low-memory print-size images) and its helpers.

pyvips ships no type information, so it is imported here once and handed out as ``Any``.
Convention in the render core: a *tile* is an sRGB RGBA uchar image with straight (not
premultiplied) alpha.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyvips  # type: ignore[import-untyped]
from PIL import Image

VipsImage = Any
VipsError: type[Exception] = pyvips.Error
# Placed pictures up to this size (a megapixel) are computed once and kept in memory (a
# preview's, a bulk label's); larger ones stay lazy and are computed strip by strip as the file
# is written (a 3-megapixel mug wrap copied whole cost half again the memory of libvips alone).
SETTLE_MAX_PIXELS = 1_000_000

BICUBIC = pyvips.Interpolate.new("bicubic")


def blank(width: int, height: int, rgba: tuple[int, int, int, int] = (0, 0, 0, 0)) -> VipsImage:
    """A constant image: costs no memory however large."""
    image = pyvips.Image.black(width, height, bands=4) + list(rgba)
    return image.cast("uchar").copy(interpretation="srgb")


def from_pil(image: Image.Image) -> VipsImage:
    bands = len(image.getbands())
    vimage = pyvips.Image.new_from_memory(
        image.tobytes(), image.width, image.height, bands, "uchar"
    )
    return vimage.copy(interpretation="srgb" if bands >= 3 else "b-w")


def to_pil(image: VipsImage) -> Image.Image:
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "CMYK" if _is_cmyk(image) else "RGBA"}[image.bands]
    return Image.frombytes(mode, (image.width, image.height), image.cast("uchar").write_to_memory())


def to_numpy(image: VipsImage) -> Any:
    """The pixels as a (height, width, bands) numpy array."""
    array = image.numpy()
    return array if array.ndim == 3 else array[..., None]


def from_numpy(array: Any) -> VipsImage:
    """A (height, width[, bands]) uint8 numpy array as an image."""
    return pyvips.Image.new_from_array(array)


def _is_cmyk(image: VipsImage) -> bool:
    return bool(image.interpretation == "cmyk")


def for_print_runs() -> None:
    """Turn off libvips's operation cache in a process that renders print files: it would pin
    each row's decoded pictures (a 50-row bulk run grew by half again) and print renders never
    repeat an operation. Previews in web processes keep it."""
    pyvips.cache_set_max(0)


def settled(image: VipsImage, max_pixels: int = SETTLE_MAX_PIXELS) -> VipsImage:
    """Computed now when small (cheap to reuse, safe to cache); a print-size image stays lazy."""
    return image.copy_memory() if image.width * image.height <= max_pixels else image


def save(image: VipsImage, path: Path, **options: Any) -> None:
    """Written as it is computed (the saver is chosen by the file's suffix): the whole image is
    never held in memory, nor the whole encoded file."""
    image.write_to_file(str(path), **options)


def encode(image: VipsImage, suffix: str, **options: Any) -> bytes:
    """The encoded file as bytes, written through a temporary file: the only whole copy is the
    result (a buffer save grows libvips's buffer and then copies it)."""
    with tempfile.TemporaryDirectory(prefix="luneo-") as tmp:
        path = Path(tmp) / f"out{suffix}"
        save(image, path, **options)
        return path.read_bytes()


def stream_pixels(image: VipsImage, write: Callable[[bytes], None]) -> None:
    """The pixels, band-interleaved, top to bottom, handed to ``write`` chunk by chunk as
    libvips computes them (a lazy print canvas is never whole in memory)."""
    target = pyvips.TargetCustom()

    def on_write(chunk: bytes) -> int:
        write(bytes(chunk))
        return len(chunk)

    target.on_write(on_write)
    image.rawsave_target(target)


def load_buffer(data: bytes, **options: Any) -> VipsImage:
    return pyvips.Image.new_from_buffer(data, "", **options)


def thumbnail_buffer(data: bytes, edge: int) -> VipsImage:
    """At most ``edge`` px on its longer side (never enlarged), upright: shrunk as it is decoded."""
    return pyvips.Image.thumbnail_buffer(data, edge, height=edge, size="down")


def svg_buffer(svg: bytes, **options: Any) -> VipsImage:
    return pyvips.Image.svgload_buffer(svg, **options)


def resize_exact(image: VipsImage, width: int, height: int) -> VipsImage:
    """Resample (Lanczos; premultiplied if there is alpha) to exactly width x height: a tile."""
    alpha = image.hasalpha()
    source = image.premultiply() if alpha else image
    scaled = source.resize(width / image.width, vscale=height / image.height, kernel="lanczos3")
    if scaled.width != width or scaled.height != height:
        scaled = scaled.embed(0, 0, width, height, extend="copy")
    scaled = scaled.unpremultiply() if alpha else scaled.bandjoin(255)
    return scaled.cast("uchar").copy(interpretation="srgb")


def rotate(tile: VipsImage, degrees: float) -> VipsImage:
    """Clockwise on screen about the tile's centre; the result grows to hold the corners."""
    turned = tile.premultiply().rotate(degrees, interpolate=BICUBIC, background=[0, 0, 0, 0])
    return turned.unpremultiply().cast("uchar").copy(interpretation="srgb")


def with_opacity(tile: VipsImage, opacity: float) -> VipsImage:
    if opacity >= 1:
        return tile
    return (tile * [1, 1, 1, opacity]).cast("uchar").copy(interpretation="srgb")


def composite(base: VipsImage, tiles: list[tuple[VipsImage, int, int]]) -> VipsImage:
    if not tiles:
        return base
    images, xs, ys = zip(*tiles, strict=True)
    return base.composite(list(images), "over", x=list(xs), y=list(ys)).cast("uchar")


def remap(image: VipsImage, columns: list[float], rows: list[float]) -> VipsImage:
    """len(columns) x len(rows) pixels: output (i, j) samples ``image`` at (columns[i],
    rows[j]) (bilinear); a negative coordinate gives a clear pixel. ``image`` has alpha."""
    xs = pyvips.Image.new_from_list([columns]).replicate(1, len(rows))
    ys = pyvips.Image.new_from_list([[r] for r in rows]).replicate(len(columns), 1)
    index = xs.bandjoin(ys).cast("float")
    # mapim reads anywhere: a (preview-size) image first computed, as a picture in it may be
    # decoded top to bottom only
    sampled = (
        image.copy_memory()
        .premultiply()
        .mapim(
            index,
            interpolate=pyvips.Interpolate.new("bilinear"),
            extend="background",
            background=[0, 0, 0, 0],
            premultiplied=True,  # it is already: else mapim premultiplies again (pale edges)
        )
    )
    return sampled.unpremultiply().cast("uchar").copy(interpretation="srgb")


def remap_grid(image: VipsImage, xs: Any, ys: Any) -> VipsImage:
    """Like ``remap`` with a whole grid: output (i, j) samples ``image`` at (xs[j, i], ys[j, i])
    (two (height, width) float arrays; bilinear; outside ``image``: clear)."""
    index = pyvips.Image.new_from_array(xs.astype("float32")).bandjoin(
        pyvips.Image.new_from_array(ys.astype("float32"))
    )
    sampled = (
        image.copy_memory()
        .premultiply()
        .mapim(
            index.cast("float"),
            interpolate=pyvips.Interpolate.new("bilinear"),
            extend="background",
            background=[0, 0, 0, 0],
            premultiplied=True,  # it is already: else mapim premultiplies again (pale, wrong edges)
        )
    )
    return sampled.unpremultiply().cast("uchar").copy(interpretation="srgb")


def printed_on(base: VipsImage, art: VipsImage, x: int, y: int) -> VipsImage:
    """``art`` printed on the product photo at (x, y): multiplied, so the photo's shading and
    highlights stay on it as on a printed mug."""
    return base.composite([art], "multiply", x=[x], y=[y]).cast("uchar")


def set_blob(image: VipsImage, name: str, data: bytes) -> VipsImage:
    copy = image.copy()
    copy.set_type(pyvips.GValue.blob_type, name, data)
    return copy
