"""Photo frames: an image layer's ``clip`` in the print raster and the PDF, and its cover crop."""

from __future__ import annotations

import io
import zlib
from typing import Any

import pytest
from PIL import Image

from app.design import FontRegistry, RenderInputs, parse_design, print_pdf
from app.design.raster import render_area_pil

from .conftest import assets, design, picture, template

# 50 x 30 mm at 150 dpi without bleed: 1 mm = 150 / 25.4 px.
SPEC = template(bleed_mm=0)
PX = 150 / 25.4


def _frame(clip: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    layer = {
        "type": "image",
        "src": "p.png",
        "x_mm": 10,
        "y_mm": 5,
        "width_mm": 20,
        "height_mm": 20,
        **extra,
    }
    return {**layer, "clip": clip} if clip is not None else layer


def _render(layer: dict[str, Any], fonts: FontRegistry, photo: bytes | None = None) -> Image.Image:
    files = {"p.png": photo or picture((400, 200), (255, 0, 0))}
    return render_area_pil(
        parse_design(design(layer)), SPEC, "front", RenderInputs(assets(files), fonts)
    )


def _alpha(image: Image.Image, x_mm: float, y_mm: float) -> int:
    value = image.getchannel("A").getpixel((round(x_mm * PX), round(y_mm * PX)))
    assert isinstance(value, int)
    return value


@pytest.mark.parametrize(
    ("clip", "corner", "edge_middle"),
    [
        (None, 255, 255),
        ({"shape": "rect"}, 255, 255),
        ({"shape": "ellipse"}, 0, 255),
        ({"shape": "rounded"}, 0, 255),
    ],
)
def test_a_frame_shows_the_photo_only_inside_its_shape(
    fonts: FontRegistry, clip: dict[str, Any] | None, corner: int, edge_middle: int
) -> None:
    image = _render(_frame(clip), fonts)

    assert _alpha(image, 20, 15) == 255  # the centre
    assert _alpha(image, 10.4, 5.4) == corner
    assert _alpha(image, 10.4, 15) == edge_middle
    assert _alpha(image, 9, 15) == 0  # outside the box


def test_a_mask_frame_takes_the_clipart_shape(fonts: FontRegistry) -> None:
    image = _render(_frame({"shape": "mask", "mask": "clipart:love/heart"}), fonts)

    assert _alpha(image, 20, 15) == 255
    assert _alpha(image, 20, 5.5) == 0  # the dip at the top of a heart
    bbox = image.getchannel("A").getbbox()
    assert bbox is not None
    left, top, right, bottom = bbox
    assert left >= 10 * PX - 1
    assert right <= 30 * PX + 1
    assert bottom <= 25 * PX + 1


def test_a_frame_without_a_crop_covers_it_instead_of_stretching(fonts: FontRegistry) -> None:
    # A wide photo, left half red, right half blue: covered, the square frame shows the middle.
    photo = Image.new("RGB", (400, 100), (255, 0, 0))
    photo.paste((0, 0, 255), (200, 0, 400, 100))
    out = io.BytesIO()
    photo.save(out, "PNG")

    framed = _render(_frame({"shape": "rect"}), fonts, out.getvalue())
    plain = _render(_frame(None), fonts, out.getvalue())

    left_px = (round(11 * PX), round(15 * PX))
    assert framed.getpixel(left_px)[:3] == (255, 0, 0)
    framed_at_quarter = framed.getpixel((round(15 * PX), round(15 * PX)))
    plain_at_quarter = plain.getpixel((round(15 * PX), round(15 * PX)))
    assert framed_at_quarter[:3] == (255, 0, 0)
    assert plain_at_quarter[:3] == (255, 0, 0)
    # covered: the frame spans only the middle 100 px of the photo, so 3/4 across is blue
    assert framed.getpixel((round(26 * PX), round(15 * PX)))[:3] == (0, 0, 255)


def test_the_pdf_embeds_a_framed_photo_with_a_soft_mask(fonts: FontRegistry) -> None:
    files = {"p.png": picture((400, 200), (255, 0, 0))}
    pdf = print_pdf(
        parse_design(design(_frame({"shape": "ellipse"}))),
        SPEC,
        "front",
        RenderInputs(assets(files), fonts),
    )

    assert b"/SMask" in pdf
    masks = [zlib.decompress(s) for s in _streams(pdf) if s]
    assert any(0 in m and 255 in m for m in masks)  # a mask with transparent and opaque parts


def _streams(pdf: bytes) -> list[bytes]:
    found = []
    for chunk in pdf.split(b"stream\n")[1:]:
        body = chunk.split(b"\nendstream")[0]
        try:
            zlib.decompress(body)
        except zlib.error:
            continue
        found.append(body)
    return found


def test_a_mask_frame_without_its_mask_is_refused() -> None:
    from app.design import DesignError

    with pytest.raises(DesignError) as caught:
        parse_design(design(_frame({"shape": "mask"})))

    assert caught.value.path == "areas.front.layers[0].clip.mask"
