"""The template editor's JSON, checked field by field before anything touches the database.

``parse_template`` turns the editor's payload into typed values or raises ``InvalidInput``
naming every bad field by its path (``print_areas[0].width_mm``), so the editor can put each
message next to its input. Nothing here knows about Flask or SQLAlchemy.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from app.design.clipart import default_library
from app.design.displace import MAX_STRENGTH_PX
from app.design.fields import field_errors
from app.design.finishing import (
    Box,
    cut_line_problems,
    engraving_problems,
    score_lines_problems,
)
from app.design.limits import print_size_problem
from app.design.models3d import available_models
from app.design.template import MAX_VIEWS, AreaSpec
from app.design.warp import MAX_CIRCUMFERENCE_MM, MIN_CIRCUMFERENCE_MM
from app.ids import in_range
from app.models import EditorMode, LowDpiPolicy, ProofAtDeadline, ProofSend
from app.product_templates import catalog_options as opt
from app.product_templates.try_on import parse_try_on

_AREA_KEY = re.compile(opt.AREA_KEY_PATTERN)
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
PLACEMENT_KEYS = ("x", "y", "width", "height")


class InvalidInput(ValueError):
    """Bad values from the editor; ``fields`` maps each field's path to what is wrong with it."""

    def __init__(self, fields: Mapping[str, str], message: str = "") -> None:
        self.fields = dict(fields)
        self.message = message or "Some values need fixing: see the highlighted fields."
        super().__init__(self.message)


@dataclass(frozen=True)
class ViewInput:
    """One more picture of an area: a MOCKUP upload of the shop and the area's place on it."""

    name: str
    mockup_file_id: int
    placement: dict[str, Any]


@dataclass(frozen=True)
class AreaInput:
    key: str
    name: str
    width_mm: Decimal
    height_mm: Decimal
    dpi: int
    bleed_mm: Decimal
    safe_margin_mm: Decimal
    id: int | None = None
    mockup_file_id: int | None = None
    mockup_placement: dict[str, Any] = field(default_factory=dict)
    # None when not sent: the area keeps the views it has (an editor that knows none of them).
    views: list[ViewInput] | None = None


@dataclass(frozen=True)
class TemplateInput:
    name: str
    is_active: bool
    fonts: list[str]
    colors: list[str]
    clipart_sets: list[str] | None  # None: not sent, keep what the template has
    max_layers: int
    ai_enabled: bool
    min_image_dpi: int
    model_3d: str | None
    price_rules: list[dict[str, str]]
    print_areas: list[AreaInput]
    # The merchant's form (#18); None when not sent: the template keeps what it has.
    fields: list[dict[str, Any]] | None = None
    editor_mode: EditorMode | None = None
    # "warn" or "refuse" a photo under min_image_dpi; None when not sent (kept as it is).
    low_dpi_policy: LowDpiPolicy | None = None
    surcharge: Decimal | None = None
    # The production settings sent (``cut_line``, ``score_lines``, ``engraving``; a value, or
    # None or [] to remove it), stored in ``Template.extra``; a key not sent keeps what it has.
    finishing: dict[str, Any] = field(default_factory=dict)
    # Proof approval (#21); None when not sent: the template keeps what it has.
    proof: ProofInput | None = None
    # Virtual try-on (#23): the checked settings, or None to offer none; not sent: kept.
    try_on: dict[str, Any] | None = None
    try_on_sent: bool = False


@dataclass(frozen=True)
class ProofInput:
    required: bool
    send: ProofSend
    deadline_hours: int
    at_deadline: ProofAtDeadline


PROOF_DEADLINE_HOURS = (1, 720)  # an hour to 30 days


def _proof(reader: _Reader, raw: Any) -> ProofInput | None:
    """``{"required", "send": auto|merchant, "deadline_hours", "at_deadline": wait|produce}``;
    null: approval off (the other settings as they were by default)."""
    if raw is None:
        return ProofInput(False, ProofSend.AUTO, 48, ProofAtDeadline.WAIT)
    if not isinstance(raw, Mapping):
        reader.fail("proof", "Must be an object.")
        return None
    low, high = PROOF_DEADLINE_HOURS
    required = reader.boolean(raw, "required", "proof.required")
    hours = reader.integer(raw, "deadline_hours", "proof.deadline_hours", low, high)
    send = at_deadline = None
    try:
        send = ProofSend(str(raw.get("send")))
    except ValueError:
        reader.fail("proof.send", "Choose auto (when the files are ready) or merchant.")
    try:
        at_deadline = ProofAtDeadline(str(raw.get("at_deadline")))
    except ValueError:
        reader.fail("proof.at_deadline", "Choose wait (for the shopper) or produce (as is).")
    if send is None or at_deadline is None:
        return None
    return ProofInput(required, send, hours, at_deadline)


