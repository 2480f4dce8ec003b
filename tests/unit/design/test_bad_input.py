"""Bad pictures and references: each a DesignError naming the layer, never a crash."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Mapping

import pytest
from PIL import Image

from app.design import DesignError, RenderInputs, TemplateSpec, parse_design, print_pdf, print_png

from .conftest import design, picture, template

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]


def _image(src: str = "p.png", kind: str = "image") -> dict[str, object]:
    return {"type": kind, "src": src, "x_mm": 1, "y_mm": 1, "width_mm": 10, "height_mm": 10}


def _bomb(width: int, height: int) -> bytes:
    """A real PNG header announcing a huge picture (its data would never be decoded)."""
    png = picture((1, 1))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return png[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + png[33:]


def _truncated_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()[: len(out.getvalue()) // 2]


@pytest.mark.parametrize(
    ("_case", "files", "layer", "path", "message"),
    [
        ("missing", {}, _image(), "areas.front.layers[1].src", "the file 'p.png' was not found"),
        ("empty", {"p.png": b""}, _image(),
         "areas.front.layers[1].src", "the file 'p.png' is empty"),
        ("not an image", {"p.png": b"hello world" * 10}, _image(),
         "areas.front.layers[1].src", "the file is not an image we can read"),
        ("truncated", {"p.png": _truncated_jpeg()}, _image(),
         "areas.front.layers[1].src", "the image file is damaged or truncated"),
        ("decompression bomb", {"p.png": _bomb(20_000, 20_000)}, _image(),
         "areas.front.layers[1].src",
         "the image is 20000x20000 px (400 megapixels); the limit is 100 megapixels"),
        ("svg as a photo", {"p.png": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}, _image(),
         "areas.front.layers[1].src", "an SVG can only be used as clipart"),
        ("broken svg clipart", {"p.png": b"<svg><g></svg"}, _image(kind="clipart"),
         "areas.front.layers[1].src", "the SVG could not be read"),
        ("crop outside", {"p.png": picture((100, 100))},
         {**_image(), "crop": {"unit": "px", "x": 50, "y": 0, "width": 60, "height": 10}},
         "areas.front.layers[1].crop", "goes outside the image (100x100 px)"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("render", [print_png, print_pdf])
def test_bad_pictures_name_the_layer(
    render: Callable[..., bytes],
    inputs_for: Inputs,
    _case: str,
    files: dict[str, bytes],
    layer: dict[str, object],
    path: str,
    message: str,
) -> None:
    doc = parse_design(design(_image("ok.png"), layer))

    with pytest.raises(DesignError) as caught:
        render(doc, template(), "front", inputs_for({"ok.png": picture((50, 50)), **files}))

    assert (caught.value.path, caught.value.message) == (path, message)
    assert (caught.value.area, caught.value.layer) == ("front", 1)


def test_svg_clipart_renders(inputs_for: Inputs) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<circle cx="5" cy="5" r="5" fill="#00f"/></svg>'
    )
    doc = parse_design(design(_image("star.svg", kind="clipart")))

    png = print_png(doc, template(), "front", inputs_for({"star.svg": svg}))

    image = Image.open(io.BytesIO(png))
    centre = round((3 + 6) * 150 / 25.4)
    assert image.getpixel((centre, centre)) == (0, 0, 255, 255)


def test_an_area_the_template_lacks_is_named(inputs_for: Inputs) -> None:
    with pytest.raises(DesignError) as caught:
        print_png(parse_design(design(area="back")), template(), "back", inputs_for({}))

    assert caught.value.path == "areas.back"


@pytest.mark.parametrize(
    ("_case", "data", "path", "message"),
    [
        ("no areas", {"print_areas": []},
         "template.print_areas", "at least one print area is required"),
        ("no width", {"print_areas": [{"key": "f", "height_mm": 1}]},
         "template.print_areas[0].width_mm", "must be a number"),
        ("zero height", {"print_areas": [{"key": "f", "width_mm": 1, "height_mm": 0}]},
         "template.print_areas[0].height_mm", "must be > 0"),
        ("bad placement",
         {"print_areas": [{"key": "f", "width_mm": 1, "height_mm": 1,
                           "mockup_placement": {"x": 1}}]},
         "template.print_areas[0].mockup_placement", "needs whole-number x, y, width and height"),
    ],
)  # fmt: skip
def test_bad_templates_name_the_field(
    _case: str, data: dict[str, object], path: str, message: str
) -> None:
    with pytest.raises(DesignError) as caught:
        TemplateSpec.from_dict(data)

    assert (caught.value.path, caught.value.message) == (path, message)
