"""Removing a simple background from a picture, offline: no model, no network.

A *simple* background is one colour (a wall, a sheet of paper, a studio backdrop) around the
subject. Its colour is the median of the picture's border; every pixel within ``TOLERANCE`` of
it that is connected to the border through such pixels (libvips ``labelregions`` on the
near-colour mask, the regions that touch an edge) becomes transparent, and the new edge is
feathered by a small blur so the cut does not look jagged. Regions of that colour enclosed by
the subject (the white of an eye) are kept. A border of many colours is not simple: the picture
is refused (``NotSimple``) rather than half-erased, and so is a result that removed almost
nothing or almost everything, so the shopper gets a clear message instead of a poor picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.design.vips import VipsError, VipsImage, from_numpy, load_buffer, to_numpy

TOLERANCE = 36  # the largest difference in any channel (0..255) still counted as background
BORDER_SHARE = 0.6  # this share of the border must be the background colour
FEATHER_SIGMA = 0.8  # px
MIN_REMOVED, MAX_REMOVED = 0.01, 0.97


class NotSimple(ValueError):
    """No result worth keeping: ``code`` says why, ``message`` is written for shoppers."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Cutout:
    png: bytes  # RGBA, the background transparent
    width: int
    height: int
    removed: float  # the share of the picture made transparent


def remove_background(data: bytes, max_pixels: int) -> Cutout:
    """The picture with its border-connected background made transparent, as a PNG."""
    image = _rgba(data, max_pixels)
    pixels = to_numpy(image)
    rgb, alpha = pixels[..., :3].astype(np.int16), pixels[..., 3]
    background = _background_color(rgb, alpha)
    near = (np.abs(rgb - background).max(axis=2) <= TOLERANCE) | (alpha < 16)
    removed = _border_connected(near)
    share = float(removed.mean())
    if share < MIN_REMOVED:
        raise NotSimple("background_not_found", "No plain background was found around the subject.")
    if share > MAX_REMOVED:
        raise NotSimple(
            "background_everywhere", "The whole picture looks like background: nothing would stay."
        )
    cut = np.where(removed, 0, 255).astype(np.uint8)
    feathered = to_numpy(from_numpy(cut).gaussblur(FEATHER_SIGMA))
    new_alpha = np.minimum(alpha, np.where(removed, 0, feathered[..., 0])).astype(np.uint8)
    out = np.dstack([pixels[..., :3], new_alpha])
    png = bytes(from_numpy(out).copy(interpretation="srgb").pngsave_buffer(compression=6))
    return Cutout(png, image.width, image.height, share)


def _rgba(data: bytes, max_pixels: int) -> VipsImage:
    try:
        image = load_buffer(data, access="random", fail_on="truncated")
        if image.width * image.height > max_pixels:
            raise NotSimple("too_many_pixels", "This picture is too large to work on.")
        image = image.autorot().colourspace("srgb").cast("uchar")
        image = image if image.hasalpha() else image.bandjoin(255)
        return image.extract_band(0, n=4).copy_memory()
    except VipsError:
        raise NotSimple("unreadable", "This picture could not be read.") from None


def _background_color(rgb: NDArray[np.int16], alpha: NDArray[np.uint8]) -> NDArray[np.int16]:
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    opaque = np.concatenate([alpha[0], alpha[-1], alpha[:, 0], alpha[:, -1]]) >= 16
    if not opaque.any():  # already cut out: the transparent border is the background
        return np.zeros(3, dtype=np.int16)
    colour: NDArray[np.int16] = np.median(border[opaque], axis=0).astype(np.int16)
    matches = np.abs(border[opaque] - colour).max(axis=1) <= TOLERANCE
    if matches.mean() < BORDER_SHARE:
        raise NotSimple(
            "background_not_simple",
            "The background has too many colours to remove here; "
            "try a photo on a plain background.",
        )
    return colour


def _border_connected(near: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The near-colour pixels connected (4-way) to the picture's edge."""
    mask = from_numpy(np.where(near, 255, 0).astype(np.uint8))
    labels = to_numpy(mask.labelregions())[..., 0]
    edge = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    edge_near = np.concatenate([near[0], near[-1], near[:, 0], near[:, -1]])
    touching = np.unique(edge[edge_near])
    connected: NDArray[np.bool_] = np.isin(labels, touching) & near
    return connected
