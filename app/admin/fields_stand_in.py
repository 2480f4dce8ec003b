"""STAND-IN until branch i18-core lands ``app.design.fields.materialize`` (SPEC18 §2).

The editor's live preview needs template fields turned into layers. The truth is H1's
``materialize(spec, document)``; this is the smallest approximation of it (no auto-fit, no
clipping masks) so the preview route and its tests run before that merge. Delete this module and
import the real one in ``template_preview.py`` once it exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.design import DesignError

_KIND_ORDER = {"photo": 0, "clipart": 1, "choice": 1, "text": 2}


def _box(field: Mapping[str, Any], path: str) -> dict[str, float]:
    box = field.get("box")
    if not isinstance(box, Mapping):
        raise DesignError(f"{path}.box", "is required")
    try:
        return {
            k: float(box.get(k, 0) or 0)
            for k in ("x_mm", "y_mm", "width_mm", "height_mm", "rotation_deg")
        }
    except (TypeError, ValueError):
        raise DesignError(f"{path}.box", "must hold numbers") from None


def _visible(field: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    rule = field.get("visible_when")
    if not isinstance(rule, Mapping):
        return True
    allowed = rule.get("in")
    return isinstance(allowed, list) and values.get(str(rule.get("field"))) in allowed


def _colour_effects(fields: list[Mapping[str, Any]], values: Mapping[str, Any]) -> dict[str, str]:
    colours: dict[str, str] = {}
    for field in fields:
        if field.get("kind") != "choice" or not _visible(field, values):
            continue
        for option in field.get("options") or []:
            effect = option.get("color") if isinstance(option, Mapping) else None
            chosen = values.get(str(field.get("id")))
            if option.get("value") == chosen and isinstance(effect, Mapping):
                for target in effect.get("fields") or []:
                    colours[str(target)] = str(effect.get("value"))
    return colours


def _layer(
    field: Mapping[str, Any], value: Any, colour: str | None, path: str
) -> dict[str, Any] | None:
    kind = field.get("kind")
    if kind == "text":
        text = value if isinstance(value, str) else str(field.get("default") or "")
        if not text:
            return None
        box = _box(field, path)
        size = float(field.get("size_mm") or 10)
        align = field.get("align") or "center"
        anchor = {"left": 0.0, "center": 0.5, "right": 1.0}.get(str(align), 0.5)
        return {
            "type": "text",
            "field": field.get("id"),
            "text": text.upper() if field.get("uppercase") else text,
            "font": str(field.get("font") or "Inter"),
            "weight": int(field.get("weight") or 400),
            "size_mm": size,
            "color": colour or str(field.get("color") or "#000000"),
            "align": align,
            "arc_degrees": float(field.get("arc_degrees") or 0),
            "x_mm": box["x_mm"] + box["width_mm"] * anchor,
            "y_mm": box["y_mm"] + max(0.0, (box["height_mm"] - size * 1.2) / 2),
            "rotation_deg": box["rotation_deg"],
        }
    if kind == "photo" and isinstance(value, Mapping) and isinstance(value.get("src"), str):
        box = _box(field, path)
        layer = {"type": "image", "field": field.get("id"), "src": value["src"], **_xywh(box)}
        if isinstance(value.get("crop"), Mapping):
            layer["crop"] = dict(value["crop"])
        return layer
    if kind == "clipart":
        ref = value if isinstance(value, str) else field.get("default")
        if not isinstance(ref, str) or not ref:
            return None
        layer = {
            "type": "clipart",
            "field": field.get("id"),
            "src": ref,
            **_xywh(_box(field, path)),
        }
        if colour or field.get("color"):
            layer["color"] = colour or field.get("color")
        return layer
    return None


def _xywh(box: Mapping[str, float]) -> dict[str, float]:
    return {k: box[k] for k in ("x_mm", "y_mm", "width_mm", "height_mm", "rotation_deg")}


def materialize(spec: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with every field's layer regenerated (the ``field`` key dropped after)."""
    fields = [f for f in spec.get("fields") or [] if isinstance(f, Mapping)]
    values = document.get("fields") if isinstance(document.get("fields"), Mapping) else {}
    assert isinstance(values, Mapping)
    colours = _colour_effects(fields, values)
    placed: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
    for index, field in enumerate(fields):
        if not _visible(field, values):
            continue
        path = f"template.fields[{index}]"
        order = _KIND_ORDER.get(str(field.get("kind")), 1)
        value = values.get(str(field.get("id")))
        layer = _layer(field, value, colours.get(str(field.get("id"))), path)
        if layer is not None and isinstance(field.get("area"), str):
            placed.setdefault(field["area"], []).append((order, index, layer))
        if field.get("kind") == "choice" and isinstance(field.get("area"), str):
            for option in field.get("options") or []:
                extra = option.get("layer") if isinstance(option, Mapping) else None
                if option.get("value") == values.get(field.get("id")) and isinstance(
                    extra, Mapping
                ):
                    box = _box(extra, f"{path}.options")
                    clip = {"type": "clipart", "src": extra.get("clipart"), **_xywh(box)}
                    placed.setdefault(field["area"], []).append((1, index, clip))
    areas = {
        key: {
            "layers": [
                {k: v for k, v in layer.items() if k != "field"}
                for _, _, layer in sorted(items, key=lambda t: t[:2])
            ]
        }
        for key, items in placed.items()
    }
    return {"version": 1, "areas": areas}