def _model_3d(reader: _Reader, raw: Any) -> str | None:
    """A built-in 3D model id for the GLB/AR preview, or none."""
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or raw not in {m["id"] for m in available_models()}:
        reader.fail("model_3d", "Choose one of the offered 3D models, or none.")
        return None
    return raw


class _Reader:
    """Reads typed values out of JSON objects, collecting one message per bad field."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, message)

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
        raw = data.get(key, "")
        if not isinstance(raw, str):
            self.fail(path, "Must be text.")
            return ""
        value: str = raw.strip()
        if required and not value:
            self.fail(path, "Required.")
        elif len(value) > opt.MAX_NAME_LENGTH:
            self.fail(path, f"At most {opt.MAX_NAME_LENGTH} characters.")
        return value

    def boolean(self, data: Mapping[str, Any], key: str, path: str) -> bool:
        value = data.get(key)
        if not isinstance(value, bool):
            self.fail(path, "Must be true or false.")
            return False
        return value

    def integer(self, data: Mapping[str, Any], key: str, path: str, low: int, high: int) -> int:
        value = _to_decimal(data.get(key))
        if value is None or value != value.to_integral_value() or not low <= value <= high:
            self.fail(path, f"Must be a whole number from {low} to {high}.")
            return low
        return int(value)

    def decimal(self, raw: Any, path: str, message: str, places: int = 2) -> Decimal | None:
        """A number with at most ``places`` decimals (quantized), or None after recording why."""
        value = _to_decimal(raw)
        if value is None:
            self.fail(path, message)
            return None
        if _decimal_places(value) > places:
            self.fail(path, f"Use at most {places} decimal places." if places else "Whole numbers.")
            return None
        try:
            return value.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:  # more digits than the context holds (1e25): no size or price
            self.fail(path, message)
            return None


def _decimal_or_none(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _to_decimal(raw: Any) -> Decimal | None:
    """A finite Decimal from a JSON number or numeric string; None for anything else."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _json_number(value: Decimal) -> float | int:
    """Integral values as ints so stored JSON stays tidy (``250``, not ``250.0``)."""
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------- print areas


def _placement(reader: _Reader, raw: Any, path: str) -> dict[str, Any]:
    if raw is None or raw == {}:
        return {}
    if not isinstance(raw, Mapping):
        reader.fail(path, "Must be an object with x, y, width and height.")
        return {}
    limit = opt.MAX_MOCKUP_COORDINATE
    placement: dict[str, Any] = {}
    for key in PLACEMENT_KEYS:
        low = Decimal(-limit) if key in ("x", "y") else Decimal(0)
        message = f"Must be a number from {low} to {limit} pixels."
        value = reader.decimal(raw.get(key), f"{path}.{key}", message)
        if value is None:
            continue
        if not low <= value <= limit or (key in ("width", "height") and value <= 0):
            reader.fail(f"{path}.{key}", message)
            continue
        placement[key] = _json_number(value)
    if len(placement) != len(PLACEMENT_KEYS):
        return {}
    cylinder = _cylinder(reader, raw.get("cylinder"), f"{path}.cylinder")
    displacement = _displacement(reader, raw.get("displacement"), f"{path}.displacement")
    extras = {"cylinder": cylinder, "displacement": displacement}
    return {**placement, **{k: v for k, v in extras.items() if v}}


