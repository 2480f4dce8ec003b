"""What a design costs on top of the product: computed from the template and the saved design,
never from anything the browser says a price is.

Lines (``QuoteLine.kind``):
- ``template``: ``TemplateSpec.surcharge``, when the design has any visible layer;
- ``field``: a visible, filled field's ``price.amount``;
- ``characters``: a text field's ``price.per_character`` x its characters (whitespace not counted);
- ``option``: a picked option's ``price``, and each ``{"option": name}`` price rule whose name is
  the value or label of an option picked in any visible choice field;
- ``area``: each ``{"area": key}`` price rule whose area has at least one visible layer.

Hidden fields (``visible_when``) draw nothing and cost nothing. Amounts are exact Decimals here;
the service rounds them to the shop's currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.design.fields import FieldState, field_states
from app.design.template import TemplateSpec

PERSONALIZATION = "Personalization"


@dataclass(frozen=True)
class QuoteLine:
    label: str
    amount: Decimal
    kind: str  # template | field | characters | option | area


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...] = ()

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def quote(spec: TemplateSpec, document: Mapping[str, Any]) -> Quote:
    """The surcharge lines of ``document`` (materialized or not: field layers are recomputed
    from the field values, so the answer is the same either way)."""
    states = field_states(spec, document)
    used = used_areas(spec, document, states)
    lines: list[QuoteLine] = []
    if spec.surcharge and used:
        lines.append(QuoteLine(PERSONALIZATION, spec.surcharge, "template"))
    picked: list[tuple[str, str]] = []  # (value, label) of every picked option
    for state in states:
        if not state.visible or not state.filled:
            continue
        field = state.field
        if field.price.amount:
            lines.append(QuoteLine(field.label, field.price.amount, "field"))
        if field.kind == "text" and field.price.per_character:
            count = sum(not c.isspace() for c in state.value)
            if count:
                label = f"{field.label} ({count} characters)"
                lines.append(QuoteLine(label, field.price.per_character * count, "characters"))
        option = state.option
        if option is not None:
            picked.append((option.value, option.label))
            if option.price:
                lines.append(QuoteLine(f"{field.label}: {option.label}", option.price, "option"))
    names = {a.key: a.name or a.key for a in spec.areas}
    for rule in spec.price_rules:
        if not rule.amount:
            continue
        if rule.option is not None and any(rule.option in pair for pair in picked):
            lines.append(QuoteLine(rule.label or rule.option, rule.amount, "option"))
        elif rule.area is not None and rule.area in used:
            lines.append(
                QuoteLine(rule.label or names.get(rule.area, rule.area), rule.amount, "area")
            )
    return Quote(tuple(lines))


def used_areas(
    spec: TemplateSpec, document: Mapping[str, Any], states: list[FieldState] | None = None
) -> set[str]:
    """Areas with at least one visible layer: a filled visible field drawing there, or a free
    layer of the shopper's (none count in ``form`` mode, where the server drops them)."""
    states = field_states(spec, document) if states is None else states
    used = {area for s in states if s.visible and s.filled and (area := _drawn_area(s)) is not None}
    if spec.editor_mode == "form" and spec.fields:
        return used
    areas = document.get("areas")
    for key, area in areas.items() if isinstance(areas, Mapping) else ():
        layers = area.get("layers") if isinstance(area, Mapping) else None
        if any(_visible_free(layer) for layer in (layers if isinstance(layers, list) else ())):
            used.add(str(key))
    return used


def _drawn_area(state: FieldState) -> str | None:
    field = state.field
    if field.kind != "choice":
        return field.area
    option = state.option
    return field.area if option is not None and option.layer is not None else None


def _visible_free(layer: Any) -> bool:
    if not isinstance(layer, Mapping) or "field" in layer or layer.get("hidden") is True:
        return False
    opacity = layer.get("opacity", 1)
    if isinstance(opacity, int | float) and opacity <= 0:
        return False
    if layer.get("type") == "text":
        text = layer.get("text")
        return isinstance(text, str) and bool(text.strip())
    return True
