"""Template fields: parsing, materialize (against the shared fixtures), problems a save refuses."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.design import DesignError, FontRegistry, TemplateSpec, parse_design
from app.design.fields import (
    field_errors,
    field_problems,
    materialize,
    properties,
    selected_variant,
    template_schema,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "fields"
CASES = sorted(FIXTURES.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _spec(fields: list[dict[str, Any]], **extra: Any) -> TemplateSpec:
    return TemplateSpec.from_dict(
        {
            "print_areas": [{"key": "front", "width_mm": 100, "height_mm": 60, "dpi": 150}],
            "fields": fields,
            **extra,
        }
    )


BOX = {"x_mm": 10, "y_mm": 20, "width_mm": 80, "height_mm": 20}
NAME = {"id": "name", "kind": "text", "label": "Name", "area": "front", "box": BOX, "size_mm": 12}
STYLE = {
    "id": "style",
    "kind": "choice",
    "label": "Style",
    "options": [{"value": "plain", "label": "Plain"}, {"value": "gold", "label": "Gold"}],
}


def test_there_is_a_fixture_for_every_case_the_widget_mirrors() -> None:
    names = {p.stem for p in CASES}
    for wanted in (
        "text_basic",
        "text_auto_fit",
        "text_uppercase_arc_rotated",
        "photo_ellipse_with_crop",
        "photo_mask",
        "clipart_default_and_pick",
        "choice_recolours_and_adds_layer",
        "hidden_field_ignored",
        "movable_field_both_mode",
        "every_kind_two_areas",
        "text_look_spacing_outline_shadow",
    ):
        assert wanted in names


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_materialize_gives_the_stored_answer(path: Path, fonts: FontRegistry) -> None:
    case = _load(path)
    spec = TemplateSpec.from_dict(case["template"])

    assert materialize(spec, case["document"], fonts) == case["materialized"]
    assert properties(spec, case["document"]) == case["properties"]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixtures_are_valid_documents(path: Path) -> None:
    case = _load(path)

    Draft202012Validator(template_schema()).validate(case["template"])
    parse_design(case["materialized"])  # raises on a schema problem


def test_materialize_is_idempotent(fonts: FontRegistry) -> None:
    for path in CASES:
        case = _load(path)
        spec = TemplateSpec.from_dict(case["template"])
        once = materialize(spec, case["document"], fonts)
        assert materialize(spec, once, fonts) == once, path.stem


def test_auto_fit_shrinks_a_long_name_to_the_box_width(fonts: FontRegistry) -> None:
    case = _load(FIXTURES / "text_auto_fit.json")
    (layer,) = case["materialized"]["areas"]["front"]["layers"]

    assert layer["size_mm"] < 12
    layout_width = _text_width(layer, fonts)
    assert layout_width <= 80 + 1e-6
    assert layout_width > 80 - 0.02 * 30  # floored to 0.01 mm: close to the box, not far off


def _text_width(layer: dict[str, Any], fonts: FontRegistry) -> float:
    from app.design.document import parse_design as parse
    from app.design.layers import text_layout

    design = parse({"version": 1, "areas": {"front": {"layers": [layer]}}})
    layout = text_layout(design.areas["front"][0], fonts, "x")  # type: ignore[arg-type]
    assert layout.bounds is not None
    first, last = layout.glyphs[0], layout.glyphs[-1]
    return last.x_mm + last.advance_mm - first.x_mm


def test_auto_fit_never_goes_below_the_minimum(fonts: FontRegistry) -> None:
    spec = _spec([{**NAME, "max_chars": 200, "min_size_mm": 8}])

    out = materialize(spec, {"version": 1, "fields": {"name": "W" * 100}}, fonts)

    assert out["areas"]["front"]["layers"][0]["size_mm"] == 8


def test_a_moved_locked_text_layer_is_put_back(fonts: FontRegistry) -> None:
    spec = _spec([NAME], editor_mode="both")
    moved = {
        "type": "text",
        "field": "name",
        "text": "Hacked",
        "font": "Pacifico",
        "size_mm": 50,
        "x_mm": 0,
        "y_mm": 0,
        "color": "#00ff00",
        "box": {"x_mm": 0, "y_mm": 0, "width_mm": 100, "height_mm": 60},
    }
    document = {"version": 1, "fields": {"name": "Anna"}, "areas": {"front": {"layers": [moved]}}}

    (layer,) = materialize(spec, document, fonts)["areas"]["front"]["layers"]

    assert (layer["text"], layer["font"], layer["color"]) == ("Anna", "Inter", "#000000")
    assert layer["box"] == {**BOX, "rotation_deg": 0}
    assert (layer["x_mm"], layer["size_mm"]) == (50, 12)


def test_a_movable_field_moves_only_in_both_mode(fonts: FontRegistry) -> None:
    there = {"x_mm": 5, "y_mm": 5, "width_mm": 30, "height_mm": 10}
    layer = {"type": "text", "field": "name", "text": "x", "font": "Inter", "size_mm": 5}
    document = {
        "version": 1,
        "fields": {"name": "Al"},
        "areas": {"front": {"layers": [{**layer, "x_mm": 0, "y_mm": 0, "box": there}]}},
    }
    field = {**NAME, "movable": True}

    both = materialize(_spec([field], editor_mode="both"), document, fonts)
    form = materialize(_spec([field], editor_mode="form"), document, fonts)

    assert both["areas"]["front"]["layers"][0]["box"] == {**there, "rotation_deg": 0}
    assert form["areas"]["front"]["layers"][0]["box"] == {**BOX, "rotation_deg": 0}


def test_a_hidden_fields_value_draws_nothing_and_is_dropped(fonts: FontRegistry) -> None:
    spec = _spec([STYLE, {**NAME, "visible_when": {"field": "style", "in": ["gold"]}}])
    document = {"version": 1, "fields": {"style": "plain", "name": "Secret"}}

    out = materialize(spec, document, fonts)

    assert out["fields"] == {"style": "plain"}
    assert out["areas"] == {}
    assert field_problems(spec, {**document, "fields": {"style": "plain", "name": "x" * 999}}) == []


def test_a_field_hidden_by_a_hidden_choice_is_hidden_too() -> None:
    spec = _spec(
        [
            STYLE,
            {**STYLE, "id": "finish", "visible_when": {"field": "style", "in": ["gold"]}},
            {**NAME, "visible_when": {"field": "finish", "in": ["plain"]}},
        ]
    )

    out = materialize(spec, {"version": 1, "fields": {"finish": "plain", "name": "A"}})

    assert out["areas"] == {}  # style has no value, so finish is hidden, so name is too


# ---------------------------------------------------------------- what a save refuses


def test_problems_a_save_refuses() -> None:
    spec = _spec(
        [
            {**NAME, "required": True, "max_chars": 5, "fonts": ["Inter", "Lora"]},
            STYLE,
            {
                "id": "pic",
                "kind": "clipart",
                "label": "Picture",
                "area": "front",
                "box": BOX,
                "sets": ["love"],
            },
            {
                "id": "photo",
                "kind": "photo",
                "label": "Photo",
                "area": "front",
                "box": BOX,
                "required": True,
            },
        ]
    )
    layer = {
        "type": "text",
        "field": "name",
        "text": "",
        "font": "Pacifico",
        "size_mm": 5,
        "x_mm": 0,
        "y_mm": 0,
        "color": "#ff00ff",
    }
    document = {
        "version": 1,
        "fields": {"name": "Too long", "style": "diamond", "pic": "clipart:nature/sun"},
        "areas": {"front": {"layers": [layer]}},
    }

    assert field_problems(spec, document) == [
        ("fields.name", "at most 5 characters"),
        ("fields.name.font", "choose one of the fonts offered for this field"),
        ("fields.name.color", "choose one of the colours offered for this field"),
        ("fields.style", "choose one of the options offered here"),
        ("fields.pic", "choose one of the pictures offered here"),
        ("fields.photo", "is required"),
    ]


def test_required_text_and_whitespace() -> None:
    spec = _spec([{**NAME, "required": True}])

    assert field_problems(spec, {"version": 1, "fields": {"name": "   "}}) == [
        ("fields.name", "is required")
    ]
    assert field_problems(spec, {"version": 1, "fields": {"name": 42}}) == [
        ("fields.name", "must be text")
    ]
    assert field_problems(spec, {"version": 1, "fields": []}) == [
        ("fields", "must be an object of field values")
    ]


def test_a_colour_a_picked_option_sets_is_not_a_problem() -> None:
    style = copy.deepcopy(STYLE)
    style["options"][1]["color"] = {"fields": ["name"], "value": "#d4af37"}
    spec = _spec([style, NAME])
    layer = {
        "type": "text",
        "field": "name",
        "text": "A",
        "font": "Inter",
        "size_mm": 5,
        "x_mm": 0,
        "y_mm": 0,
        "color": "#d4af37",
    }
    document = {
        "version": 1,
        "fields": {"style": "gold", "name": "A"},
        "areas": {"front": {"layers": [layer]}},
    }

    assert field_problems(spec, document) == []
    out = materialize(spec, document)
    assert out["areas"]["front"]["layers"][0]["color"] == "#d4af37"


def test_the_variant_a_picked_option_selects() -> None:
    style = copy.deepcopy(STYLE)
    style["options"][1]["variant_id"] = 42
    spec = _spec([style])

    assert selected_variant(spec, {"fields": {"style": "gold"}}) == 42
    assert selected_variant(spec, {"fields": {"style": "plain"}}) is None


# ---------------------------------------------------------------- the template's fields


@pytest.mark.parametrize(
    ("fields", "path", "message"),
    [
        ([{**NAME, "box": {**BOX, "width_mm": 0}}], "fields[0].box.width_mm", "must be > 0"),
        ([NAME, NAME], "fields[1].id", "another field already uses this id"),
        ([{**NAME, "area": "back"}], "fields[0].area", "no print area has this key"),
        ([{**NAME, "font": "Comic Sans"}], "fields[0].font", "not one of Luneo's fonts"),
        (
            [{**NAME, "default": "x" * 50, "max_chars": 10}],
            "fields[0].default",
            "at most 10 characters (max_chars)",
        ),
        ([{**NAME, "id": "Bad Id"}], "fields[0].id", "must match ^[a-z0-9][a-z0-9_-]{0,39}$"),
        (
            [{**NAME, "visible_when": {"field": "style", "in": ["gold"]}}, STYLE],
            "fields[0].visible_when.field",
            "name a choice field that comes before this one",
        ),
        (
            [STYLE, {**NAME, "visible_when": {"field": "style", "in": ["silver"]}}],
            "fields[1].visible_when.in[0]",
            "not an option of that field",
        ),
        (
            [
                {
                    "id": "p",
                    "kind": "photo",
                    "label": "P",
                    "area": "front",
                    "box": BOX,
                    "shape": "mask",
                }
            ],
            "fields[0].mask",
            "a mask frame needs its mask picture",
        ),
        (
            [
                {
                    "id": "c",
                    "kind": "clipart",
                    "label": "C",
                    "area": "front",
                    "box": BOX,
                    "sets": ["love"],
                    "default": "clipart:nature/sun",
                }
            ],
            "fields[0].default",
            "pick the default from the field's sets",
        ),
        (
            [
                {
                    **STYLE,
                    "options": [
                        {
                            "value": "a",
                            "label": "A",
                            "layer": {"clipart": "clipart:love/heart", "box": BOX},
                        }
                    ],
                }
            ],
            "fields[0].area",
            "an option that draws a picture needs a print area",
        ),
        (
            [{**NAME, "price": {"per_character": "abc"}}],
            "fields[0].price.per_character",
            "is not a valid value here",
        ),
        ([{**NAME, "colour": "#000000"}], "fields[0]", "unknown field 'colour'"),
        (
            [
                {
                    **STYLE,
                    "options": [
                        {
                            "value": "a",
                            "label": "A",
                            "color": {"fields": ["nope"], "value": "#000000"},
                        }
                    ],
                }
            ],
            "fields[0].options[0].color.fields[0]",
            "name a text or clipart field of this template",
        ),
    ],
)
def test_template_field_errors_name_the_path(
    fields: list[dict[str, Any]], path: str, message: str
) -> None:
    errors = [(e.path, e.message) for e in field_errors(fields, area_keys=["front"])]

    assert (path, message) in errors


def test_more_than_40_fields_are_refused() -> None:
    fields = [{**NAME, "id": f"f{i}"} for i in range(41)]

    errors = field_errors(fields, area_keys=["front"])

    assert [(e.path, e.message) for e in errors] == [("fields", "must have at most 40 items")]


def test_clipart_sets_must_be_offered_by_the_template() -> None:
    field = {
        "id": "c",
        "kind": "clipart",
        "label": "C",
        "area": "front",
        "box": BOX,
        "sets": ["nature"],
    }

    errors = field_errors([field], area_keys=["front"], clipart_sets=["love"])

    assert [(e.path, e.message) for e in errors] == [
        ("fields[0].sets[0]", "this template does not offer this clipart set")
    ]


def test_template_spec_reads_the_new_keys() -> None:
    spec = _spec(
        [NAME],
        editor_mode="both",
        surcharge="2.50",
        price_rules=[{"area": "front", "amount": "1.00", "label": "Front"}],
    )

    assert (spec.editor_mode, str(spec.surcharge)) == ("both", "2.50")
    assert spec.fields[0].size_mm == 12
    assert spec.fields[0].min_size_mm == 4
    assert spec.price_rules[0].area == "front"


def test_template_spec_refuses_bad_fields_with_the_path() -> None:
    with pytest.raises(DesignError) as caught:
        _spec([{**NAME, "box": {"x_mm": 0}}])

    assert caught.value.path == "template.fields[0].box.y_mm"
    with pytest.raises(DesignError, match="editor_mode"):
        _spec([], editor_mode="wizard")
    with pytest.raises(DesignError, match="surcharge"):
        _spec([], surcharge="-1")


# ---------------------------------------------------------------- anything a client sends

JUNK: list[Any] = [
    None,
    1,
    -1e308,
    float("inf"),
    "x",
    "",
    [],
    {},
    True,
    [1, 2],
    {"src": 1},
    {"x_mm": "1"},
    "clipart:love/heart",
    "gold",
    "1.005",
    "\u0000",
    10**30,
]


def _mutated(value: Any, rng: Any) -> Any:
    if isinstance(value, dict):
        changed = dict(value)
        for key in list(changed):
            roll = rng.random()
            if roll < 0.15:
                changed[key] = rng.choice(JUNK)
            elif roll < 0.5:
                changed[key] = _mutated(changed[key], rng)
        if rng.random() < 0.1:
            changed[rng.choice(["field", "box", "fields", "areas", "layers"])] = rng.choice(JUNK)
        return changed
    if isinstance(value, list):
        return [_mutated(item, rng) for item in value]
    return value


def test_no_document_breaks_materialize_problems_or_the_quote(fonts: FontRegistry) -> None:
    import random

    from app.design.pricing import quote

    case = _load(FIXTURES / "movable_field_both_mode.json")
    spec = TemplateSpec.from_dict(case["template"])
    rng = random.Random(18)
    for _ in range(400):
        document = _mutated(case["document"], rng)
        materialize(spec, document, fonts)
        field_problems(spec, document)
        quote(spec, document)
        properties(spec, document)


def test_no_template_breaks_the_spec_with_anything_but_a_design_error() -> None:
    import random

    case = _load(FIXTURES / "every_kind_two_areas.json")
    rng = random.Random(18)
    for _ in range(400):
        with contextlib.suppress(DesignError):
            TemplateSpec.from_dict(_mutated(case["template"], rng))
