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

from app.design.vips import (
    VipsError,
    VipsImage,
    from_numpy,
    load_buffer,
    thumbnail_buffer,
    to_numpy,
)

TOLERANCE = 36  # the largest difference in any channel (0..255) still counted as background
BORDER_SHARE = 0.6  # this share of the border must be the background colour
FEATHER_SIGMA = 0.8  # px
MIN_REMOVED, MAX_REMOVED = 0.01, 0.97
WORK_EDGE = 1600  # px: the copy the background is found on


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
    """The picture with its border-connected background made transparent, as a PNG.

    The background is found on a copy at most ``WORK_EDGE`` px across (bounded memory and time
    for any photo an upload may hold); its mask, slightly blurred, is scaled up to the picture,
    which gives the cut its soft edge.
    """
    full = _upright(data, max_pixels)
    try:
        small = to_numpy(_rgba(thumbnail_buffer(data, WORK_EDGE)))
    except VipsError:
        raise NotSimple("unreadable", "This picture could not be read.") from None
    rgb, alpha = small[..., :3].astype(np.int16), small[..., 3]
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
    keep = from_numpy(np.where(removed, 0, 255).astype(np.uint8))
    soft = keep.gaussblur(FEATHER_SIGMA).cast("uchar")
    mask = (soft < keep).ifthenelse(soft, keep)  # blurred inwards only: removed stays removed
    if (mask.width, mask.height) != (full.width, full.height):
        mask = mask.resize(full.width / mask.width, vscale=full.height / mask.height)
        mask = mask.embed(0, 0, full.width, full.height, extend="copy").cast("uchar")
    try:
        old_alpha = full.extract_band(3)
        new_alpha = (old_alpha < mask).ifthenelse(old_alpha, mask)
        out = full.extract_band(0, n=3).bandjoin(new_alpha).copy(interpretation="srgb")
        png = bytes(out.pngsave_buffer(compression=6))
    except VipsError:
        raise NotSimple("unreadable", "This picture could not be read.") from None
    return Cutout(png, full.width, full.height, share)


def _upright(data: bytes, max_pixels: int) -> VipsImage:
    """The whole picture, upright, as sRGB with alpha (lazy: decoded once, while saving)."""
    try:
        image = load_buffer(data, access="sequential", fail_on="truncated")
    except VipsError:
        raise NotSimple("unreadable", "This picture could not be read.") from None
    if image.width * image.height > max_pixels:
        raise NotSimple("too_many_pixels", "This picture is too large to work on.")
    return _rgba(image.autorot())


def _rgba(image: VipsImage) -> VipsImage:
    image = image.colourspace("srgb").cast("uchar")
    image = image if image.hasalpha() else image.bandjoin(255)
    return image.extract_band(0, n=4)


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
