"""Print PNGs: exact pixel size, DPI and sRGB profile in the file, layers on the right pixels."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import numpy as np
import pytest
from PIL import Image, ImageCms

from app.design import RenderInputs, parse_design, preview, print_png, render_area_pil

from .conftest import design, picture, rect, template

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]


def _px(mm: float, dpi: int) -> int:
    """Where a partner would expect an edge: mm from the bleed edge, times DPI / 25.4, rounded."""
    return round(mm * dpi / 25.4)


def _opaque_span(alpha: np.ndarray, axis: int) -> tuple[int, int]:
    """First and one-past-last row/column that holds any opaque pixel."""
    hits = np.flatnonzero((alpha > 0).any(axis=axis))
    return int(hits[0]), int(hits[-1]) + 1


@pytest.mark.parametrize("dpi", [300, 150])
def test_a_rectangle_lands_on_exactly_its_pixels(dpi: int, inputs_for: Inputs) -> None:
    spec = template(width_mm=60, height_mm=40, dpi=dpi, bleed_mm=3)
    doc = parse_design(design(rect(10, 5, 20, 8.5, fill="#ff0000")))

    image = Image.open(io.BytesIO(print_png(doc, spec, "front", inputs_for({}))))

    pixels = np.asarray(image)
    columns = _opaque_span(pixels[..., 3], axis=0)
    rows = _opaque_span(pixels[..., 3], axis=1)
    assert columns == (_px(3 + 10, dpi), _px(3 + 10 + 20, dpi))
    assert rows == (_px(3 + 5, dpi), _px(3 + 5 + 8.5, dpi))
    inside = pixels[rows[0] : rows[1], columns[0] : columns[1]]
    assert (inside == [255, 0, 0, 255]).all()


@pytest.mark.parametrize("dpi", [300, 150])
def test_a_picture_fills_exactly_its_placed_box(dpi: int, inputs_for: Inputs) -> None:
    spec = template(width_mm=40, height_mm=30, dpi=dpi, bleed_mm=2)
    layer = {
        "type": "image",
        "src": "p.png",
        "x_mm": 4.2,
        "y_mm": 7,
        "width_mm": 15,
        "height_mm": 9,
    }
    doc = parse_design(design(layer))

    image = render_area_pil(doc, spec, "front", inputs_for({"p.png": picture((300, 180))}))

    alpha = np.asarray(image)[..., 3]
    assert _opaque_span(alpha, axis=0) == (_px(2 + 4.2, dpi), _px(2 + 4.2 + 15, dpi))
    assert _opaque_span(alpha, axis=1) == (_px(2 + 7, dpi), _px(2 + 7 + 9, dpi))
    assert np.asarray(image)[_px(2 + 10, dpi), _px(2 + 10, dpi)].tolist() == [0, 128, 255, 255]


def test_a_small_jpeg_drawn_larger_than_it_is_renders(inputs_for: Inputs) -> None:
    """A 150 x 100 px photo in a 50 mm box at 300 dpi (590 px): decoded whole, then enlarged
    (it used to fail with StopIteration looking for a JPEG shrink factor, a 500 for the
    shopper whose small photo was previewed large)."""
    spec = template(width_mm=60, height_mm=40, dpi=300, bleed_mm=0)
    layer = {"type": "image", "src": "p.jpg", "x_mm": 5, "y_mm": 5, "width_mm": 50, "height_mm": 30}
    doc = parse_design(design(layer))

    image = render_area_pil(
        doc, spec, "front", inputs_for({"p.jpg": picture((150, 100), (0, 128, 255), "JPEG")})
    )

    assert np.asarray(image)[_px(20, 300), _px(30, 300)].tolist()[3] == 255


def test_png_size_dpi_and_profile(inputs_for: Inputs) -> None:
    spec = template(width_mm=200, height_mm=90, dpi=300, bleed_mm=3)

    data = print_png(parse_design(design()), spec, "front", inputs_for({}))

    image = Image.open(io.BytesIO(data))
    assert image.size == (round(206 * 300 / 25.4), round(96 * 300 / 25.4)) == (2433, 1134)
    assert image.mode == "RGBA"
    # pHYs stores whole pixels per metre: 300 dpi is 11811 px/m, read back as 299.9994.
    assert [round(d) for d in image.info["dpi"]] == [300, 300]
    profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)


def test_dpi_override_changes_only_the_pixel_count(inputs_for: Inputs) -> None:
    spec = template(width_mm=50, height_mm=30, dpi=300, bleed_mm=3)

    data = print_png(parse_design(design()), spec, "front", inputs_for({}), dpi=100)

    image = Image.open(io.BytesIO(data))
    assert image.size == (round(56 * 100 / 25.4), round(36 * 100 / 25.4))
    assert [round(d) for d in image.info["dpi"]] == [100, 100]


def test_layers_stack_bottom_to_top_with_opacity(inputs_for: Inputs) -> None:
    spec = template(width_mm=20, height_mm=20, dpi=100, bleed_mm=0, background="#ffffff")
    doc = parse_design(
        design(rect(0, 0, 20, 20, fill="#0000ff"), rect(5, 5, 10, 10, fill="#ff0000", opacity=0.5))
    )

    image = render_area_pil(doc, spec, "front", inputs_for({}))

    assert image.getpixel((2, 2)) == (0, 0, 255, 255)
    red, green, blue, alpha = image.getpixel((39, 39))
    assert (green, alpha) == (0, 255)
    assert abs(red - 128) <= 1
    assert abs(blue - 127) <= 1


def test_a_rotated_rectangle_turns_about_its_centre(inputs_for: Inputs) -> None:
    spec = template(width_mm=40, height_mm=40, dpi=100, bleed_mm=0)
    doc = parse_design(design(rect(10, 18, 20, 4, rotation_deg=90)))

    alpha = np.asarray(render_area_pil(doc, spec, "front", inputs_for({})))[..., 3]

    # Now 4 mm wide and 20 mm tall, still centred on (20, 20) mm.
    left, right = _opaque_span(alpha, axis=0)
    top, bottom = _opaque_span(alpha, axis=1)
    assert abs(left - _px(18, 100)) <= 1
    assert abs(right - _px(22, 100)) <= 1
    assert abs(top - _px(10, 100)) <= 1
    assert abs(bottom - _px(30, 100)) <= 1


def test_exif_orientation_is_applied(inputs_for: Inputs) -> None:
    tall = Image.new("RGB", (40, 80), (255, 0, 0))
    tall.paste((0, 0, 255), (0, 0, 40, 40))  # blue on top
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": the displayed picture is 80 wide, 40 tall
    out = io.BytesIO()
    tall.save(out, "JPEG", exif=exif, quality=95)
    spec = template(width_mm=20, height_mm=10, dpi=100, bleed_mm=0)
    layer = {"type": "image", "src": "p.jpg", "x_mm": 0, "y_mm": 0, "width_mm": 20, "height_mm": 10}

    image = render_area_pil(
        parse_design(design(layer)), spec, "front", inputs_for({"p.jpg": out.getvalue()})
    )

    right_half = image.getpixel((60, 20))
    assert right_half[2] > 200
    assert right_half[0] < 60


def test_preview_puts_the_area_on_the_mockup(inputs_for: Inputs) -> None:
    placement = {"x": 20, "y": 10, "width": 100, "height": 60}
    spec = template(width_mm=50, height_mm=30, mockup_placement=placement)
    mockup = picture((160, 90), (200, 200, 200))
    doc = parse_design(design(rect(0, 0, 25, 30, fill="#00ff00")))

    data = preview(doc, spec, "front", inputs_for({}), mockup=mockup)

    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == (160, 90)
    assert image.getpixel((10, 40)) == (200, 200, 200)  # mockup, left of the area
    assert image.getpixel((45, 40)) == (0, 255, 0)  # left half of the area is green
    assert image.getpixel((100, 40)) == (200, 200, 200)  # right half shows the mockup


def test_webp_preview_without_a_mockup(inputs_for: Inputs) -> None:
    spec = template(width_mm=50, height_mm=30)

    data = preview(parse_design(design()), spec, "front", inputs_for({}), image_format="webp")

    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("WEBP", (800, 480))
