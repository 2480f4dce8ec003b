"""A photo's own edits (turn, flips, filters, crop) as the print raster and the PDF draw them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from app.design import DesignError, FontRegistry, RenderInputs, parse_design, print_pdf
from app.design.document import ImageLayer
from app.design.images import effective_dpi, open_source
from app.design.raster import render_area_pil

from .conftest import assets, design, template

SPEC = template(bleed_mm=0)  # 50 x 30 mm at 150 dpi
PX = 150 / 25.4
RED, BLUE = (255, 0, 0), (0, 0, 255)


def _halves(size: tuple[int, int] = (40, 20), left: Any = RED, right: Any = BLUE) -> bytes:
    """Left half one colour, right half another."""
    image = Image.new("RGB", size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _quadrants() -> bytes:
    """Red top-left, blue top-right, green bottom-left, white bottom-right."""
    image = Image.new("RGB", (40, 40), (255, 255, 255))
    image.paste(RED, (0, 0, 20, 20))
    image.paste(BLUE, (20, 0, 40, 20))
    image.paste((0, 255, 0), (0, 20, 20, 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _photo(**extra: Any) -> dict[str, Any]:
    layer = {"type": "image", "src": "p.png", "x_mm": 10, "y_mm": 5, "width_mm": 20}
    return {**layer, "height_mm": 10, **extra}


def _render(layer: dict[str, Any], fonts: FontRegistry, photo: bytes) -> Image.Image:
    inputs = RenderInputs(assets({"p.png": photo}), fonts)
    return render_area_pil(parse_design(design(layer)), SPEC, "front", inputs).convert("RGBA")


def _at(image: Image.Image, x_mm: float, y_mm: float) -> tuple[int, ...]:
    value = image.getpixel((round(x_mm * PX), round(y_mm * PX)))
    assert isinstance(value, tuple)
    return value[:3]


def test_a_flipped_picture_lands_mirrored(fonts: FontRegistry) -> None:
    plain = _render(_photo(), fonts, _halves())
    flipped = _render(_photo(flip_x=True), fonts, _halves())

    assert _at(plain, 12, 10) == RED
    assert _at(plain, 28, 10) == BLUE
    assert _at(flipped, 12, 10) == BLUE
    assert _at(flipped, 28, 10) == RED


def test_a_vertical_flip_and_a_half_turn_agree(fonts: FontRegistry) -> None:
    upside_down = _render(_photo(flip_y=True, height_mm=20), fonts, _quadrants())
    turned = _render(_photo(turn=180, height_mm=20, flip_x=True), fonts, _quadrants())

    assert _at(upside_down, 12, 7) == (0, 255, 0)  # green came up to the top left
    assert _at(upside_down, 12, 23) == RED
    assert _at(turned, 12, 7) == (0, 255, 0)
    assert _at(turned, 28, 23) == BLUE


def test_a_quarter_turn_turns_the_picture_clockwise_inside_its_box(fonts: FontRegistry) -> None:
    image = _render(_photo(turn=90, height_mm=20), fonts, _quadrants())

    assert _at(image, 12, 7) == (0, 255, 0)  # what was bottom-left is now top-left
    assert _at(image, 28, 7) == RED
    assert _at(image, 28, 23) == BLUE
    assert _at(image, 12, 23) == (255, 255, 255)


def test_grayscale_has_equal_channels_and_the_rec709_luma(fonts: FontRegistry) -> None:
    image = _render(_photo(filters={"grayscale": True}), fonts, _halves())

    r, g, b = _at(image, 12, 10)
    assert r == g == b == round(0.2126 * 255)
    assert len(set(_at(image, 28, 10))) == 1


def test_sepia_brightness_and_contrast_follow_the_css_formulas(fonts: FontRegistry) -> None:
    grey = _halves(left=(100, 100, 100), right=(200, 200, 200))
    bright = _render(_photo(filters={"brightness": 1.5}), fonts, grey)
    flat = _render(_photo(filters={"contrast": 0.5}), fonts, grey)
    sepia = _render(_photo(filters={"sepia": True}), fonts, grey)

    assert _at(bright, 12, 10) == (150, 150, 150)
    assert _at(bright, 28, 10) == (255, 255, 255)  # clamped
    assert _at(flat, 12, 10) == (114, 114, 114)  # (100 - 127.5) * 0.5 + 127.5 = 113.75
    assert _at(sepia, 12, 10) == (135, 120, 94)  # 100 x each row's sum, the top one clamped


def test_a_crop_keeps_only_the_chosen_region(fonts: FontRegistry) -> None:
    crop = {"x": 0.5, "y": 0, "width": 0.5, "height": 1}
    image = _render(_photo(crop=crop), fonts, _halves())

    assert _at(image, 11, 10) == BLUE
    assert _at(image, 29, 10) == BLUE


def test_the_pdf_draws_the_same_edits(fonts: FontRegistry) -> None:
    layer = _photo(flip_x=True, filters={"grayscale": True})
    inputs = RenderInputs(assets({"p.png": _halves()}), fonts)

    pdf = print_pdf(parse_design(design(layer)), SPEC, "front", inputs)

    images = list(PdfReader(io.BytesIO(pdf)).pages[0].images)
    assert len(images) == 1
    picture = images[0].image
    assert picture is not None
    rgb = picture.convert("RGB")
    left = rgb.getpixel((2, rgb.height // 2))
    right = rgb.getpixel((rgb.width - 3, rgb.height // 2))
    assert left == (round(0.0722 * 255),) * 3  # blue came left, in grey
    assert right == (round(0.2126 * 255),) * 3


@pytest.mark.parametrize(
    ("_case", "extra", "path"),
    [
        ("turn not a quarter", {"turn": 45}, "areas.front.layers[0].turn"),
        ("brightness too high", {"filters": {"brightness": 3}}, "areas.front.layers[0].filters"),
        ("unknown filter", {"filters": {"blur": 2}}, "areas.front.layers[0].filters"),
        ("flip not a boolean", {"flip_x": "yes"}, "areas.front.layers[0].flip_x"),
    ],
)
def test_bad_edits_are_refused_by_name(_case: str, extra: dict[str, Any], path: str) -> None:
    with pytest.raises(DesignError) as caught:
        parse_design(design(_photo(**extra)))

    assert caught.value.path.startswith(path)


def test_a_quarter_turned_photo_is_measured_along_the_box_side_it_spans() -> None:
    photo = _halves(size=(400, 200))
    source = open_source(photo, "p", allow_svg=False)
    upright = parse_design(design(_photo(width_mm=20, height_mm=40))).areas["front"][0]
    turned = parse_design(design(_photo(width_mm=20, height_mm=40, turn=90))).areas["front"][0]
    assert isinstance(upright, ImageLayer)
    assert isinstance(turned, ImageLayer)

    assert effective_dpi(source, upright, "p") == pytest.approx(127)  # 200 px over 40 mm
    assert effective_dpi(source, turned, "p") == pytest.approx(254)  # 400 px over 40 mm
