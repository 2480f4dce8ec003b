"""Preflight findings for crafted designs: low-DPI pictures, unsafe placement, tiny text..."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from app.design import Finding, FontRegistry, parse_design, preflight, preflight_document

from .conftest import assets, design, picture, rect, template, text


def _codes(findings: list[Finding]) -> list[tuple[str, int | None, str]]:
    return [(f.severity, f.layer, f.code) for f in findings]


def _photo(width_px: int, **extra: object) -> tuple[dict[str, object], dict[str, bytes]]:
    """An image layer one inch wide (so its DPI is its pixel width) and its picture."""
    layer = {
        "type": "image",
        "src": "p.png",
        "x_mm": 10,
        "y_mm": 10,
        "width_mm": 25.4,
        "height_mm": 5,
    }
    return {**layer, **extra}, {"p.png": picture((width_px, 400))}


def _check(
    *layers: dict[str, object],
    fonts: FontRegistry,
    files: Mapping[str, bytes] | None = None,
    **spec: Any,
) -> list[Finding]:
    values = {"width_mm": 60, "height_mm": 40, **spec}
    return preflight(parse_design(design(*layers)), template(**values), assets(files or {}), fonts)


@pytest.mark.parametrize(
    ("_case", "width_px", "policy", "expected"),
    [
        ("sharp: 300 dpi", 300, "refuse", []),
        ("soft: 120 dpi", 120, "refuse", [("warning", 0, "image_dpi_low")]),
        ("too low: 80 dpi, refused", 80, "refuse", [("error", 0, "image_dpi_too_low")]),
        ("too low: 80 dpi, warned", 80, "warn", [("warning", 0, "image_dpi_too_low")]),
    ],
)
def test_picture_resolution_at_its_placed_size(
    fonts: FontRegistry,
    _case: str,
    width_px: int,
    policy: str,
    expected: list[tuple[str, int, str]],
) -> None:
    layer, files = _photo(width_px)

    findings = _check(layer, fonts=fonts, files=files, min_image_dpi=100, low_dpi_policy=policy)

    assert _codes(findings) == expected


def test_the_dpi_is_in_the_message(fonts: FontRegistry) -> None:
    layer, files = _photo(80)

    (refused,) = _check(layer, fonts=fonts, files=files, min_image_dpi=100, low_dpi_policy="refuse")
    (warned,) = _check(layer, fonts=fonts, files=files, min_image_dpi=100)  # warn: the default

    assert refused.message.startswith("the picture is only 80 dpi at this size (this product needs")
    assert warned.message.startswith(
        "the picture is only 80 dpi at this size and will print blurry"
    )
    assert "can still be ordered" in warned.message
    finding = refused
    assert (finding.area, finding.as_dict()["code"]) == ("front", "image_dpi_too_low")


def test_a_cropped_picture_counts_only_the_cropped_pixels(fonts: FontRegistry) -> None:
    layer, files = _photo(280, crop={"x": 0, "y": 0, "width": 0.5, "height": 1})

    findings = _check(layer, fonts=fonts, files=files, min_image_dpi=100)

    assert _codes(findings) == [("warning", 0, "image_dpi_low")]  # 140 px over an inch


def test_content_crossing_the_safe_margin(fonts: FontRegistry) -> None:
    findings = _check(
        rect(1, 10, 10, 10, fill="#000000"),  # 1 mm from the left edge, margin is 3
        rect(10, 10, 10, 10, fill="#000000"),  # well inside
        text("Edge", x_mm=59, y_mm=10, align="right"),  # right end 1 mm from the edge
        fonts=fonts,
    )

    assert _codes(findings) == [
        ("warning", 0, "outside_safe_area"),
        ("warning", 2, "outside_safe_area"),
    ]


def test_a_full_bleed_background_is_not_a_problem(fonts: FontRegistry) -> None:
    findings = _check(rect(-3, -3, 66, 46, fill="#ffeeee"), fonts=fonts)

    assert findings == []


def test_a_layer_entirely_off_the_area(fonts: FontRegistry) -> None:
    findings = _check(rect(70, 10, 5, 5, fill="#000000"), fonts=fonts)

    assert _codes(findings) == [("warning", 0, "outside_print_area")]


def test_text_too_small_and_thin_lines(fonts: FontRegistry) -> None:
    findings = _check(
        text("tiny", size_mm=1.5, x_mm=10, y_mm=10),
        rect(10, 20, 20, 0, shape="line", stroke="#000000", stroke_width_mm=0.05),
        fonts=fonts,
    )

    assert _codes(findings) == [("warning", 0, "text_too_small"), ("warning", 1, "thin_line")]


def test_template_rules_fonts_colours_and_layer_count(fonts: FontRegistry) -> None:
    findings = _check(
        text("A", font="Lobster", x_mm=10, y_mm=10, color="#00ff00"),
        text("B", x_mm=10, y_mm=20, color="#000"),
        fonts=fonts,
        allowed_fonts=["Inter"],
        colors=["#000000"],
        max_layers=1,
    )

    assert _codes(findings) == [
        ("error", None, "too_many_layers"),
        ("error", 0, "font_not_allowed"),
        ("warning", 0, "color_not_offered"),
    ]


def test_empty_areas_and_areas_the_product_lacks(fonts: FontRegistry) -> None:
    document = {"version": 1, "areas": {"front": {"layers": []}, "moon": {"layers": []}}}

    findings = preflight(parse_design(document), template(), assets({}), fonts)

    assert [(f.area, f.severity, f.code) for f in findings] == [
        ("moon", "error", "unknown_area"),
        ("front", "info", "empty_area"),
    ]


def test_bad_layers_become_error_findings(fonts: FontRegistry) -> None:
    photo = {
        "type": "image",
        "src": "gone.jpg",
        "x_mm": 5,
        "y_mm": 5,
        "width_mm": 5,
        "height_mm": 5,
    }

    findings = _check(text("x", font="Wingdings", x_mm=10, y_mm=10), photo, fonts=fonts)

    assert _codes(findings) == [("error", 0, "unknown_font"), ("error", 1, "image_missing")]
    assert findings[1].message == "the file 'gone.jpg' was not found"


def test_a_document_failing_the_schema_is_reported_as_findings(fonts: FontRegistry) -> None:
    document = design(text("x", size_mm=0))

    findings = preflight_document(document, template(), assets({}), fonts)

    assert [(f.area, f.layer, f.code, f.message) for f in findings] == [
        ("front", 0, "invalid", "must be > 0")
    ]


def test_findings_read_well(fonts: FontRegistry) -> None:
    (finding,) = _check(rect(70, 10, 5, 5, fill="#000000"), fonts=fonts)

    assert (
        str(finding)
        == "WARNING front layer 1: this layer is outside the print area [outside_print_area]"
    )


def test_a_photo_too_small_for_its_frame_is_told_at_the_field(fonts: FontRegistry) -> None:
    from app.design import TemplateSpec

    field = {
        "id": "photo",
        "kind": "photo",
        "label": "Photo",
        "area": "front",
        "box": {"x_mm": 10, "y_mm": 10, "width_mm": 25.4, "height_mm": 25.4},
        "shape": "ellipse",
        "min_dpi": 150,
    }
    spec = TemplateSpec.from_dict(
        {
            "print_areas": [{"key": "front", "width_mm": 60, "height_mm": 60}],
            "fields": [field],
            "low_dpi_policy": "refuse",
        }
    )
    layer = {
        "type": "image",
        "field": "photo",
        "src": "p.png",
        "x_mm": 10,
        "y_mm": 10,
        "width_mm": 25.4,
        "height_mm": 25.4,
        "clip": {"shape": "ellipse"},
        "crop": {"x": 0, "y": 0, "width": 0.5, "height": 0.5},  # zoomed in: half the pixels
    }

    (finding,) = preflight(
        parse_design(design(layer)), spec, assets({"p.png": picture((192, 192))}), fonts
    )

    assert (finding.severity, finding.code, finding.path) == (
        "error",
        "image_dpi_too_low",
        "fields.photo",
    )
    assert finding.message == (
        "This photo is too small to print sharply in the frame: 96 dpi, needs 150. "
        "Use a larger photo or zoom out."
    )
    assert finding.as_dict()["path"] == "fields.photo"


def test_a_field_text_too_long_for_its_box_is_a_warning_at_the_field(fonts: FontRegistry) -> None:
    from app.design import TemplateSpec
    from app.design.fields import materialize

    field = {
        "id": "name",
        "kind": "text",
        "label": "Name",
        "area": "front",
        "box": {"x_mm": 10, "y_mm": 10, "width_mm": 30, "height_mm": 10},
        "size_mm": 8,
        "min_size_mm": 6,
        "max_chars": 100,
    }
    spec = TemplateSpec.from_dict(
        {"print_areas": [{"key": "front", "width_mm": 60, "height_mm": 40}], "fields": [field]}
    )

    def check(name: str) -> list[tuple[str, str | None]]:
        document = materialize(spec, {"version": 1, "fields": {"name": name}}, fonts)
        findings = preflight(parse_design(document), spec, assets({}), fonts)
        return [(f.code, f.path) for f in findings if f.code == "text_overflows_field"]

    assert check("Ann") == []
    assert check("Bartholomew Maximilian") == [("text_overflows_field", "fields.name")]