def _displacement(reader: _Reader, raw: Any, path: str) -> dict[str, float | int] | None:
    """The print follows the photo's folds (``app.design.displace``) by up to this much."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, Mapping):
        reader.fail(path, "Must be an object with strength_px.")
        return None
    message = f"Must be a number from 0 to {MAX_STRENGTH_PX:g} pixels."
    strength = reader.decimal(raw.get("strength_px"), f"{path}.strength_px", message)
    if strength is None:
        return None
    if not 0 <= strength <= Decimal(str(MAX_STRENGTH_PX)):
        reader.fail(f"{path}.strength_px", message)
        return None
    return {"strength_px": _json_number(strength)}


def _views(reader: _Reader, raw: Any, path: str) -> list[ViewInput] | None:
    """The area's pictures after its mockup: each needs a name, an upload and a placement."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        reader.fail(path, "Must be a list of views.")
        return []
    if len(raw) > MAX_VIEWS - 1:
        reader.fail(path, f"At most {MAX_VIEWS - 1} views besides the mockup.")
        return []
    views: list[ViewInput] = []
    for index, item in enumerate(raw):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            reader.fail(where, "Must be an object.")
            continue
        name = reader.text(item, "name", f"{where}.name")
        file_id = _optional_id(reader, item.get("mockup_file_id"), f"{where}.mockup_file_id")
        if file_id is None and f"{where}.mockup_file_id" not in reader.errors:
            reader.fail(f"{where}.mockup_file_id", "Upload a picture for this view.")
        where_placed = f"{where}.mockup_placement"
        placement = _placement(reader, item.get("mockup_placement"), where_placed)
        if not placement and not any(k.startswith(where_placed) for k in reader.errors):
            reader.fail(where_placed, "Place the print area on this picture.")
        if name and file_id is not None and placement:
            views.append(ViewInput(name, file_id, placement))
    return views


