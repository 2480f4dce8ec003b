"""Issue #19, text: outline and shadow in the print PNG and the PDF, the look a template field
passes on, and the scripts the print either holds (glyphs in the fonts) or refuses by name."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pypdf
import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from app.design import DesignError, FontRegistry, RenderInputs, TemplateSpec, parse_design
from app.design import preflight as run_preflight
from app.design.fields import field_problems, materialize
from app.design.pdf import print_pdf
from app.design.raster import render_area_pil
from app.design.scripts import text_problem

from .conftest import design, template, text

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]
DPI = 300
PX_PER_MM = DPI / 25.4
BLEED = 3


def _rgba(layer: dict[str, Any], inputs_for: Inputs, **area: Any) -> np.ndarray:
    spec = template(width_mm=60, height_mm=40, dpi=DPI, bleed_mm=BLEED, **area)
    image = render_area_pil(parse_design(design(layer)), spec, "front", inputs_for({}))
    return np.asarray(image).astype(int)


def _is(pixels: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    """Opaque pixels within 40 of the colour on every channel."""
    close = (np.abs(pixels[..., :3] - np.array(rgb)) <= 40).all(axis=-1)
    return close & (pixels[..., 3] > 200)


def _columns(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask.any(axis=0))


# ---------------------------------------------------------------- outline (raster)


def _stem(value: str = "I", **extra: Any) -> dict[str, Any]:
    """A tall red I (its stem is a plain bar) at 20 mm."""
    look = {"font": "Inter", "size_mm": 20, "x_mm": 20, "y_mm": 5, "color": "#ff0000"}
    return text(value, **{**look, **extra})


def test_an_outline_rings_the_letters_under_their_fill(inputs_for: Inputs) -> None:
    plain = _rgba(_stem(), inputs_for)
    outlined = _rgba(_stem(stroke="#0000ff", stroke_width_mm=1.0), inputs_for)

    red, blue = _is(outlined, (255, 0, 0)), _is(outlined, (0, 0, 255))
    # The fill keeps every pixel it had (the outline is under it)...
    assert (_is(plain, (255, 0, 0)) & ~red).sum() <= 0.02 * _is(plain, (255, 0, 0)).sum()
    # ...and the outline shows half its width outside: 0.5 mm = 5.9 px on each side of the stem.
    row = (
        outlined.shape[0] // 2
        if red[outlined.shape[0] // 2].any()
        else int(np.flatnonzero(red.any(axis=1)).mean())
    )
    reds, blues = np.flatnonzero(red[row]), np.flatnonzero(blue[row])
    assert blues.min() < reds.min()
    assert blues.max() > reds.max()
    assert reds.min() - blues.min() == pytest.approx(0.5 * PX_PER_MM, abs=2)
    assert blues.max() - reds.max() == pytest.approx(0.5 * PX_PER_MM, abs=2)
    assert not _is(plain, (0, 0, 255)).any()


def test_an_outline_without_a_colour_or_width_draws_nothing(inputs_for: Inputs) -> None:
    plain = _rgba(_stem(), inputs_for)

    assert np.array_equal(_rgba(_stem(stroke_width_mm=2), inputs_for), plain)
    assert np.array_equal(_rgba(_stem(stroke="#0000ff"), inputs_for), plain)


# ---------------------------------------------------------------- shadow (raster)


def test_a_shadow_falls_at_its_offset_under_the_letters(inputs_for: Inputs) -> None:
    shadow = {"color": "#00ff00", "offset_x_mm": 4, "offset_y_mm": 2}
    pixels = _rgba(_stem(shadow=shadow), inputs_for)

    red, green = _is(pixels, (255, 0, 0)), _is(pixels, (0, 255, 0))
    assert green.sum() > 100
    shift = _columns(green).max() - _columns(red).max()
    assert shift == pytest.approx(4 * PX_PER_MM, abs=2)
    rows_shift = np.flatnonzero(green.any(axis=1)).max() - np.flatnonzero(red.any(axis=1)).max()
    assert rows_shift == pytest.approx(2 * PX_PER_MM, abs=2)


def test_a_blurred_shadow_spreads_by_its_radius(inputs_for: Inputs) -> None:
    sharp = {"color": "#00ff00", "offset_x_mm": 6}
    soft = {**sharp, "blur_mm": 2.0}
    crisp = _rgba(_stem(shadow=sharp), inputs_for)
    blurred = _rgba(_stem(shadow=soft), inputs_for)

    def shadow_alpha(pixels: np.ndarray) -> np.ndarray:
        greenish = (pixels[..., 1] > pixels[..., 0] + 20) & (pixels[..., 1] > pixels[..., 2] + 20)
        return np.where(greenish, pixels[..., 3], 0)

    hard, spread = shadow_alpha(crisp), shadow_alpha(blurred)
    partial = lambda alpha: int(((alpha > 10) & (alpha < 245)).sum())  # noqa: E731
    assert partial(spread) > 5 * partial(hard)
    # Reaches about 3 sigma (sigma = blur / 2 = 1 mm) beyond the sharp shadow's edge.
    beyond = _columns(spread > 10).max() - _columns(hard > 10).max()
    assert 1.0 * PX_PER_MM < beyond < 3.5 * PX_PER_MM


def test_a_shadows_offset_does_not_turn_with_the_text(inputs_for: Inputs) -> None:
    shadow = {"color": "#00ff00", "offset_x_mm": 4}
    layer = _stem("II", rotation_deg=90, shadow=shadow)
    pixels = _rgba(layer, inputs_for)

    red, green = _is(pixels, (255, 0, 0)), _is(pixels, (0, 255, 0))
    assert _columns(green).max() - _columns(red).max() == pytest.approx(4 * PX_PER_MM, abs=2)


def test_the_layers_opacity_covers_outline_and_shadow(inputs_for: Inputs) -> None:
    shadow = {"color": "#00ff00", "offset_x_mm": 4}
    layer = _stem(stroke="#0000ff", stroke_width_mm=1, shadow=shadow, opacity=0.5)
    pixels = _rgba(layer, inputs_for)

    assert 110 <= pixels[..., 3].max() <= 140


# ---------------------------------------------------------------- the PDF


def _pdf(layer: dict[str, Any], inputs_for: Inputs) -> pypdf.PageObject:
    spec = template(width_mm=60, height_mm=40, dpi=150, bleed_mm=BLEED)
    data = print_pdf(parse_design(design(layer)), spec, "front", inputs_for({}))
    return pypdf.PdfReader(io.BytesIO(data)).pages[0]


def test_the_pdf_outline_is_live_text_stroked_under_the_filled_text(inputs_for: Inputs) -> None:
    page = _pdf(_stem(stroke="#0000ff", stroke_width_mm=1.0), inputs_for)

    content = page.get_contents().get_data().decode("latin-1")
    stroke, fill = content.index("1 Tr"), content.rindex("0 Tr")
    assert stroke < fill  # the outline first, the fill over it
    assert re.search(r"\b1 w\b", content)  # 1 mm: user space is area millimetres here
    assert re.search(r"\b1 j\b", content)  # round joins, as the raster and the canvas
    assert "0 0 1 RG" in content  # the outline's colour, stroking
    assert "/XObject" not in page["/Resources"]  # no picture: all vector


def test_the_pdf_shadow_is_a_soft_image_under_live_text(inputs_for: Inputs) -> None:
    shadow = {"color": "#00ff00", "offset_x_mm": 2, "offset_y_mm": 2, "blur_mm": 1}
    page = _pdf(_stem(shadow=shadow), inputs_for)

    [xobject] = page["/Resources"]["/XObject"].values()
    image = xobject.get_object()
    assert (image["/Subtype"], "/SMask" in image) == ("/Image", True)  # soft edges: its alpha
    # at the print DPI (150 here): the shadow's box, grown by 3 sigma + 1 px each side
    assert image["/Height"] > 14 * 150 / 25.4  # the I is 0.73 em = 14.5 mm tall
    content = page.get_contents().get_data().decode("latin-1")
    assert content.index("/FormXob") < content.index("BT")  # the shadow before the text
    assert page.extract_text().strip() == "I"


# ---------------------------------------------------------------- scripts

CJK = (
    "Chinese, Japanese and Korean characters can't be printed yet: none of the fonts has them. "
    "Please use Latin, Greek or Cyrillic letters."
)
EMOJI = "Emoji can't be printed: none of the fonts has them. Please remove them."
REFUSED = {
    "arabic": (
        "مرحبا بالعالم",
        "Right-to-left text (Arabic) can't be printed yet: its letters would come out in the "
        "wrong order. Please use Latin, Greek or Cyrillic letters.",
    ),
    "hebrew (Open Sans has the letters, the layout cannot order them)": (
        "שלום",
        "Right-to-left text (Hebrew) can't be printed yet: its letters would come out in the "
        "wrong order. Please use Latin, Greek or Cyrillic letters.",
    ),
    "devanagari": (
        "नमस्ते क्षत्रिय",
        "Devanagari text can't be printed yet: its letters can't be joined correctly. Please use "
        "Latin, Greek or Cyrillic letters.",
    ),
    "chinese": ("你好", CJK),
    "japanese": ("こんにちは", CJK),
    "korean": ("안녕하세요", CJK),
    "emoji": ("Anna 🎉", EMOJI),
    "emoji heart (a symbol made emoji)": ("I ❤️ you", EMOJI),
}
PRINTED = {
    "latin": "Zoë & Søren",
    "greek": "Καλημέρα",
    "cyrillic": "Привет, мир",
    "vietnamese": "Tiếng Việt",
}


@pytest.mark.parametrize("font", ["Inter", "Open Sans"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_script_the_print_cannot_hold_is_refused_by_name(
    case: str, font: str, fonts: FontRegistry
) -> None:
    value, message = REFUSED[case]

    assert text_problem(value, fonts.face(font)) == message


@pytest.mark.parametrize("case", sorted(PRINTED))
def test_a_printed_script_has_real_glyphs_in_png_and_pdf(
    case: str, fonts: FontRegistry, inputs_for: Inputs
) -> None:
    """Every character is in the cmap of the subset file the layout picks (no .notdef), the
    PDF embeds those glyphs as text, and the PNG has ink."""
    value = PRINTED[case]
    face = fonts.face("Inter")
    assert text_problem(value, face) is None
    for char in value.replace(" ", ""):
        index = face.file_index(char)
        assert index is not None, char
        with TTFont(face.files[index].path) as font:
            assert font.getBestCmap().get(ord(char)) not in (None, ".notdef"), char
    layer = text(value, size_mm=5)

    page = _pdf(layer, inputs_for)

    assert page.extract_text().replace("\n", "") == value.replace(" ", "")  # spaces: not drawn
    assert _rgba(layer, inputs_for)[..., 3].max() == 255


def test_a_letter_the_chosen_font_lacks_is_named(fonts: FontRegistry) -> None:
    assert text_problem("Ωμέγα", fonts.face("Lobster")) == (
        "The font Lobster has no 'Ω' (greek capital letter omega), 'μ' (greek small letter mu), "
        "'έ' (greek small letter epsilon with tonos), 'γ' (greek small letter gamma), "
        "'α' (greek small letter alpha): it would print as an empty box. Choose another font or "
        "remove it."
    )


def test_preflight_refuses_refused_text_as_an_error(fonts: FontRegistry) -> None:
    value, message = REFUSED["arabic"]
    doc = parse_design(design(text(value, x_mm=10, y_mm=10)))

    findings = run_preflight(doc, template(), lambda ref: b"", fonts)

    [found] = [f for f in findings if f.code == "unsupported_text"]
    assert (found.severity, found.layer, found.message) == ("error", 0, message)


# ---------------------------------------------------------------- the document


def test_outline_and_shadow_are_read_with_their_defaults() -> None:
    doc = parse_design(
        design(text("A", stroke="#fff", stroke_width_mm=0.4, shadow={"color": "#000000"}))
    )
    [layer] = doc.areas["front"]

    assert (layer.stroke, layer.stroke_width_mm, layer.outline_mm) == ("#fff", 0.4, 0.4)
    assert layer.shadow is not None
    assert (layer.shadow.offset_x_mm, layer.shadow.blur_mm, layer.shadow.opacity) == (0, 0, 1)


@pytest.mark.parametrize(
    ("_case", "extra", "path", "message"),
    [
        ("outline too wide", {"stroke_width_mm": 25}, "stroke_width_mm", "must be <= 20"),
        ("outline not a colour", {"stroke": "blue"}, "stroke", "must be a colour like #1f2937"),
        ("shadow without colour", {"shadow": {}}, "shadow.color", "is required"),
        ("shadow too far", {"shadow": {"color": "#000", "offset_x_mm": 80}}, "shadow.offset_x_mm",
         "must be <= 50"),
        ("shadow blur negative", {"shadow": {"color": "#000", "blur_mm": -1}}, "shadow.blur_mm",
         "must be >= 0"),
        ("shadow unknown field", {"shadow": {"color": "#000", "spread": 1}}, "shadow",
         "unknown field 'spread'"),
    ],
)  # fmt: skip
def test_bad_text_tools_are_named_in_plain_words(
    _case: str, extra: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(DesignError) as raised:
        parse_design(design(text("A", **extra)))

    assert (raised.value.path, raised.value.message) == (f"areas.front.layers[0].{path}", message)


# ---------------------------------------------------------------- template fields

BOX = {"x_mm": 10, "y_mm": 20, "width_mm": 80, "height_mm": 20}
LOOK = {
    "line_spacing": 1.5,
    "letter_spacing_mm": 1,
    "stroke": "#ffffff",
    "stroke_width_mm": 0.5,
    "shadow": {"color": "#000000", "offset_x_mm": 0.5, "offset_y_mm": 0.5, "blur_mm": 0.4},
}


def _spec(**field: Any) -> TemplateSpec:
    name = {"id": "name", "kind": "text", "label": "Name", "area": "front", "box": BOX}
    return TemplateSpec.from_dict(
        {
            "print_areas": [{"key": "front", "width_mm": 100, "height_mm": 60, "dpi": 150}],
            "fields": [{**name, **field}],
        }
    )


def _field_layer(spec: TemplateSpec, value: str) -> dict[str, Any]:
    document = {"version": 1, "areas": {}, "fields": {"name": value}}
    layer: dict[str, Any] = materialize(spec, document)["areas"]["front"]["layers"][0]
    return layer


def test_a_text_field_passes_on_the_look_the_template_sets() -> None:
    layer = _field_layer(_spec(size_mm=8, auto_fit=False, **LOOK), "Anna")

    assert {k: layer[k] for k in LOOK} == LOOK
    # centred in the box at the template's line height: (20 - 8 x 1.5) / 2 below the box top
    assert layer["y_mm"] == pytest.approx(20 + (20 - 8 * 1.5) / 2)
    parse_design({"version": 1, "areas": {"front": {"layers": [layer]}}})  # a valid layer


def test_a_text_field_without_a_look_is_drawn_as_before() -> None:
    layer = _field_layer(_spec(size_mm=8), "Anna")

    assert not {"stroke", "stroke_width_mm", "shadow", "letter_spacing_mm"} & set(layer)
    assert layer["line_spacing"] == 1.2


def test_auto_fit_counts_the_letter_spacing(fonts: FontRegistry) -> None:
    value = "ABCDEFGHIJ"
    plain = _field_layer(_spec(size_mm=20), value)
    spaced = _field_layer(_spec(size_mm=20, letter_spacing_mm=3), value)
    layer = parse_design({"version": 1, "areas": {"front": {"layers": [spaced]}}})
    [drawn] = layer.areas["front"]
    from app.design.text_layout import layout_text

    bounds = layout_text(drawn, fonts.face("Inter")).bounds
    assert bounds is not None
    assert spaced["size_mm"] < plain["size_mm"]
    assert bounds.right - bounds.left <= BOX["width_mm"] + 0.5


def test_a_text_fields_refused_script_is_a_field_problem() -> None:
    value, message = REFUSED["devanagari"]
    spec = _spec()

    assert field_problems(spec, {"version": 1, "areas": {}, "fields": {"name": value}}) == [
        ("fields.name", message)
    ]
