"""The print file, the 2D mockup and the 3D model agree on where the design is.

One red marker on the demo mug's wrap (200 x 90 mm), 20 mm right of its middle: found in the
print PNG where its millimetres say, on the mockup where the wrap bends around the body
(``app.design.warp``: not squeezed flat), and on the GLB where a ray from the viewer's camera,
turned by the marker's angle around the mug, meets the model — while the camera the viewer
opens with (``model_view``'s orbit) looks straight at the wrap's middle, and the handle and rim
stay the product's colour.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pytest
from PIL import Image

from app.demo import MOCKUP_PLACEMENT, PRINT_AREA_VALUES, render_mug_mockup
from app.design import FontRegistry, RenderInputs, TemplateSpec, parse_design
from app.design.errors import DesignError
from app.design.mesh import area_textures, build_glb
from app.design.models3d.mug import HEIGHT, RADIUS, SIDE
from app.design.models3d.view import model_view
from app.design.raster import preview, print_png
from app.design.warp import Cylinder

from .conftest import rect
from .test_mesh import hit, load, texture_rgb

MARKER_MM = (120.0, 45.0)  # the marker's middle on the wrap
SIZE_MM = 8.0
WIDTH_MM, HEIGHT_MM = 200.0, 90.0
CIRCUMFERENCE = MOCKUP_PLACEMENT["cylinder"]["circumference_mm"]


def _template(**placement: Any) -> TemplateSpec:
    area = {**PRINT_AREA_VALUES, "key": "wrap", "bleed_mm": 0}
    if placement:
        area["mockup_placement"] = placement
    return TemplateSpec.from_dict({"print_areas": [area]})


def _marker_design() -> Any:
    x, y = MARKER_MM
    layer = rect(x - SIZE_MM / 2, y - SIZE_MM / 2, SIZE_MM, SIZE_MM, fill="#ff0000")
    return parse_design({"version": 1, "areas": {"wrap": {"layers": [layer]}}})


def _red_middle(png: bytes) -> tuple[float, float]:
    """The middle of the clearly red pixels."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    red = (pixels[..., 0] > 180) & (pixels[..., 1] < 90) & (pixels[..., 2] < 90)
    ys, xs = np.nonzero(red)
    assert xs.size, "no red marker in the picture"
    return float(xs.mean()), float(ys.mean())


@pytest.fixture(scope="module")
def inputs() -> RenderInputs:
    return RenderInputs(lambda _ref: b"", FontRegistry.load())


def test_the_print_has_the_marker_at_its_millimetres(inputs: RenderInputs) -> None:
    png = print_png(_marker_design(), _template(), "wrap", inputs, dpi=100)

    x, y = _red_middle(png)

    assert x == pytest.approx(MARKER_MM[0] * 100 / 25.4, abs=1.0)
    assert y == pytest.approx(MARKER_MM[1] * 100 / 25.4, abs=1.0)


def test_the_mockup_bends_the_wrap_around_the_mug(inputs: RenderInputs) -> None:
    png = preview(
        _marker_design(), _template(**MOCKUP_PLACEMENT), "wrap", inputs, render_mug_mockup()
    )

    x, y = _red_middle(png)

    place = MOCKUP_PLACEMENT
    angle = (MARKER_MM[0] - WIDTH_MM / 2) / CIRCUMFERENCE * math.tau
    expected_x = place["x"] + (math.sin(angle) + 1) / 2 * place["width"]
    flat_x = place["x"] + MARKER_MM[0] / WIDTH_MM * place["width"]  # the old squeezed placement
    assert x == pytest.approx(expected_x, abs=1.5)
    assert abs(x - flat_x) > 20
    assert y == pytest.approx(place["y"] + MARKER_MM[1] / HEIGHT_MM * place["height"], abs=1.5)


def test_past_the_visible_half_of_the_mug_the_wrap_is_hidden(inputs: RenderInputs) -> None:
    """The wrap's ends are round the back: the marker there is not on the picture."""
    layer = rect(2, 41, SIZE_MM, SIZE_MM, fill="#ff0000")
    design = parse_design({"version": 1, "areas": {"wrap": {"layers": [layer]}}})

    png = preview(design, _template(**MOCKUP_PLACEMENT), "wrap", inputs, render_mug_mockup())

    with pytest.raises(AssertionError, match="no red marker"):
        _red_middle(png)


def test_a_view_from_the_side_shows_the_wrap_turned_by_its_offset(inputs: RenderInputs) -> None:
    """A mockup with the handle on the right faces the point a quarter turn from the middle."""
    quarter = CIRCUMFERENCE / 4
    side = {
        **MOCKUP_PLACEMENT,
        "cylinder": {"circumference_mm": CIRCUMFERENCE, "offset_mm": quarter},
    }

    x, _y = _red_middle(
        preview(_marker_design(), _template(**side), "wrap", inputs, render_mug_mockup())
    )

    angle = (MARKER_MM[0] - WIDTH_MM / 2 - quarter) / CIRCUMFERENCE * math.tau
    assert x == pytest.approx(side["x"] + (math.sin(angle) + 1) / 2 * side["width"], abs=1.5)