def _cylinder(reader: _Reader, raw: Any, path: str) -> dict[str, float | int] | None:
    """The product the area wraps around (``app.design.warp``): its circumference, and which
    point of the wrap faces the viewer on this mockup (mm from its middle)."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, Mapping):
        reader.fail(path, "Must be an object with circumference_mm (and offset_mm).")
        return None
    low, high = Decimal(str(MIN_CIRCUMFERENCE_MM)), Decimal(str(MAX_CIRCUMFERENCE_MM))
    message = f"Must be a number from {MIN_CIRCUMFERENCE_MM:g} to {MAX_CIRCUMFERENCE_MM:g} mm."
    circumference = reader.decimal(raw.get("circumference_mm"), f"{path}.circumference_mm", message)
    if circumference is not None and not low <= circumference <= high:
        reader.fail(f"{path}.circumference_mm", message)
        circumference = None
    offset_message = "Must be a number of mm within one turn of the circumference."
    offset = reader.decimal(raw.get("offset_mm", 0), f"{path}.offset_mm", offset_message)
    if circumference is None or offset is None:
        return None
    if abs(offset) > circumference:
        reader.fail(f"{path}.offset_mm", offset_message)
        return None
    return {"circumference_mm": _json_number(circumference), "offset_mm": _json_number(offset)}


def _size(reader: _Reader, raw: Any, path: str) -> Decimal | None:
    message = f"Must be more than 0 and at most {opt.MAX_SIZE_MM} mm."
    value = reader.decimal(raw, path, message)
    if value is not None and not 0 < value <= opt.MAX_SIZE_MM:
        reader.fail(path, message)
        return None
    return value


def _margin(reader: _Reader, raw: Any, path: str, high: Decimal) -> Decimal | None:
    message = f"Must be from 0 to {high} mm."
    value = reader.decimal(raw, path, message)
    if value is not None and not 0 <= value <= high:
        reader.fail(path, message)
        return None
    return value


def _optional_id(reader: _Reader, raw: Any, path: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not in_range(raw):
        reader.fail(path, "Must be an id from this template, or null.")
        return None
    return raw


def _area(reader: _Reader, raw: Any, path: str) -> AreaInput | None:
    if not isinstance(raw, Mapping):
        reader.fail(path, "Must be an object.")
        return None
    before = len(reader.errors)
    key = raw.get("key")
    if not isinstance(key, str) or not _AREA_KEY.fullmatch(key):
        reader.fail(f"{path}.key", "Use 1 to 64 lowercase letters, digits, - or _.")
    width = _size(reader, raw.get("width_mm"), f"{path}.width_mm")
    height = _size(reader, raw.get("height_mm"), f"{path}.height_mm")
    bleed = _margin(reader, raw.get("bleed_mm"), f"{path}.bleed_mm", opt.MAX_BLEED_MM)
    safe = _margin(
        reader, raw.get("safe_margin_mm"), f"{path}.safe_margin_mm", opt.MAX_SAFE_MARGIN_MM
    )
    if (
        safe is not None
        and width is not None
        and height is not None
        and safe * 2 >= min(width, height)
    ):
        half = min(width, height) / 2
        reader.fail(
            f"{path}.safe_margin_mm", f"Must be less than half the shorter side ({half} mm)."
        )
    dpi = reader.integer(raw, "dpi", f"{path}.dpi", opt.MIN_DPI, opt.MAX_DPI)
    if width is not None and height is not None and bleed is not None and dpi:
        _print_size(reader, AreaSpec("", float(width), float(height), dpi, float(bleed)), path)
    area = AreaInput(
        key=key if isinstance(key, str) else "",
        name=reader.text(raw, "name", f"{path}.name"),
        width_mm=width or Decimal(0),
        height_mm=height or Decimal(0),
        dpi=dpi,
        bleed_mm=bleed or Decimal(0),
        safe_margin_mm=safe or Decimal(0),
        id=_optional_id(reader, raw.get("id"), f"{path}.id"),
        mockup_file_id=_optional_id(reader, raw.get("mockup_file_id"), f"{path}.mockup_file_id"),
        mockup_placement=_placement(
            reader, raw.get("mockup_placement"), f"{path}.mockup_placement"
        ),
        views=_views(reader, raw.get("views"), f"{path}.views") if "views" in raw else None,
    )
    return area if len(reader.errors) == before else None


def _print_size(reader: _Reader, area: AreaSpec, path: str) -> None:
    """The render core's limits (``app.design.limits``), told at the dpi field: lowering it is
    the usual fix."""
    problem = print_size_problem(area)
    if problem:
        reader.fail(f"{path}.dpi", f"Too large to print: {problem}. Lower the dpi or the size.")


def _areas(reader: _Reader, raw: Any) -> list[AreaInput]:
    if not isinstance(raw, list) or not raw:
        reader.fail("print_areas", "Add at least one print area.")
        return []
    if len(raw) > opt.MAX_AREAS:
        reader.fail("print_areas", f"At most {opt.MAX_AREAS} print areas.")
        return []
    areas: list[AreaInput] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        area = _area(reader, item, f"print_areas[{index}]")
        key = item.get("key") if isinstance(item, Mapping) else None
        if isinstance(key, str) and key in seen:
            reader.fail(f"print_areas[{index}].key", "Another print area already uses this key.")
        if isinstance(key, str):
            seen.add(key)
        if area is not None:
            areas.append(area)
    return areas


# ---------------------------------------------------------------- template-wide


def _choices(reader: _Reader, raw: Any, field: str, known: frozenset[str], what: str) -> list[str]:
    """A list of names each of which must be one of ``known`` (duplicates dropped, order kept)."""
    if not isinstance(raw, list):
        reader.fail(field, f"Must be a list of {what} names.")
        return []
    chosen: list[str] = []
    for index, name in enumerate(raw):
        if not isinstance(name, str) or name not in known:
            reader.fail(f"{field}[{index}]", f"Not one of Luneo's {what}s.")
        elif name not in chosen:
            chosen.append(name)
    return chosen


def _fonts(reader: _Reader, raw: Any, shop_fonts: frozenset[str]) -> list[str]:
    """Luneo's curated families and the shop's own (``shop_fonts``; another shop's are unknown)."""
    known = opt.FONT_FAMILIES | shop_fonts
    if not isinstance(raw, list):
        reader.fail("fonts", "Must be a list of font names.")
        return []
    chosen: list[str] = []
    for index, name in enumerate(raw):
        if not isinstance(name, str) or name not in known:
            reader.fail(f"fonts[{index}]", "Not one of Luneo's fonts or yours.")
        elif name not in chosen:
            chosen.append(name)
    return chosen


def _clipart_sets(reader: _Reader, raw: Any, shop_sets: frozenset[str]) -> list[str]:
    """Luneo's sets and the shop's own (``shop_sets``: ``shop-<id>`` keys of this shop only)."""
    return _choices(
        reader, raw, "clipart_sets", default_library().set_keys | shop_sets, "clipart set"
    )


def _colors(reader: _Reader, raw: Any) -> list[str]:
    if not isinstance(raw, list):
        reader.fail("colors", "Must be a list of colours like #1f2937.")
        return []
    if len(raw) > opt.MAX_COLORS:
        reader.fail("colors", f"At most {opt.MAX_COLORS} colours.")
        return []
    colors: list[str] = []
    for index, value in enumerate(raw):
        if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value.strip()):
            reader.fail(f"colors[{index}]", "Use a hex colour like #1f2937.")
            continue
        hex_digits = value.strip().lower()[1:]
        if len(hex_digits) == 3:
            hex_digits = "".join(c * 2 for c in hex_digits)
        if f"#{hex_digits}" not in colors:
            colors.append(f"#{hex_digits}")
    return colors


