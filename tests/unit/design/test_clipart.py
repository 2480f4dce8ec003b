"""Curated clipart: refs resolve to installed SVGs, recolour, and keep to the template's sets."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pytest

from app.design import (
    DesignError,
    FontRegistry,
    RenderInputs,
    parse_design,
    preflight,
    render_area_pil,
)
from app.design.clipart import default_library, parse_ref, recolor

from .conftest import assets, design, template

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]


def _heart(**extra: object) -> dict[str, object]:
    return {
        "type": "clipart",
        "src": "clipart:love/heart",
        "x_mm": 10,
        "y_mm": 5,
        "width_mm": 20,
        "height_mm": 20,
        **extra,
    }


def test_every_curated_piece_is_installed_and_an_svg() -> None:
    library = default_library()
    assert {s.key for s in library.sets} >= {"love", "celebrations", "animals", "nature"}
    for clipart_set in library.sets:
        for item in clipart_set.items:
            assert library.read(item.ref).lstrip().startswith(b"<svg")
    assert library.licence == "MIT"


def test_refs_parse_strictly() -> None:
    assert parse_ref("clipart:love/heart") == ("love", "heart")
    for bad in ("clipart:love", "clipart:../x/heart", "clipart:love/heart.svg", "love/heart"):
        assert parse_ref(bad) is None


def test_a_coloured_piece_is_drawn_in_its_colour_inside_its_box(inputs_for: Inputs) -> None:
    spec = template(width_mm=40, height_mm=30, dpi=300, bleed_mm=0)
    doc = parse_design(design(_heart(color="#ff0000")))

    pixels = np.asarray(render_area_pil(doc, spec, "front", inputs_for({})))

    alpha = pixels[..., 3]
    rows, cols = np.nonzero(alpha)
    px = 300 / 25.4
    assert round(10 * px) <= cols.min() <= cols.max() < round(30 * px)
    assert round(5 * px) <= rows.min() <= rows.max() < round(25 * px)
    centre = pixels[round(15 * px), round(20 * px)]
    assert centre.tolist() == [255, 0, 0, 255]


def test_without_a_colour_a_piece_is_black(inputs_for: Inputs) -> None:
    spec = template(width_mm=40, height_mm=30, dpi=150, bleed_mm=0)
    pixels = np.asarray(
        render_area_pil(parse_design(design(_heart())), spec, "front", inputs_for({}))
    )
    px = 150 / 25.4
    assert pixels[round(15 * px), round(20 * px)].tolist() == [0, 0, 0, 255]


def test_recolor_touches_only_svg_text() -> None:
    png = b"\x89PNG\r\n\x1a\ncurrentColor"
    assert recolor(png, "#123456") == png
    assert recolor(b"<svg fill='currentColor'/>", "#abc") == b"<svg fill='#abc'/>"
    with pytest.raises(ValueError, match="not a colour"):
        recolor(b"<svg/>", "red;}")


def test_an_unknown_piece_is_a_clear_error_naming_the_layer(inputs_for: Inputs) -> None:
    doc = parse_design(design(_heart(src="clipart:love/unicorn")))
    with pytest.raises(DesignError) as error:
        render_area_pil(doc, template(), "front", inputs_for({}))
    assert "areas.front.layers[0].src" in str(error.value)
    assert "not found" in str(error.value)


def test_a_bad_colour_is_refused_by_the_schema() -> None:
    with pytest.raises(DesignError, match="color"):
        parse_design(design(_heart(color="red")))


def test_preflight_refuses_sets_the_template_does_not_offer(fonts: FontRegistry) -> None:
    doc = parse_design(design(_heart()))
    offered = template(clipart_sets=["animals"])
    findings = preflight(doc, offered, assets({}), fonts)
    assert [(f.severity, f.code) for f in findings] == [("error", "clipart_not_offered")]
    assert preflight(doc, template(clipart_sets=["love"]), assets({}), fonts) == []
    assert preflight(doc, template(), assets({}), fonts) == []  # a template file naming no sets


def test_preflight_warns_about_a_colour_not_offered(fonts: FontRegistry) -> None:
    doc = parse_design(design(_heart(color="#00ff00")))
    findings = preflight(doc, template(colors=["#000000"]), assets({}), fonts)
    assert [f.code for f in findings] == ["color_not_offered"]
