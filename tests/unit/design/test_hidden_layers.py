"""Issue #19: a layer the shopper hid stays in the design but is never drawn or printed."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import numpy as np
import pypdf
import pytest
from PIL import Image

from app.design import (
    DesignError,
    FontRegistry,
    RenderInputs,
    parse_design,
    preflight,
    print_pdf,
    print_png,
)

from .conftest import assets, design, picture, rect, template, text

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]


def _photo(**extra: object) -> dict[str, object]:
    layer = {"type": "image", "src": "p.png", "x_mm": 0, "y_mm": 0, "width_mm": 20, "height_mm": 10}
    return {**layer, **extra}


def test_hidden_and_locked_are_part_of_the_document() -> None:
    doc = parse_design(
        design(rect(1, 1, 5, 5, hidden=True, locked=True), text("Hi", hidden=True), _photo())
    )

    assert [layer.hidden for layer in doc.areas["front"]] == [True, True, False]
    with pytest.raises(DesignError) as refused:
        parse_design(design(rect(1, 1, 5, 5, hidden="yes")))
    assert refused.value.path == "areas.front.layers[0].hidden"


def test_a_hidden_layer_is_not_in_the_print_png(inputs_for: Inputs) -> None:
    spec = template(width_mm=60, height_mm=40, dpi=100, bleed_mm=0)
    shown = rect(10, 10, 20, 10, fill="#ff0000")
    hidden = rect(35, 10, 20, 10, fill="#0000ff", hidden=True)

    png = print_png(parse_design(design(shown, hidden)), spec, "front", inputs_for({}))

    pixels = np.asarray(Image.open(io.BytesIO(png)))
    assert pixels[round(15 * 100 / 25.4), round(20 * 100 / 25.4)].tolist() == [255, 0, 0, 255]
    assert pixels[round(15 * 100 / 25.4), round(45 * 100 / 25.4)][3] == 0  # nothing drawn


def test_a_hidden_layer_is_not_in_the_print_pdf(inputs_for: Inputs) -> None:
    doc = parse_design(
        design(text("Shown", font="Lora"), text("Secret", font="Lora", y_mm=15, hidden=True))
    )

    reader = pypdf.PdfReader(io.BytesIO(print_pdf(doc, template(), "front", inputs_for({}))))

    written = reader.pages[0].extract_text().replace("\n", "")
    assert "Shown" in written
    assert "Secret" not in written


def test_preflight_ignores_what_will_not_print(fonts: FontRegistry) -> None:
    off_the_area = rect(70, 10, 5, 5, fill="#000000")
    spec = template(width_mm=60, height_mm=40)

    hidden = preflight(
        parse_design(design({**off_the_area, "hidden": True})), spec, assets({}), fonts
    )
    shown = preflight(parse_design(design(off_the_area)), spec, assets({}), fonts)

    assert [f.code for f in shown] == ["outside_print_area"]
    assert hidden == []


def test_a_hidden_photo_is_not_read_at_all(inputs_for: Inputs) -> None:
    spec = template(width_mm=60, height_mm=40, dpi=100)
    doc = parse_design(design(_photo(hidden=True), _photo(src="q.png", x_mm=30)))

    png = print_png(doc, spec, "front", inputs_for({"q.png": picture((200, 100))}))

    assert Image.open(io.BytesIO(png)).size == (round(66 * 100 / 25.4), round(46 * 100 / 25.4))