def _rule(reader: _Reader, raw: Any, path: str, keys: set[str], places: int) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        reader.fail(path, "Must be an object.")
        return {}
    area, option = raw.get("area"), raw.get("option")
    rule: dict[str, str] = {}
    if (area is None) == (option is None):
        reader.fail(path, "Give either a print area or an option.")
    elif area is not None:
        if not isinstance(area, str) or area not in keys:
            reader.fail(f"{path}.area", "No print area has this key.")
        rule["area"] = str(area)
    else:
        text = reader.text(raw, "option", f"{path}.option")
        if len(text) > opt.MAX_RULE_TEXT:
            reader.fail(f"{path}.option", f"At most {opt.MAX_RULE_TEXT} characters.")
        rule["option"] = text
    label = reader.text(raw, "label", f"{path}.label", required=False)
    if len(label) > opt.MAX_RULE_TEXT:
        reader.fail(f"{path}.label", f"At most {opt.MAX_RULE_TEXT} characters.")
    rule["label"] = label
    message = f"Must be an amount from 0 to {opt.MAX_PRICE_AMOUNT}."
    amount = reader.decimal(raw.get("amount"), f"{path}.amount", message, places)
    if amount is not None and not 0 <= amount <= opt.MAX_PRICE_AMOUNT:
        reader.fail(f"{path}.amount", message)
    rule["amount"] = str(amount)
    return rule


def _rules(reader: _Reader, raw: Any, keys: set[str], currency: str) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        reader.fail("price_rules", "Must be a list.")
        return []
    if len(raw) > opt.MAX_PRICE_RULES:
        reader.fail("price_rules", f"At most {opt.MAX_PRICE_RULES} price rules.")
        return []
    places = opt.currency_places(currency)
    return [_rule(reader, r, f"price_rules[{i}]", keys, places) for i, r in enumerate(raw)]


# ---------------------------------------------------------------- fields, mode, surcharge


def _sentence(message: str) -> str:
    """The render core's lower-case message in the editor's style: capitalised, with a stop."""
    text = message[:1].upper() + message[1:]
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _amount(reader: _Reader, raw: Any, path: str, places: int) -> str | None:
    """An amount of the shop's currency as the stored string ("2.50"), or None after failing."""
    message = f"Must be an amount from 0 to {opt.MAX_PRICE_AMOUNT}."
    value = reader.decimal(raw, path, message, places)
    if value is not None and not 0 <= value <= opt.MAX_PRICE_AMOUNT:
        reader.fail(path, message)
        return None
    return None if value is None else str(value)


def _fields(
    reader: _Reader,
    raw: Any,
    keys: set[str],
    clipart_sets: list[str] | None,
    currency: str,
    fonts: list[str],
) -> list[dict[str, Any]]:
    """The form's fields, checked by the render core's rules (``app.design.fields``, the same
    the renderer and the import apply) plus the shop's currency places for every amount.
    ``fonts``: the template's font list (a field may use the shop's own fonts listed there)."""
    errors = field_errors(raw, area_keys=keys, clipart_sets=clipart_sets, fonts=fonts)
    for error in errors:
        reader.fail(error.path, _sentence(error.message))
    if errors:
        return []
    places = opt.currency_places(currency)
    fields: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        field = copy.deepcopy(dict(item))
        path = f"fields[{index}]"
        price = field.get("price")
        if isinstance(price, dict):
            for key in ("amount", "per_character"):
                if key in price:
                    price[key] = _amount(reader, price[key], f"{path}.price.{key}", places)
        for i, option in enumerate(field.get("options") or ()):
            if option.get("price") is not None:
                option["price"] = _amount(
                    reader, option["price"], f"{path}.options[{i}].price", places
                )
        fields.append(field)
    return fields


def _low_dpi_policy(reader: _Reader, raw: Any) -> LowDpiPolicy | None:
    try:
        return LowDpiPolicy(raw)
    except ValueError:
        reader.fail("low_dpi_policy", "Choose warn or refuse.")
        return None


def _editor_mode(reader: _Reader, raw: Any) -> EditorMode | None:
    try:
        return EditorMode(raw)
    except ValueError:
        reader.fail("editor_mode", "Choose canvas, form or both.")
        return None


