"""The offline provider: draws a real, prompt-dependent picture without any network.

For development and tests, and labelled as such wherever the result is shown. The same prompt
always gives the same image (colours, gradient and shapes come from hashes of the prompt and of
each word), different prompts give visibly different ones, and the prompt is written on it.
Variants of one prompt (``n``, ``variation``) mix their number into those hashes: the first
variant of a plain request is the picture the prompt always gave, the others differ.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import re

from PIL import Image, ImageDraw, ImageFont

from app.ai.base import GeneratedImage, ImageRequest, ModerationVerdict, ProviderError
from app.ai.safety import builtin_flags
from app.design.background import NotSimple
from app.design.background import remove_background as cut_out

MODEL = "luneo-local-1"
CUTOUT_MODEL = "luneo-local-cutout"
CUTOUT_MAX_PIXELS = 40_000_000
MAX_EDGE = 1024  # like a real model, output is smaller than print size: upscaling is exercised

_WORD = re.compile(r"\w+", re.UNICODE)
RGBA = tuple[int, int, int, int]


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _colour(seed: bytes, offset: int, alpha: int = 255) -> RGBA:
    hue = seed[offset] / 255
    saturation = 0.45 + seed[offset + 1] / 255 * 0.5
    value = 0.55 + seed[offset + 2] / 255 * 0.45
    r, g, b = colorsys.hsv_to_rgb(hue, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255), alpha


def output_size(width: int, height: int) -> tuple[int, int]:
    """The requested aspect ratio at most MAX_EDGE pixels on the long side."""
    scale = min(1.0, MAX_EDGE / max(width, height, 1))
    return max(16, round(width * scale)), max(16, round(height * scale))


def _gradient(size: tuple[int, int], top: RGBA, bottom: RGBA) -> Image.Image:
    column = Image.new("RGBA", (1, 256))
    for y in range(256):
        t = y / 255
        column.putpixel(
            (0, y),
            (
                round(top[0] + (bottom[0] - top[0]) * t),
                round(top[1] + (bottom[1] - top[1]) * t),
                round(top[2] + (bottom[2] - top[2]) * t),
                255,
            ),
        )
    return column.resize(size, Image.Resampling.BILINEAR)


def _shape(draw: ImageDraw.ImageDraw, word: str, size: tuple[int, int], salt: str) -> None:
    seed = _digest(salt + word.casefold())
    width, height = size
    cx, cy = seed[0] / 255 * width, seed[1] / 255 * height
    radius = (0.08 + seed[2] / 255 * 0.22) * min(width, height)
    box = (cx - radius, cy - radius, cx + radius, cy + radius)
    fill = _colour(seed, 3, alpha=200)
    outline = _colour(seed, 6)
    match seed[9] % 4:
        case 0:
            draw.ellipse(box, fill=fill, outline=outline, width=4)
        case 1:
            draw.rectangle(box, fill=fill, outline=outline, width=4)
        case 2:
            draw.regular_polygon((cx, cy, radius), 3 + seed[10] % 5, fill=fill, outline=outline)
        case _:
            draw.pieslice(box, seed[11], seed[11] + 90 + seed[12], fill=fill, outline=outline)


def _caption(image: Image.Image, prompt: str) -> None:
    draw = ImageDraw.Draw(image)
    font_size = max(12, image.width // 28)
    font = ImageFont.load_default(size=font_size)
    text = prompt if len(prompt) <= 60 else prompt[:57] + "…"
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = (image.width - (right - left)) / 2
    y = image.height - (bottom - top) - font_size
    pad = font_size // 3
    draw.rounded_rectangle(
        (x - pad, y - pad, x + right - left + pad, y + bottom - top + pad),
        radius=pad,
        fill=(255, 255, 255, 200),
    )
    draw.text((x - left, y - top), text, font=font, fill=(20, 20, 20, 255))


def draw(request: ImageRequest, variant: int = 0) -> GeneratedImage:
    size = output_size(request.width, request.height)
    salt = f"{request.variation}#{variant}\n" if request.variation or variant else ""
    seed = _digest(salt + request.prompt)
    if request.transparent:
        image = Image.new("RGBA", size, (0, 0, 0, 0))
    else:
        image = _gradient(size, _colour(seed, 0), _colour(seed, 3))
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    shapes = ImageDraw.Draw(overlay)
    for word in _WORD.findall(request.prompt)[:40]:
        _shape(shapes, word, size, salt)
    image = Image.alpha_composite(image, overlay)
    _caption(image, request.prompt)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return GeneratedImage(out.getvalue(), size[0], size[1], MODEL)


class LocalProvider:
    """Offline stand-in for OpenAI: built-in deny-list as moderation, Pillow as the model."""

    name = "local"

    def moderate(self, prompt: str) -> ModerationVerdict:
        flags = builtin_flags(prompt)
        return ModerationVerdict(bool(flags), flags)

    def generate(self, request: ImageRequest) -> list[GeneratedImage]:
        return [draw(request, variant) for variant in range(max(1, request.n))]

    def remove_background(self, image: bytes, user_ref: str | None = None) -> GeneratedImage:
        """The offline cut-out (plain backgrounds only): no model to ask offline."""
        try:
            cutout = cut_out(image, CUTOUT_MAX_PIXELS)
        except NotSimple as exc:
            raise ProviderError(exc.code, retryable=False, public=exc.message) from None
        return GeneratedImage(cutout.png, cutout.width, cutout.height, CUTOUT_MODEL)
