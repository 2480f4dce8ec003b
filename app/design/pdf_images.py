"""Pictures in print PDFs as image XObjects written straight from libvips pixels.

reportlab's own ``drawImage`` wants a Pillow image: a whole-canvas copy, then an RGB copy, a
copy of the two joined for its name, and the compressed stream. Here the pixels stream out of
the (lazy) libvips pipeline chunk by chunk into zlib, colour and alpha (the soft mask) apart, so
what a picture costs in memory is its compressed stream. The decoded pixels are exactly what
reportlab wrote (straight colour, alpha as a DeviceGray /SMask, FlateDecode, no predictor).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from reportlab.pdfbase.pdfdoc import PDFImageXObject
from reportlab.pdfgen.canvas import Canvas

from app.design.vips import VipsImage, stream_pixels

COLOR_SPACES = {1: "DeviceGray", 3: "DeviceRGB"}


@dataclass
class _Deflater:
    """Band-interleaved chunks split into colour and alpha and deflated as they come."""

    bands: int
    alpha: bool

    def __post_init__(self) -> None:
        self.color, self.mask = zlib.compressobj(6), zlib.compressobj(6)
        self.color_out: list[bytes] = []
        self.mask_out: list[bytes] = []
        self.carry = b""

    def write(self, chunk: bytes) -> None:
        data = self.carry + chunk
        whole = len(data) - len(data) % self.bands
        self.carry = data[whole:]
        if not self.alpha:
            self.color_out.append(self.color.compress(data[:whole]))
            return
        pixels = np.frombuffer(data, np.uint8, whole).reshape(-1, self.bands)
        self.color_out.append(self.color.compress(pixels[:, :-1].tobytes()))
        self.mask_out.append(self.mask.compress(pixels[:, -1].tobytes()))

    def streams(self) -> tuple[bytes, bytes | None]:
        color = b"".join([*self.color_out, self.color.flush()])
        if not self.alpha:
            return color, None
        return color, b"".join([*self.mask_out, self.mask.flush()])


def draw_pixels(
    canvas: Canvas, image: VipsImage, x: float, y: float, width: float, height: float
) -> None:
    """``image`` (uchar gray, RGB or CMYK, alpha if any as the soft mask) over the box
    (x, y, width, height) in user space, as ``canvas.drawImage`` draws; an image drawn twice
    is stored once."""
    alpha = bool(image.hasalpha())
    color_bands = image.bands - int(alpha)
    cmyk = image.interpretation == "cmyk" and color_bands == 4
    space = "DeviceCMYK" if cmyk else COLOR_SPACES[color_bands]
    deflater = _Deflater(image.bands, alpha)
    stream_pixels(image.cast("uchar"), deflater.write)
    color, mask = deflater.streams()
    name = hashlib.md5(color + (mask or b""), usedforsecurity=False).hexdigest()
    doc: Any = canvas._doc  # reportlab's document: how drawImage registers an image
    reg_name = doc.getXObjectName(name)
    if reg_name not in doc.idToObject:
        xobject = _xobject(name, image, space, color)
        _register(canvas, xobject, reg_name)
        if mask is not None:
            smask = _xobject(name + "a", image, "DeviceGray", mask)
            smask._decode = [0, 1]
            xobject.smask = _register(canvas, smask, doc.getXObjectName(smask.name))
    code: Any = canvas
    code._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    code._code.append(f"/{reg_name} Do")
    canvas.restoreState()
    code._formsinuse.append(name)


def _xobject(name: str, image: VipsImage, space: str, stream: bytes) -> Any:
    xobject: Any = PDFImageXObject(name)
    xobject.width, xobject.height = image.width, image.height
    xobject.bitsPerComponent, xobject.colorSpace = 8, space
    xobject._filters, xobject.streamContent, xobject.mask = ("FlateDecode",), stream, None
    return xobject


def _register(canvas: Canvas, xobject: Any, reg_name: str) -> Any:
    code: Any = canvas
    doc: Any = canvas._doc
    code._setXObjects(xobject)
    reference = doc.Reference(xobject, reg_name)
    doc.addForm(xobject.name, xobject)
    return reference
