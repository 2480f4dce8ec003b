"""A design's surcharge in the shop's currency: rounded per line, the total their sum."""

from __future__ import annotations

from decimal import Decimal

from app.models import PrintArea, Template
from app.product_templates.pricing import price_json, quote_design

NAME = {
    "id": "name",
    "kind": "text",
    "label": "Name",
    "area": "front",
    "box": {"x_mm": 0, "y_mm": 0, "width_mm": 50, "height_mm": 10},
    "price": {"per_character": "0.125"},
}


def _template(**values: object) -> Template:
    template = Template(
        name="T",
        fields=[NAME],
        price_rules=[],
        fonts=[],
        colors=[],
        clipart_sets=[],
        min_image_dpi=100,
        max_layers=20,
        **values,
    )
    template.print_areas = [
        PrintArea(
            key="front",
            name="Front",
            width_mm=Decimal(100),
            height_mm=Decimal(50),
            dpi=300,
            bleed_mm=Decimal(3),
            safe_margin_mm=Decimal(3),
            position=0,
        )
    ]
    return template


def test_lines_are_rounded_half_up_to_the_currency_places() -> None:
    priced = quote_design(_template(surcharge=Decimal("1.005")), {"fields": {"name": "abc"}}, "EUR")

    assert price_json(priced, "EUR") == {
        "currency": "EUR",
        "total": "1.39",
        "lines": [
            {"label": "Personalization", "amount": "1.01", "kind": "template"},
            {"label": "Name (3 characters)", "amount": "0.38", "kind": "characters"},
        ],
    }


def test_a_currency_without_minor_units_charges_whole_amounts() -> None:
    priced = quote_design(_template(surcharge=Decimal("250.5")), {"fields": {"name": "ab"}}, "JPY")

    assert price_json(priced, "JPY") == {
        "currency": "JPY",
        "total": "251",
        "lines": [{"label": "Personalization", "amount": "251", "kind": "template"}],
    }  # 2 x 0.125 rounds to nothing: no line


def test_nothing_to_charge_is_zero_with_places() -> None:
    priced = quote_design(_template(surcharge=Decimal(0)), {"fields": {}}, "USD")

    assert price_json(priced, "USD") == {"currency": "USD", "total": "0.00", "lines": []}
