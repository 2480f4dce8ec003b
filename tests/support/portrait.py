"""The public-domain portrait the try-on tests and bench show the trackers: scikit-image's
astronaut (Eileen Collins, NASA), as a 512 x 512 RGB array, and as the .y4m video Chromium's fake
camera plays (``--use-file-for-fake-video-capture``), made at test time from the package's copy.

Where her eyes are on it, measured by eye on the picture (pixels from the top-left): the pupils
at about (202, 101) and (247, 104), so the point between the eyes is about (225, 102) and the
pupils are ~45 px apart. Her fringe covers the forehead down to about y = 85.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import skimage.data

EYE_RIGHT = (202, 101)  # the subject's right eye: left on the picture
EYE_LEFT = (247, 104)
BETWEEN_EYES = (225, 102)
FRINGE_BOTTOM = 85


def astronaut() -> np.ndarray:
    return np.asarray(skimage.data.astronaut(), dtype=np.uint8)


def write_png(path: Path) -> Path:
    from PIL import Image

    Image.fromarray(astronaut()).save(path)
    return path


def write_y4m(path: Path, frames: int = 2) -> Path:
    """The portrait as a still YUV 4:2:0 (BT.601, limited range) video of ``frames`` frames."""
    rgb = astronaut().astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.257 * r + 0.504 * g + 0.098 * b + 16
    u = -0.148 * r - 0.291 * g + 0.439 * b + 128
    v = 0.439 * r - 0.368 * g - 0.071 * b + 128
    height, width = y.shape

    def half(plane: np.ndarray) -> np.ndarray:
        return plane.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))

    planes = b"".join(
        np.clip(p, 0, 255).round().astype(np.uint8).tobytes() for p in (y, half(u), half(v))
    )
    header = f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + (b"FRAME\n" + planes) * frames)
    return path
