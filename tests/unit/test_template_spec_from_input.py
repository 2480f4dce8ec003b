"""Unsaved editor values become the same render spec a saved template does (live preview)."""

from __future__ import annotations

from decimal import Decimal

from app.design.fields import materialize
from app.product_templates.editor_input import parse_template
from app.product_templates.render_spec import template_spec_from_input

PAYLOAD = {
    "name": "Mug",
    "is_active": True,
    "fonts": ["Inter"],
    "colors": ["#000000"],
    "max_layers": 8,
    "ai_enabled": False,
    "min_image_dpi": 150,
    "price_rules": [],
    "print_areas": [
        {
            "key": "front",
            "name": "Front",
            "width_mm": 100,
            "height_mm": 50,
            "dpi": 300,
            "bleed_mm": 3,
            "safe_margin_mm": 3,
        }
    ],
    "fields": [
        {
            "id": "name",
            "kind": "text",
            "label": "Name",
            "area": "front",
            "box": {"x_mm": 10, "y_mm": 10, "width_mm": 80, "height_mm": 20},
        }
    ],
    "editor_mode": "form",
    "surcharge": "2.5",
}


def test_editor_values_become_a_spec_that_materializes() -> None:
    spec = template_spec_from_input(parse_template(PAYLOAD, "EUR"))

    assert (spec.editor_mode, spec.surcharge, spec.min_image_dpi) == ("form", Decimal("2.50"), 150)
    document = materialize(spec, {"version": 1, "fields": {"name": "Anna"}})
    assert document["areas"]["front"]["layers"][0]["text"] == "Anna"
