"""Virtual try-on settings of a template (issue #23): which kind of product the shopper wears,
where on the face or hand the design is anchored, how large and how far off the anchor.

The placement itself happens in the shopper's browser (``storefront_widget/src/tryon/placement.js``,
the same code the admin's preview on the sample portrait runs); this module only says what a
template may ask for and checks what the merchant sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

# kind -> (tracker, the anchors it may use; the first is its default)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "glasses": ("face", ("eyes",)),
    "hat": ("face", ("forehead",)),
    "earrings": ("face", ("ear_lobes",)),
    "mask": ("face", ("mouth", "nose")),
    "watch": ("hand", ("wrist",)),
    "ring": ("hand", ("ring_finger", "index_finger", "middle_finger")),
}
# The size of the overlay as a multiple of the anchor's reference length (eye to eye, face or
# palm width), and its offset from the anchor in the same unit (x right, y down).
SCALE_RANGE = (Decimal("0.1"), Decimal("5"))
OFFSET_RANGE = (Decimal("-2"), Decimal("2"))
DEFAULT_SCALE = {
    "glasses": Decimal("1.6"),
    "hat": Decimal("1.3"),
    "earrings": Decimal("0.25"),
    "mask": Decimal("0.8"),
    "watch": Decimal("1.1"),
    "ring": Decimal("0.3"),
}


def tracker(kind: str) -> str:
    """ "face" or "hand": which model the browser runs for ``kind``."""
    return KINDS[kind][0]


def options() -> dict[str, Any]:
    """What the admin editor offers (kinds with their tracker, anchors and default scale)."""
    return {
        "kinds": [
            {
                "kind": kind,
                "tracker": found,
                "anchors": list(anchors),
                "default_scale": float(DEFAULT_SCALE[kind]),
            }
            for kind, (found, anchors) in KINDS.items()
        ],
        "scale": {"min": float(SCALE_RANGE[0]), "max": float(SCALE_RANGE[1])},
        "offset": {"min": float(OFFSET_RANGE[0]), "max": float(OFFSET_RANGE[1])},
    }


def _number(raw: Any, path: str, bounds: tuple[Decimal, Decimal], errors: dict[str, str]) -> float:
    low, high = bounds
    value: Decimal | None = None
    if isinstance(raw, (int, float, str, Decimal)) and not isinstance(raw, bool):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            value = None
    if value is None or not value.is_finite() or not low <= value <= high:
        errors.setdefault(path, f"Must be a number from {low} to {high}.")
        return float(low)
    return float(round(value, 3))


def parse_try_on(raw: Any, errors: dict[str, str]) -> dict[str, Any] | None:
    """``{"kind", "anchor", "scale", "offset_x", "offset_y"}`` checked, or None (no try-on, or
    the reasons added to ``errors`` by path)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        errors.setdefault("try_on", "Must be an object, or null for no try-on.")
        return None
    unknown = set(raw) - {"kind", "anchor", "scale", "offset_x", "offset_y"}
    if unknown:
        errors.setdefault("try_on", f"Unknown setting {sorted(unknown)[0]!r}.")
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        errors.setdefault("try_on.kind", "Choose one of: " + ", ".join(KINDS) + ".")
        return None
    anchors = KINDS[kind][1]
    anchor = raw.get("anchor", anchors[0])
    if anchor not in anchors:
        errors.setdefault("try_on.anchor", f"A {kind} sits on: " + ", ".join(anchors) + ".")
    value = {
        "kind": kind,
        "anchor": anchor,
        "scale": _number(
            raw.get("scale", DEFAULT_SCALE[kind]), "try_on.scale", SCALE_RANGE, errors
        ),
        "offset_x": _number(raw.get("offset_x", 0), "try_on.offset_x", OFFSET_RANGE, errors),
        "offset_y": _number(raw.get("offset_y", 0), "try_on.offset_y", OFFSET_RANGE, errors),
    }
    if any(path.startswith("try_on") for path in errors):
        return None
    return value


def try_on_document(stored: Any) -> dict[str, Any] | None:
    """The stored settings as the editor, the widget and template.v1.json read them, or None
    when the template offers no try-on."""
    errors: dict[str, str] = {}
    return parse_try_on(stored, errors) if isinstance(stored, Mapping) else None