FINISHING_CHECKS: dict[str, Callable[[Any, str], dict[str, str]]] = {
    "cut_line": cut_line_problems,
    "engraving": engraving_problems,
}


def _finishing(
    reader: _Reader, payload: Mapping[str, Any], areas: list[AreaInput]
) -> dict[str, Any]:
    """The cut line, score lines and engraving settings sent, checked by the render core's
    rules (score lines inside the bleed box of every area sent)."""
    boxes = [Box(a.key, float(a.width_mm), float(a.height_mm), float(a.bleed_mm)) for a in areas]

    def score_lines_in_areas(raw: Any, path: str) -> dict[str, str]:
        return score_lines_problems(raw, path, boxes)

    checks = {**FINISHING_CHECKS, "score_lines": score_lines_in_areas}
    sent: dict[str, Any] = {}
    for key, problems_of in checks.items():
        if key not in payload:
            continue
        problems = problems_of(payload[key], key)
        for path, message in problems.items():
            reader.fail(path, message)
        raw = payload[key]
        sent[key] = None if not raw or problems else copy.deepcopy(raw)
    return sent


def parse_template(
    payload: Any,
    currency: str,
    clipart_sets_now: list[str] | None = None,
    shop_fonts: frozenset[str] = frozenset(),
    shop_clipart_sets: frozenset[str] = frozenset(),
) -> TemplateInput:
    """The editor's JSON as typed, range-checked values; raises InvalidInput listing every error.

    ``clipart_sets_now``: the template's sets, which its clipart fields must stay within when
    the payload does not send ``clipart_sets``. ``shop_fonts``: the shop's own font families,
    offered beside the curated ones (``shop_fonts.families``).
    """
    if not isinstance(payload, Mapping):
        raise InvalidInput({}, "Send the template as a JSON object.")
    reader = _Reader()
    raw_areas = payload.get("print_areas")
    areas = _areas(reader, raw_areas)
    # Rules may name any submitted key: a rule is not also wrong because its area has a typo.
    keys = {
        a["key"]
        for a in (raw_areas if isinstance(raw_areas, list) else [])
        if isinstance(a, Mapping) and isinstance(a.get("key"), str)
    }
    values = TemplateInput(
        name=reader.text(payload, "name", "name"),
        is_active=reader.boolean(payload, "is_active", "is_active"),
        fonts=_fonts(reader, payload.get("fonts"), shop_fonts),
        clipart_sets=(
            _clipart_sets(reader, payload["clipart_sets"], shop_clipart_sets)
            if "clipart_sets" in payload
            else None
        ),
        colors=_colors(reader, payload.get("colors")),
        max_layers=reader.integer(
            payload, "max_layers", "max_layers", opt.MIN_LAYERS, opt.MAX_LAYERS
        ),
        ai_enabled=reader.boolean(payload, "ai_enabled", "ai_enabled"),
        min_image_dpi=reader.integer(
            payload, "min_image_dpi", "min_image_dpi", opt.MIN_IMAGE_DPI, opt.MAX_IMAGE_DPI
        ),
        price_rules=_rules(reader, payload.get("price_rules"), keys, currency),
        print_areas=areas,
        model_3d=_model_3d(reader, payload.get("model_3d")),
    )
    sets = values.clipart_sets if values.clipart_sets is not None else clipart_sets_now
    places = opt.currency_places(currency)
    values = dataclasses.replace(
        values,
        fields=(
            _fields(reader, payload["fields"], keys, sets, currency, values.fonts)
            if "fields" in payload
            else None
        ),
        editor_mode=(
            _editor_mode(reader, payload["editor_mode"]) if "editor_mode" in payload else None
        ),
        low_dpi_policy=(
            _low_dpi_policy(reader, payload["low_dpi_policy"])
            if "low_dpi_policy" in payload
            else None
        ),
        surcharge=(
            _decimal_or_none(_amount(reader, payload["surcharge"], "surcharge", places))
            if "surcharge" in payload
            else None
        ),
        finishing=_finishing(reader, payload, areas),
        proof=_proof(reader, payload["proof"]) if "proof" in payload else None,
        try_on=parse_try_on(payload.get("try_on"), reader.errors),
        try_on_sent="try_on" in payload,
    )
    if reader.errors:
        raise InvalidInput(reader.errors)
    return values
