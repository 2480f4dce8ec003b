"""Template specs from plain dicts, and the one mm -> px rule shared with the data model."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.demo import PRINT_AREA_VALUES, TEMPLATE_VALUES
from app.design import Frame, TemplateSpec, pixel_size
from app.design.template import Placement
from app.design.warp import Cylinder
from app.models import PrintArea


def test_the_demo_template_as_stored_builds_a_spec() -> None:
    data = {**TEMPLATE_VALUES, "print_areas": [{"key": "wrap", **PRINT_AREA_VALUES}]}

    spec = TemplateSpec.from_dict(data)

    area = spec.area("wrap")
    assert (area.width_mm, area.height_mm, area.dpi, area.bleed_mm) == (200.0, 90.0, 300, 3.0)
    # the mug's body on the mockup, the wrap bent around its 82 mm (app.design.warp)
    assert area.mockup == Placement(230, 140, 340, 373, Cylinder(257.61, 0.0))
    assert spec.fonts == ("Inter", "Playfair Display", "Roboto Slab", "Caveat")
    assert (spec.min_image_dpi, spec.max_layers) == (150, 12)


def test_areas_may_be_keyed_by_name() -> None:
    spec = TemplateSpec.from_dict({"areas": {"front": {"width_mm": "100.5", "height_mm": 50}}})

    assert spec.area_keys == ("front",)
    assert spec.area("front").width_mm == 100.5


@pytest.mark.parametrize(
    ("width", "height", "bleed", "dpi"),
    [
        ("200.00", "90.00", "3.00", 300),
        ("297", "420", "3", 300),
        ("50.8", "25.4", "0", 150),
        ("10.01", "7.77", "1.5", 72),
    ],
)
def test_pixel_size_matches_the_print_area_model(
    width: str, height: str, bleed: str, dpi: int
) -> None:
    row = PrintArea(
        width_mm=Decimal(width), height_mm=Decimal(height), bleed_mm=Decimal(bleed), dpi=dpi
    )
    spec = TemplateSpec.from_dict(
        {
            "print_areas": [
                {"key": "a", "width_mm": width, "height_mm": height, "bleed_mm": bleed, "dpi": dpi}
            ]
        }
    )

    assert pixel_size(spec.area("a")) == row.pixel_size
    frame = Frame.for_print(spec.area("a"))
    assert (frame.width_px, frame.height_px) == row.pixel_size


def test_frame_maps_millimetres_through_the_bleed() -> None:
    spec = TemplateSpec.from_dict(
        {"print_areas": [{"key": "a", "width_mm": 10, "height_mm": 10, "bleed_mm": 2, "dpi": 254}]}
    )

    frame = Frame.for_print(spec.area("a"))

    assert frame.px(0) == pytest.approx(20)  # 2 mm of bleed at 10 px/mm
    assert frame.snap(1.04) == 30
