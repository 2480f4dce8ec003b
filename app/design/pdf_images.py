"""Pictures in print PDFs as image XObjects written straight from libvips pixels.

reportlab's own ``drawImage`` wants a Pillow image: a whole-canvas copy, then an RGB copy, a
copy of the two joined for its name, and the compressed stream, copied again as the file is
assembled. Here the pixels stream out of the (lazy) libvips pipeline chunk by chunk into zlib,
colour and alpha (the soft mask) apart; reportlab formats a short placeholder in place of each
stream, pikepdf finishes that small file (cut layer, PDF/X-4, subset tags: ``pdfx.py``) with the
placeholders passed through as they are, and ``spliced`` puts the compressed chunks in their
place as the file is written (fixing each /Length and the cross-reference offsets), so what a
picture costs in memory is its compressed stream, once. The decoded pixels
are exactly what reportlab wrote (straight colour, alpha as a DeviceGray /SMask, FlateDecode).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from reportlab.pdfbase.pdfdoc import PDFImageXObject
from reportlab.pdfgen.canvas import Canvas
from zlib_ng import zlib_ng as zlib  # the zlib API, about 1.5x as fast

from app.design.vips import VipsImage, stream_pixels

COLOR_SPACES = {1: "DeviceGray", 3: "DeviceRGB"}


@dataclass
class _Deflater:
    """Band-interleaved chunks split into colour and alpha and deflated as they come, a MB at
    a time (libvips hands over a few KB per call; deflating those one by one is twice as slow)."""

    bands: int
    alpha: bool
    batch: int = 1 << 20

    def __post_init__(self) -> None:
        self.color, self.mask = zlib.compressobj(6), zlib.compressobj(6)
        self.color_out: list[bytes] = []
        self.mask_out: list[bytes] = []
        self.pending: list[bytes] = []
        self.pending_size = 0

    def write(self, chunk: bytes) -> None:
        self.pending.append(chunk)
        self.pending_size += len(chunk)
        if self.pending_size >= self.batch:
            self._deflate()

    def _deflate(self) -> None:
        data = b"".join(self.pending)
        whole = len(data) - len(data) % self.bands
        self.pending, self.pending_size = [data[whole:]], len(data) - whole
        if not self.alpha:
            self.color_out.append(self.color.compress(data[:whole]))
            return
        pixels = np.frombuffer(data, np.uint8, whole).reshape(-1, self.bands)
        self.color_out.append(self.color.compress(pixels[:, :-1].tobytes()))
        self.mask_out.append(self.mask.compress(pixels[:, -1].tobytes()))

    def streams(self) -> tuple[list[bytes], list[bytes] | None]:
        self._deflate()
        color = [*self.color_out, self.color.flush()]
        return color, [*self.mask_out, self.mask.flush()] if self.alpha else None


def draw_pixels(
    canvas: Canvas, image: VipsImage, x: float, y: float, width: float, height: float
) -> None:
    """``image`` (uchar gray, RGB or CMYK, alpha if any, last, as the soft mask) over the box
    (x, y, width, height) in user space, as ``canvas.drawImage`` draws; an image drawn twice
    is stored once."""
    cmyk = image.interpretation == "cmyk"
    alpha = image.bands == 5 if cmyk else image.bands in (2, 4)
    color_bands = image.bands - int(alpha)
    space = "DeviceCMYK" if cmyk else COLOR_SPACES[color_bands]
    deflater = _Deflater(image.bands, alpha)
    stream_pixels(image.cast("uchar"), deflater.write)
    color, mask = deflater.streams()
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in [*color, *(mask or [])]:
        digest.update(chunk)
    name = digest.hexdigest()
    code: Any = canvas
    doc: Any = code._doc  # reportlab's document: registered as drawImage registers images
    reg_name = doc.getXObjectName(name)
    if reg_name not in doc.idToObject:
        xobject = _xobject(canvas, name, image, space, color)
        _register(canvas, xobject, reg_name)
        if mask is not None:
            smask = _xobject(canvas, name + "a", image, "DeviceGray", mask)
            smask._decode = [0, 1]
            xobject.smask = _register(canvas, smask, doc.getXObjectName(smask.name))
    code._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    code._code.append(f"/{reg_name} Do")
    canvas.restoreState()
    code._formsinuse.append(name)


def _xobject(canvas: Canvas, name: str, image: VipsImage, space: str, chunks: list[bytes]) -> Any:
    streams = _streams(canvas)
    token = b"%%LUNEO-STREAM-%d-%s%%" % (len(streams), name.encode())
    streams[token] = chunks
    xobject: Any = PDFImageXObject(name)
    xobject.width, xobject.height = image.width, image.height
    xobject.bitsPerComponent, xobject.colorSpace = 8, space
    xobject._filters, xobject.streamContent, xobject.mask = ("FlateDecode",), token, None
    return xobject


def _streams(canvas: Canvas) -> dict[bytes, list[bytes]]:
    """The compressed chunks of each placeholder drawn on ``canvas`` (kept on the canvas)."""
    code: Any = canvas
    if not hasattr(code, "luneo_streams"):
        code.luneo_streams = {}
    streams: dict[bytes, list[bytes]] = code.luneo_streams
    return streams


XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) n")
LENGTH = re.compile(rb"/Length (\d+)")


def spliced(canvas: Canvas, data: bytes) -> Iterator[bytes]:
    """The finished file (``data``: reportlab's from ``canvas``, rewritten by pikepdf, which
    copies flate streams as they are) with every image stream in place of its placeholder, piece
    by piece: each stream's /Length made its real one, the byte offsets in the cross-reference
    table and ``startxref`` moved by what was spliced in before them."""
    edits: list[tuple[int, int, list[bytes]]] = []  # (start, end, what replaces it)
    for token, chunks in _streams(canvas).items():
        at = data.find(token)  # every picture drawn is referenced: pikepdf keeps it
        length = LENGTH.match(data, data.rfind(b"/Length ", 0, at))  # its stream dictionary's
        if at < 0 or length is None or int(length[1]) != len(token):
            raise ValueError(f"placeholder {token!r} or its /Length missing: stream rewritten?")
        real = sum(len(chunk) for chunk in chunks)
        edits += [(length.start(1), length.end(1), [b"%d" % real]), (at, at + len(token), chunks)]
    if not edits:
        yield data
        return
    edits.sort(key=lambda edit: edit[0])
    shifts = [(start, sum(map(len, new)) - (end - start)) for start, end, new in edits]

    def moved(offset: int) -> int:
        return offset + sum(shift for at, shift in shifts if at < offset)

    xref_at = int(data.rsplit(b"startxref", 1)[1].split()[0])
    start = 0
    for begin, end, new in edits:
        yield data[start:begin]
        yield from new
        start = end
    yield data[start:xref_at]
    tail = data[xref_at:]
    trailer_at = tail.index(b"trailer")
    table = XREF_ENTRY.sub(
        lambda m: b"%010d %s n" % (moved(int(m.group(1))), m.group(2)), tail[:trailer_at]
    )
    trailer, _, _ = tail[trailer_at:].rpartition(b"startxref")
    yield table + trailer + b"startxref\n%d\n%%%%EOF\n" % moved(xref_at)


def write_pieces(pieces: Iterator[bytes], path: Path) -> None:
    with path.open("wb") as handle:
        for piece in pieces:
            handle.write(piece)


def _register(canvas: Canvas, xobject: Any, reg_name: str) -> Any:
    code: Any = canvas
    doc: Any = code._doc
    code._setXObjects(xobject)
    reference = doc.Reference(xobject, reg_name)
    doc.addForm(xobject.name, xobject)
    return reference
