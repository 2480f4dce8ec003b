"""Surcharges from the template and the design (never from the browser)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.design import TemplateSpec
from app.design.pricing import quote

FIXTURES = Path(__file__).parents[2] / "fixtures" / "fields"
BOX = {"x_mm": 10, "y_mm": 20, "width_mm": 80, "height_mm": 20}
NAME = {
    "id": "name",
    "kind": "text",
    "label": "Name",
    "area": "front",
    "box": BOX,
    "price": {"amount": "1.00", "per_character": "0.25"},
}
STYLE = {
    "id": "style",
    "kind": "choice",
    "label": "Style",
    "options": [
        {"value": "plain", "label": "Plain"},
        {"value": "gold", "label": "Gold foil", "price": "3.00"},
    ],
}


def _spec(fields: list[dict[str, Any]], **extra: Any) -> TemplateSpec:
    areas = [
        {"key": "front", "name": "Front", "width_mm": 100, "height_mm": 60},
        {"key": "back", "name": "Back", "width_mm": 100, "height_mm": 60},
    ]
    return TemplateSpec.from_dict({"print_areas": areas, "fields": fields, **extra})


def _lines(spec: TemplateSpec, document: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(ln.kind, ln.label, str(ln.amount)) for ln in quote(spec, document).lines]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_fixture_prices(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    priced = quote(TemplateSpec.from_dict(case["template"]), case["document"])

    assert str(priced.total) == case["price"]["total"]


def test_every_kind_of_line() -> None:
    spec = _spec(
        [STYLE, NAME],
        surcharge="5.00",
        price_rules=[
            {"option": "Gold foil", "label": "Foil setup", "amount": "1.50"},
            {"area": "back", "label": "Back print", "amount": "4.00"},
            {"area": "front", "amount": "2.00"},
        ],
    )
    document = {"version": 1, "fields": {"style": "gold", "name": "Ann Lee"}}

    assert _lines(spec, document) == [
        ("template", "Personalization", "5.00"),
        ("option", "Style: Gold foil", "3.00"),
        ("field", "Name", "1.00"),
        ("characters", "Name (6 characters)", "1.50"),  # the space is not counted
        ("option", "Foil setup", "1.50"),
        ("area", "Front", "2.00"),
    ]
    assert quote(spec, document).total == Decimal("14.00")


def test_an_empty_design_costs_nothing() -> None:
    spec = _spec([NAME], surcharge="5.00", price_rules=[{"area": "front", "amount": "2"}])

    assert quote(spec, {"version": 1, "fields": {"name": "  "}}).lines == ()


def test_a_hidden_field_is_not_charged() -> None:
    spec = _spec([STYLE, {**NAME, "visible_when": {"field": "style", "in": ["gold"]}}])

    assert _lines(spec, {"version": 1, "fields": {"style": "plain", "name": "Bob"}}) == []


def test_a_free_layer_uses_its_area_except_in_form_mode() -> None:
    rules = [{"area": "back", "amount": "4.00"}]
    layer = {"type": "text", "text": "Hi", "font": "Inter", "size_mm": 5, "x_mm": 1, "y_mm": 1}
    document = {"version": 1, "areas": {"back": {"layers": [layer]}}}

    both = _spec([NAME], editor_mode="both", price_rules=rules)
    form = _spec([NAME], editor_mode="form", price_rules=rules)

    assert _lines(both, document) == [("area", "Back", "4.00")]
    assert _lines(form, document) == []


def test_a_price_sent_in_the_document_is_ignored() -> None:
    spec = _spec([NAME])
    document = {
        "version": 1,
        "fields": {"name": "Al"},
        "meta": {"price": "0.00", "total": 0},
        "price": {"total": "0.00"},
    }

    assert quote(spec, document).total == Decimal("1.50")
