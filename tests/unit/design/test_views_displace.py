"""Views of a print area and fabric displacement: the spec's parsing and the math."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from app.design import DesignError, RenderInputs, TemplateSpec, displace, parse_design, preview
from app.design.images import directory_assets
from app.design.template import Placement, View

BOX = {"x": 100, "y": 50, "width": 200, "height": 200}


def _spec(**area: Any) -> TemplateSpec:
    return TemplateSpec.from_dict(
        {"print_areas": [{"key": "front", "width_mm": 100, "height_mm": 100, **area}]}
    )


# ---------------------------------------------------------------- the spec


def test_views_follow_the_mockup_in_order_with_their_placements() -> None:
    area = _spec(
        mockup_placement=BOX,
        views=[
            {"name": " Back ", "mockup_placement": {**BOX, "displacement": {"strength_px": 8}}},
            {"name": "Side", "mockup_placement": {**BOX, "cylinder": {"circumference_mm": 300}}},
        ],
    ).area("front")

    assert area.view_count == 3
    assert area.placement(0) == Placement(100, 50, 200, 200)
    assert area.views[0] == View(
        "Back", Placement(100, 50, 200, 200, displacement=displace.Displacement(8.0))
    )
    assert area.placement(2) is area.views[1].placement
    assert area.placement(2).cylinder is not None  # type: ignore[union-attr]
    with pytest.raises(DesignError, match="no view with that number"):
        area.placement(3)
    with pytest.raises(DesignError):
        area.placement(-1)


@pytest.mark.parametrize(
    ("views", "path"),
    [
        ("back", "template.print_areas[0].views"),
        (["back"], "template.print_areas[0].views[0]"),
        ([{"mockup_placement": BOX}], "template.print_areas[0].views[0].name"),
        ([{"name": "  ", "mockup_placement": BOX}], "template.print_areas[0].views[0].name"),
        ([{"name": "Back"}], "template.print_areas[0].views[0].mockup_placement"),
        (
            [{"name": "B", "mockup_placement": {**BOX, "displacement": {"strength_px": 201}}}],
            "template.print_areas[0].views[0].mockup_placement.displacement.strength_px",
        ),
        (
            [{"name": "B", "mockup_placement": {**BOX, "displacement": {"strength_px": "x"}}}],
            "template.print_areas[0].views[0].mockup_placement.displacement.strength_px",
        ),
        (
            [{"name": "B", "mockup_placement": {**BOX, "displacement": 3}}],
            "template.print_areas[0].views[0].mockup_placement.displacement",
        ),
        (
            [{"name": f"V{n}", "mockup_placement": BOX} for n in range(8)],
            "template.print_areas[0].views",
        ),
    ],
)
def test_a_bad_view_names_its_path(views: Any, path: str) -> None:
    with pytest.raises(DesignError) as raised:
        _spec(mockup_placement=BOX, views=views)
    assert raised.value.path == path


# ---------------------------------------------------------------- the math


def test_flat_fabric_moves_nothing_and_folds_move_the_print_both_ways() -> None:
    flat = np.full((30, 40), 0.7)
    assert np.allclose(displace.offsets(flat, 20), 0)

    ys = np.arange(60, dtype=float)[:, None] * np.ones((1, 80))
    folds = 0.5 + 0.3 * np.sin(ys / 6)
    offset = displace.offsets(folds, 10)
    assert offset.mean() == pytest.approx(0, abs=1e-12)  # around the mean: the print stays put
    assert offset.max() > 1.5
    assert offset.min() < -1.5
    # a ridge (lighter) and a valley (darker) pull opposite ways, in proportion to the strength
    assert np.allclose(displace.offsets(folds, 20), 2 * offset)
    ridge, valley = (
        np.unravel_index(folds.argmax(), folds.shape),
        np.unravel_index(folds.argmin(), folds.shape),
    )
    assert offset[ridge] > 0 > offset[valley]


def test_the_blur_hides_the_weave_but_keeps_the_folds() -> None:
    rng = np.random.default_rng(7)
    weave = 0.6 + rng.uniform(-0.2, 0.2, (80, 80))
    assert displace.blur_radius(80, 80) == 2
    assert np.abs(displace.offsets(weave, 10)).max() < np.abs((weave - weave.mean()) * 10).max() / 2


def test_luminance_weights_and_box_blur_by_hand() -> None:
    assert displace.luminance(np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]])) == pytest.approx(
        np.array([[0.299, 0.587, 0.114]])
    )
    # one bright column in a 3 x 5 box: radius 1, edges repeat, across then down
    lum = np.zeros((3, 5))
    lum[:, 2] = 3.0
    blurred_row = np.array([0, 1, 1, 1, 0], dtype=float)
    assert np.allclose(displace.offsets(lum, 1.0), blurred_row - blurred_row.mean())


def _folded_shirt(width: int, height: int) -> bytes:
    ys = np.arange(height)[:, None] * np.ones((1, width))
    tone = (200 + 45 * np.sin(ys / 10)).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(np.stack([tone] * 3, axis=-1)).save(out, "PNG")
    return out.getvalue()


def test_the_preview_on_fabric_moves_and_shades_the_print(tmp_path: Path) -> None:
    design = parse_design(
        {
            "version": 1,
            "areas": {
                "front": {
                    "layers": [
                        {
                            "id": "r",
                            "type": "shape",
                            "shape": "rect",
                            "fill": "#dc2626",
                            "x_mm": 25,
                            "y_mm": 25,
                            "width_mm": 50,
                            "height_mm": 50,
                        }
                    ]
                }
            },
        }
    )
    shirt = _folded_shirt(400, 300)
    inputs = RenderInputs(assets=directory_assets(tmp_path))
    folds = {**BOX, "displacement": {"strength_px": 30}}
    flat_spec = _spec(mockup_placement=BOX, views=[{"name": "Folds", "mockup_placement": folds}])

    def red(view: int) -> Any:
        png = preview(design, flat_spec, "front", inputs, shirt, view=view)
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
        return pixels, (pixels[..., 0] > 90) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)

    flat, flat_red = red(0)
    folded, folded_red = red(1)
    # flat: the block exactly where it is placed, its colour untouched
    assert np.nonzero(flat_red.any(0))[0][[0, -1]].tolist() == [150, 249]
    assert tuple(flat[150, 200]) == (220, 38, 38)
    # on the folds: its edges wander with them, and dark folds darken it
    edges = [np.nonzero(folded_red[row])[0][0] for row in range(110, 190)]
    assert max(edges) - min(edges) >= 10
    inside = folded[120:180, 190:210, 0]
    assert inside.min() < 200 < inside.max() + 1
    assert not np.array_equal(flat, folded)
