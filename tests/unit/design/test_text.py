"""Text: the installed fonts, kerning, spacing, alignment, arcs, and the layout rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pytest
from PIL import features

from app.design import DesignError, FontRegistry, RenderInputs, parse_design, render_area_pil
from app.design.document import TextLayer
from app.design.fonts import FAMILIES, advance_em
from app.design.text_layout import layout_text

from .conftest import design, template, text

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]


def _layer(value: str, **extra: object) -> TextLayer:
    layer = parse_design(design(text(value, **extra))).areas["front"][0]
    assert isinstance(layer, TextLayer)
    return layer


def _ink(image_alpha: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(image_alpha)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def test_every_curated_family_is_installed_with_a_regular_face(fonts: FontRegistry) -> None:
    assert set(fonts.families) == {f.name for f in FAMILIES}
    for family in fonts.families:
        face = fonts.face(family)
        assert (face.weight, face.style) == (400, "normal")
        assert face.files[0].path.suffix == ".ttf"
        assert face.file_index("A") == 0


def test_text_renders_with_the_installed_font(inputs_for: Inputs) -> None:
    spec = template(width_mm=60, height_mm=20, dpi=150, bleed_mm=0)
    doc = parse_design(design(text("Hello", size_mm=10, color="#123456", x_mm=5, y_mm=5)))

    image = np.asarray(render_area_pil(doc, spec, "front", inputs_for({})))

    left, top, right, bottom = _ink(image[..., 3])
    assert right - left > 100
    assert bottom - top > 30
    assert image[image[..., 3] == 255][:, :3].tolist()[0] == [0x12, 0x34, 0x56]
    # Top of the line box is y = 5 mm; the capital H starts below it (half-leading + ascent gap).
    assert top > round(5 * 150 / 25.4)


@pytest.mark.skipif(not features.check("raqm"), reason="kerning needs Raqm (HarfBuzz)")
def test_kerning_pairs_are_tighter_than_their_glyphs(fonts: FontRegistry) -> None:
    path = str(fonts.face("Inter").files[0].path)

    assert advance_em(path, "AV") < advance_em(path, "A") + advance_em(path, "V") - 0.01

    straight = layout_text(_layer("AV", size_mm=10), fonts.face("Inter"))
    assert straight.glyphs[1].x_mm - straight.glyphs[0].x_mm < advance_em(path, "A") * 10


def test_letter_spacing_adds_between_characters_only(fonts: FontRegistry) -> None:
    face = fonts.face("Inter")
    tight = layout_text(_layer("ABCD", size_mm=10), face)
    loose = layout_text(_layer("ABCD", size_mm=10, letter_spacing_mm=2), face)

    assert loose.glyphs[3].x_mm - tight.glyphs[3].x_mm == pytest.approx(6)


@pytest.mark.parametrize(("align", "expected"), [("left", 0.0), ("center", -0.5), ("right", -1.0)])
def test_alignment_puts_the_anchor_at_the_left_middle_or_right(
    fonts: FontRegistry, align: str, expected: float
) -> None:
    layout = layout_text(_layer("Wide", x_mm=50, align=align), fonts.face("Inter"))

    last = layout.glyphs[-1]
    width = last.x_mm + last.advance_mm - layout.glyphs[0].x_mm
    assert layout.glyphs[0].x_mm == pytest.approx(50 + expected * width)


def test_lines_stack_by_line_spacing(fonts: FontRegistry) -> None:
    face = fonts.face("Inter")
    layout = layout_text(_layer("A\nB", size_mm=10, line_spacing=1.5, y_mm=20), face)

    first, second = layout.glyphs
    assert second.y_mm - first.y_mm == pytest.approx(15)
    # CSS line box: half the leading above the ascent.
    assert first.y_mm == pytest.approx(
        20 + (15 - (face.ascent + face.descent) * 10) / 2 + face.ascent * 10
    )


def test_an_arc_bends_the_line_symmetrically(fonts: FontRegistry) -> None:
    face = fonts.face("Roboto Mono")  # equal advances make the symmetry exact
    layout = layout_text(_layer("ABCDE", x_mm=50, align="center", arc_degrees=90), face)

    angles = [g.angle_deg for g in layout.glyphs]
    assert angles[2] == pytest.approx(0, abs=1e-9)
    assert angles[0] == pytest.approx(-angles[4])
    assert angles[0] < -20
    assert layout.glyphs[0].y_mm > layout.glyphs[2].y_mm  # the ends drop: an arch


def test_a_negative_arc_smiles(fonts: FontRegistry) -> None:
    layout = layout_text(_layer("ABCDE", arc_degrees=-90), fonts.face("Roboto Mono"))

    assert layout.glyphs[0].angle_deg > 20
    assert layout.glyphs[4].angle_deg < -20


def test_rotation_turns_the_layer_about_its_anchor(fonts: FontRegistry) -> None:
    face = fonts.face("Inter")
    layout = layout_text(_layer("AB", x_mm=10, y_mm=10, rotation_deg=90), face)

    assert all(g.angle_deg == 90 for g in layout.glyphs)
    assert layout.glyphs[1].x_mm < 10  # the baseline is now to the left of the anchor, going down
    assert layout.glyphs[1].y_mm > layout.glyphs[0].y_mm


def test_characters_come_from_the_subset_file_that_has_them(fonts: FontRegistry) -> None:
    face = fonts.face("Inter")
    layout = layout_text(_layer("AŁЖ"), face)

    files = [face.files[g.file].path.name for g in layout.glyphs]
    assert files == [
        "inter-latin-400-normal.ttf",
        "inter-latin-ext-400-normal.ttf",
        "inter-cyrillic-400-normal.ttf",
    ]
    assert layout.missing == ()


def test_characters_no_font_file_has_are_reported(fonts: FontRegistry) -> None:
    layout = layout_text(_layer("A\u4e2d"), fonts.face("Pacifico"))

    assert layout.missing == ("\u4e2d",)


def test_weight_and_style_pick_the_nearest_face(fonts: FontRegistry) -> None:
    assert (
        fonts.face("Inter", 700, "italic").weight,
        fonts.face("Inter", 700, "italic").style,
    ) == (700, "italic")
    assert fonts.face("Inter", 600).weight == 700
    assert fonts.face("Pacifico", 700, "italic").weight == 400  # the only face it has


def test_an_unknown_font_names_the_layer(inputs_for: Inputs) -> None:
    doc = parse_design(design(text("x"), text("x", font="Comic Sans")))

    with pytest.raises(DesignError) as caught:
        render_area_pil(doc, template(), "front", inputs_for({}))

    assert caught.value.path == "areas.front.layers[1].font"
    assert caught.value.message.startswith("unknown font 'Comic Sans'")
