"""Design documents: the demo design parses; every kind of mistake names its exact field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.demo import DESIGN_DOCUMENT
from app.design import DesignError, parse_design, parse_design_json
from app.design.document import SCHEMA_PATH, ImageLayer, ShapeLayer, TextLayer

from .conftest import design, rect, text


def test_demo_design_parses_into_typed_layers() -> None:
    parsed = parse_design(DESIGN_DOCUMENT)

    layers = parsed.areas["wrap"]
    assert [type(layer) for layer in layers] == [TextLayer, ShapeLayer]
    assert layers[0] == TextLayer(
        text="Happy Birthday!",
        font="Inter",
        size_mm=10.0,
        x_mm=122.5,
        y_mm=56.0,
        color="#1f2937",
        align="center",
    )
    assert isinstance(layers[1], ShapeLayer)
    assert (layers[1].box.x_mm, layers[1].box.width_mm, layers[1].fill) == (82.5, 80.0, "#f59e0b")


def test_the_schema_file_is_the_one_in_the_repo() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["$defs"]) >= {"text", "image", "clipart", "shape"}


def test_image_layer_with_fractional_crop() -> None:
    layer = {
        "type": "image",
        "src": "uploads/cat.jpg",
        "crop": {"x": 0.1, "y": 0, "width": 0.5, "height": 1},
        "x_mm": 1,
        "y_mm": 2,
        "width_mm": 10,
        "height_mm": 20,
        "rotation_deg": 15,
        "opacity": 0.5,
    }

    parsed = parse_design(design(layer)).areas["front"][0]

    assert isinstance(parsed, ImageLayer)
    assert parsed.crop is not None
    assert parsed.crop.unit == "fraction"
    assert (parsed.box.rotation_deg, parsed.opacity, parsed.kind) == (15.0, 0.5, "image")


@pytest.mark.parametrize(
    ("_case", "layers", "path", "message"),
    [
        ("zero size", [text("Hi"), text("Hi"), text("Hi", size_mm=0)],
         "areas.front.layers[2].size_mm", "must be > 0"),
        ("missing field", [{"type": "text", "text": "x", "font": "Inter", "x_mm": 0, "y_mm": 0}],
         "areas.front.layers[0].size_mm", "is required"),
        ("bad colour", [text("x", color="red")],
         "areas.front.layers[0].color", "must be a colour like #1f2937"),
        ("unknown field", [text("x", colour="#fff")],
         "areas.front.layers[0]", "unknown field 'colour'"),
        ("wrong type", [rect(1, 1, "wide", 2)],
         "areas.front.layers[0].width_mm", "must be a number"),
        ("bad align", [text("x", align="justify")],
         "areas.front.layers[0].align", 'must be one of "left", "center", "right"'),
        ("bad layer type", [{"type": "sticker"}],
         "areas.front.layers[0].type", 'must be one of "text", "image", "clipart", "shape"'),
        ("opacity", [rect(0, 0, 1, 1, opacity=1.5)],
         "areas.front.layers[0].opacity", "must be <= 1"),
        ("arc too far", [text("x", arc_degrees=400)],
         "areas.front.layers[0].arc_degrees", "must be <= 360"),
        ("zero-width rect", [rect(0, 0, 0, 5)],
         "areas.front.layers[0].width_mm", "must be > 0"),
        ("line without width", [rect(0, 0, 5, 0, shape="line", stroke="#000000")],
         "areas.front.layers[0].stroke_width_mm", "a line needs a width > 0"),
        ("crop past the edge",
         [{"type": "image", "src": "a", "x_mm": 0, "y_mm": 0, "width_mm": 1, "height_mm": 1,
           "crop": {"x": 0.6, "y": 0, "width": 0.6, "height": 1}}],
         "areas.front.layers[0].crop", "a fractional crop must stay within 0..1"),
    ],
)  # fmt: skip
def test_bad_layers_name_the_field(
    _case: str, layers: list[dict[str, Any]], path: str, message: str
) -> None:
    with pytest.raises(DesignError) as caught:
        parse_design(design(*layers))

    assert (caught.value.path, caught.value.message) == (path, message)
    assert str(caught.value) == f"{path}: {message}"
    assert caught.value.area == "front"


@pytest.mark.parametrize(
    ("_case", "document", "path", "message"),
    [
        ("no version", {"areas": {}}, "version", "is required"),
        ("future version", {"version": 2, "areas": {}}, "version", "must be 1"),
        ("areas not an object", {"version": 1, "areas": []}, "areas", "must be an object"),
        ("not an object", [], "", "must be an object"),
    ],
)
def test_bad_documents_name_the_field(_case: str, document: Any, path: str, message: str) -> None:
    with pytest.raises(DesignError) as caught:
        parse_design(document)

    assert (caught.value.path, caught.value.message) == (path, message)


def test_every_problem_is_reported_not_just_the_first() -> None:
    with pytest.raises(DesignError) as caught:
        parse_design(design(text("x", size_mm=-1), rect(0, 0, 1, 1, fill="#12")))

    assert [e.path for e in caught.value.all] == [
        "areas.front.layers[0].size_mm",
        "areas.front.layers[1].fill",
    ]
    assert caught.value.layer == 0


def test_invalid_json_text_is_a_design_error() -> None:
    with pytest.raises(DesignError, match="not valid JSON"):
        parse_design_json(b"{nope")