def test_the_3d_model_shows_the_marker_where_the_camera_turned_by_its_angle_meets_it(
    inputs: RenderInputs,
) -> None:
    textures = area_textures(_marker_design(), _template(), inputs, "mug")
    mesh = load(build_glb("mug", textures, "#ffffff", texture_px=1024))
    view = model_view("mug", {"wrap": WIDTH_MM / HEIGHT_MM})
    camera = math.radians(float(view["orbit"].split("deg")[0]))
    place = view["areas"]["wrap"]
    # where the marker's middle is on the atlas, then on the mug (the outer wall unrolls SIDE)
    u = place["u0"] + MARKER_MM[0] / WIDTH_MM * (place["u1"] - place["u0"])
    v = place["v1"] - MARKER_MM[1] / HEIGHT_MM * (place["v1"] - place["v0"])
    marker_azimuth = math.pi / 2 + math.tau * (u - SIDE.u0) / (SIDE.u1 - SIDE.u0)
    marker_height = (v - SIDE.v0) / (SIDE.v1 - SIDE.v0) * HEIGHT

    def seen_from(azimuth: float, height: float) -> tuple[int, ...]:
        direction = np.array([math.sin(azimuth), 0.0, math.cos(azimuth)])
        _face, uv = hit(mesh, direction + np.array([0.0, height, 0.0]), -direction)
        return tuple(texture_rgb(mesh, uv)[:3])

    assert seen_from(marker_azimuth, marker_height) == (255, 0, 0)
    # the marker is 20 mm right of the middle: turned that way from where the camera opens
    assert 0 < math.remainder(marker_azimuth - camera, math.tau) < 0.5
    # the camera faces the middle of the wrap (white here), the handle is behind the mug
    assert seen_from(camera, marker_height) == (255, 255, 255)
    assert math.cos(camera - math.atan2(1.0, 0.0)) == pytest.approx(-1.0)  # handle at +X
    # above and below the band, and the handle, are the product's colour, not the design
    assert seen_from(marker_azimuth, HEIGHT * 0.02) == (255, 255, 255)
    assert RADIUS > 0


def test_the_viewer_opens_facing_the_print_on_every_model() -> None:
    """The orbit's azimuth is where each model's printable region faces."""
    orbits = {
        model: model_view(model, {key: ratio})["orbit"]
        for model, key, ratio in (
            ("mug", "wrap", 200 / 90),
            ("tshirt_front", "front", 0.8),
            ("poster_framed", "face", 0.75),
            ("phone_case", "back", 0.5),
        )
    }

    assert orbits == {
        "mug": "-90deg 75deg auto",  # the wrap is opposite the handle (+X)
        "tshirt_front": "0deg 75deg auto",
        "poster_framed": "0deg 75deg auto",
        "phone_case": "0deg 75deg auto",
    }


def test_a_wrap_only_covers_its_turn_of_the_mug() -> None:
    cylinder = Cylinder(CIRCUMFERENCE)

    assert cylinder.source_mm(0.0, WIDTH_MM) == pytest.approx(100.0)
    assert cylinder.source_mm(1.0, WIDTH_MM) == pytest.approx(100 + CIRCUMFERENCE / 4)
    assert cylinder.source_mm(1.5, WIDTH_MM) is None
    assert Cylinder(CIRCUMFERENCE, 80.0).source_mm(1.0, WIDTH_MM) is None  # past the wrap's end


@pytest.mark.parametrize(
    ("cylinder", "message"),
    [
        ({"circumference_mm": 5}, "must be from 10 to 3000 mm"),
        ({"circumference_mm": "x"}, "must be a number"),
        ({"circumference_mm": 250, "offset_mm": 400}, "within one turn"),
        ("round", "must be an object"),
    ],
)
def test_a_bad_cylinder_is_refused_in_words(cylinder: Any, message: str) -> None:
    with pytest.raises(DesignError, match=message):
        _template(**{**MOCKUP_PLACEMENT, "cylinder": cylinder})


def test_a_thumbnail_is_framed_on_the_print(inputs: RenderInputs) -> None:
    """The cart line's and order page's picture: the print and a margin of mug around it, not
    the whole backdrop — the marker takes a larger share of it than of the full mockup."""
    template = _template(**MOCKUP_PLACEMENT)
    mockup = render_mug_mockup()
    full = Image.open(io.BytesIO(preview(_marker_design(), template, "wrap", inputs, mockup)))
    png = preview(_marker_design(), template, "wrap", inputs, mockup, focus=True)
    framed = Image.open(io.BytesIO(png))

    place = MOCKUP_PLACEMENT
    margin = round(max(place["width"], place["height"]) / 4)
    assert framed.size == (place["width"] + 2 * margin, full.height - (place["y"] - margin))
    x, _y = _red_middle(png)
    assert x == pytest.approx(
        _red_middle(preview(_marker_design(), template, "wrap", inputs, mockup))[0]
        - (place["x"] - margin),
        abs=1,
    )
