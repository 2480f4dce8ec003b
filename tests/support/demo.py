"""The demo mug's template as a plain canvas, for the tests that start from one.

The demo shop's mug opens in form mode with fields and a surcharge (``app.demo.FORM_VALUES``);
the canvas editor's tests and the tests that build fields from nothing want the template as it
was before: no fields, the canvas, the area price of ``TEMPLATE_VALUES``.
"""

from __future__ import annotations

from decimal import Decimal

from app.demo import TEMPLATE_VALUES
from app.models import EditorMode, Template


def plain_canvas(template: Template) -> None:
    """No fields, canvas mode, no template surcharge, the demo's area price back."""
    template.fields = []
    template.editor_mode = EditorMode.CANVAS
    template.surcharge = Decimal("0")
    template.price_rules = [dict(rule) for rule in TEMPLATE_VALUES["price_rules"]]
