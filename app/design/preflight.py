"""Preflight: what a shopper, a merchant and a print partner should know before printing.

Findings never stop anything by themselves; the caller decides (the storefront refuses
``error``s before checkout, production records them with the job). Messages are plain language
with the numbers in them.

Thresholds, and why:
- Pictures: a warning under ``WARN_DPI`` (150, where blur shows at arm's length); under the
  template's ``min_image_dpi`` an error when its ``low_dpi_policy`` is ``refuse``, a warning
  saying so (the design may still be ordered) when it is ``warn``.
- Text: a warning when the font size (the em, as set in the editor) is under ``MIN_TEXT_MM``
  = 6 pt = 2.12 mm; capitals are then about 1.5 mm tall, the smallest most processes hold.
- Lines and outlines thinner than ``MIN_LINE_MM`` (0.1 mm, a hairline) may not print.
- Safe area: content crossing the safe margin may be cut off, except a layer that reaches the
  trim edge on that side (a background meant to bleed).
- Text the layout cannot print (a right-to-left or joined script, CJK, emoji, or a character
  the font lacks: ``scripts.py``) is an error, never boxes on paper.
- An area larger than Luneo prints (``limits.py``: side, dpi, megapixels) is an error; a
  template read by ``TemplateSpec.from_dict`` is refused before it gets here.
- A field's text wider than its box (auto-fit stops at the field's smallest size) is a warning
  at ``fields.<id>``, told in the shopper's words, as a photo too small for its frame is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from app.design.clipart import parse_ref
from app.design.document import Design, ImageLayer, Layer, ShapeLayer, TextLayer, parse_design
from app.design.errors import DesignError, layer_path
from app.design.fonts import FontRegistry, registry_for
from app.design.geometry import Bounds, box_corners
from app.design.images import AssetSource, effective_dpi, fetch, open_source
from app.design.layers import text_layout
from app.design.limits import print_size_problem
from app.design.scripts import text_problem
from app.design.template import AreaSpec, TemplateSpec

Severity = Literal["error", "warning", "info"]
WARN_DPI = 150
MIN_TEXT_MM = 6 * 25.4 / 72
MIN_LINE_MM = 0.1
FIT_TOLERANCE_MM = 0.5  # a field's text may overhang its box this much (side bearings)


@dataclass(frozen=True)
class Finding:
    severity: Severity
    area: str
    layer: int | None
    code: str
    message: str
    # Where a form shows it: ``fields.<id>`` for a field's value (a photo too small in its
    # frame); None for what is about a layer.
    path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = self.area if self.layer is None else f"{self.area} layer {self.layer + 1}"
        return f"{self.severity.upper():7} {where}: {self.message} [{self.code}]"


def preflight_document(
    document: Any, template: TemplateSpec, assets: AssetSource, fonts: FontRegistry | None = None
) -> list[Finding]:
    """Like ``preflight`` but starting from raw JSON: schema problems become findings too."""
    try:
        design = parse_design(document)
    except DesignError as exc:
        return [_from_error(e, "invalid") for e in exc.all]
    return preflight(design, template, assets, fonts)


def preflight(
    design: Design, template: TemplateSpec, assets: AssetSource, fonts: FontRegistry | None = None
) -> list[Finding]:
    registry = registry_for(template.shop_fonts, fonts)
    findings: list[Finding] = []
    for key in design.areas:
        if key not in template.area_keys:
            message = f"this product has no print area {key!r}; it will not be printed"
            findings.append(Finding("error", key, None, "unknown_area", message))
    for area in template.areas:
        too_large = print_size_problem(area)
        if too_large:
            findings.append(Finding("error", area.key, None, "print_too_large", too_large))
        layers = design.areas.get(area.key, ())
        findings.extend(_area(area, layers, template, assets, registry))
    return findings


def _area(
    area: AreaSpec,
    layers: tuple[Layer, ...],
    template: TemplateSpec,
    assets: AssetSource,
    fonts: FontRegistry,
) -> list[Finding]:
    if not layers:
        return [Finding("info", area.key, None, "empty_area", "nothing is designed here")]
    found: list[Finding] = []
    if len(layers) > template.max_layers:
        message = f"{len(layers)} layers; this product allows at most {template.max_layers}"
        found.append(Finding("error", area.key, None, "too_many_layers", message))
    for index, layer in enumerate(layers):
        if layer.hidden:
            continue  # not printed: nothing of it can go wrong on the product
        check = _Layer(area, index, template, found)
        try:
            bounds = check.run(layer, assets, fonts)
        except DesignError as exc:
            found.append(_from_error(exc, _code_for(exc)))
            continue
        if bounds is not None:
            check.placement(layer, bounds)
    return found


@dataclass
class _Layer:
    area: AreaSpec
    index: int
    template: TemplateSpec
    found: list[Finding]

    @property
    def path(self) -> str:
        return layer_path(self.area.key, self.index)

    def add(self, severity: Severity, code: str, message: str, path: str | None = None) -> None:
        self.found.append(Finding(severity, self.area.key, self.index, code, message, path))

    def run(self, layer: Layer, assets: AssetSource, fonts: FontRegistry) -> Bounds | None:
        if isinstance(layer, TextLayer):
            return self.text(layer, fonts)
        if isinstance(layer, ShapeLayer):
            return self.shape(layer)
        return self.image(layer, assets)

    def text(self, layer: TextLayer, fonts: FontRegistry) -> Bounds | None:
        layout = text_layout(layer, fonts, self.path)
        # A field's layer wears the merchant's choices for that field (app.design.fields).
        if layer.field is None:
            if self.template.fonts and layer.font not in self.template.fonts:
                message = f"the font {layer.font!r} is not offered here"
                self.add("error", "font_not_allowed", message)
            self.color(layer.color)
        if not layer.text.strip():
            self.add("info", "empty_text", "this text layer is empty")
        if layer.size_mm < MIN_TEXT_MM:
            self.add(
                "warning",
                "text_too_small",
                f"text {layer.size_mm:.1f} mm tall may not print legibly "
                f"(use at least {MIN_TEXT_MM:.1f} mm, 6 pt)",
            )
        problem = text_problem(layer.text, layout.face)
        if problem:
            where = f"fields.{layer.field}" if layer.field else None
            self.add("error", "unsupported_text", problem, where)
        if layer.field and layer.box and layout.bounds and not layer.arc_degrees:
            space = Bounds.around(box_corners(layer.box)).grow(FIT_TOLERANCE_MM)
            drawn = layout.bounds
            if drawn.left < space.left or drawn.right > space.right:
                message = (
                    "This text is too long for its space, even at the smallest size: it runs "
                    "past the edges. Shorten it."
                )
                self.add("warning", "text_overflows_field", message, f"fields.{layer.field}")
        if layout.bounds is not None and layer.outline_mm:
            return layout.bounds.grow(layer.outline_mm / 2)
        return layout.bounds

    def shape(self, layer: ShapeLayer) -> Bounds:
        for color in (layer.fill, layer.stroke):
            if color:
                self.color(color)
        if layer.stroke and 0 < layer.stroke_width_mm < MIN_LINE_MM:
            message = (
                f"a {layer.stroke_width_mm:.2f} mm line may not print (at least {MIN_LINE_MM} mm)"
            )
            self.add("warning", "thin_line", message)
        grow = layer.stroke_width_mm / 2 if layer.stroke or layer.shape == "line" else 0.0
        return Bounds.around(box_corners(layer.box)).grow(grow)

    def image(self, layer: ImageLayer, assets: AssetSource) -> Bounds:
        src = f"{self.path}.src"
        if layer.kind == "clipart" and layer.field is None:
            self.clipart(layer)
        source = open_source(fetch(assets, layer.src, src), src, allow_svg=layer.kind == "clipart")
        field = self.template.field(layer.field) if layer.field else None
        if source.svg is None and field is not None and field.kind == "photo":
            self.photo_in_frame(effective_dpi(source, layer, self.path), field.id, field.min_dpi)
        elif source.svg is None:
            self.resolution(effective_dpi(source, layer, self.path))
        return Bounds.around(box_corners(layer.box))

    def photo_in_frame(self, dpi: float, field_id: str, min_dpi: int | None) -> None:
        """A photo field: told in the words the shopper's form shows, next to that field."""
        minimum = min_dpi or self.template.min_image_dpi
        path = f"fields.{field_id}"
        if dpi < minimum:
            if self.template.low_dpi_policy == "refuse":
                message = (
                    f"This photo is too small to print sharply in the frame: {dpi:.0f} dpi, needs "
                    f"{minimum}. Use a larger photo or zoom out."
                )
                self.add("error", "image_dpi_too_low", message, path)
            else:
                message = (
                    f"This photo will print blurry in the frame: {dpi:.0f} dpi, under the "
                    f"{minimum} this product recommends. You can still order it; a larger photo "
                    "or zooming out will look sharper."
                )
                self.add("warning", "image_dpi_too_low", message, path)
        elif dpi < WARN_DPI:
            message = (
                f"This photo may print a little blurry in the frame: {dpi:.0f} dpi "
                f"(aim for {WARN_DPI}). A larger photo, or zooming out, will look sharper."
            )
            self.add("warning", "image_dpi_low", message, path)

    def clipart(self, layer: ImageLayer) -> None:
        if layer.color:
            self.color(layer.color)
        parsed = parse_ref(layer.src)
        offered = self.template.clipart_sets
        if parsed is not None and offered is not None and parsed[0] not in offered:
            message = f"the clipart set {parsed[0]!r} is not offered on this product"
            self.add("error", "clipart_not_offered", message)

    def resolution(self, dpi: float) -> None:
        minimum = self.template.min_image_dpi
        if dpi < minimum and self.template.low_dpi_policy == "refuse":
            message = (
                f"the picture is only {dpi:.0f} dpi at this size (this product needs at least "
                f"{minimum}): use a larger picture or make it smaller"
            )
            self.add("error", "image_dpi_too_low", message)
        elif dpi < minimum:
            message = (
                f"the picture is only {dpi:.0f} dpi at this size and will print blurry (this "
                f"product recommends at least {minimum}); it can still be ordered, but a larger "
                "picture or a smaller size will look sharper"
            )
            self.add("warning", "image_dpi_too_low", message)
        elif dpi < WARN_DPI:
            message = (
                f"the picture is {dpi:.0f} dpi at this size and may print blurry "
                f"(aim for {WARN_DPI}+)"
            )
            self.add("warning", "image_dpi_low", message)

    def color(self, color: str) -> None:
        allowed = self.template.colors
        if allowed and color.lower() not in allowed and _long(color) not in allowed:
            self.add("warning", "color_not_offered", f"the colour {color} is not one offered here")

    def placement(self, layer: Layer, bounds: Bounds) -> None:
        width, height, margin = self.area.width_mm, self.area.height_mm, self.area.safe_margin_mm
        eps = 1e-6
        if bounds.right <= 0 or bounds.bottom <= 0 or bounds.left >= width or bounds.top >= height:
            self.add("warning", "outside_print_area", "this layer is outside the print area")
            return
        edges = (
            (bounds.left < margin - eps, bounds.left <= eps),
            (bounds.top < margin - eps, bounds.top <= eps),
            (bounds.right > width - margin + eps, bounds.right >= width - eps),
            (bounds.bottom > height - margin + eps, bounds.bottom >= height - eps),
        )
        bleeds_off = not isinstance(layer, TextLayer)
        if any(crosses and not (bleeds_off and reaches) for crosses, reaches in edges):
            message = f"this layer comes within {margin:g} mm of the edge and may be cut off"
            self.add("warning", "outside_safe_area", message)


def _long(color: str) -> str:
    digits = color.lower().lstrip("#")
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def _code_for(error: DesignError) -> str:
    if error.path.endswith(".font"):
        return "unknown_font"
    if error.path.endswith(".src") and "not found" in error.message:
        return "image_missing"
    if error.path.endswith(".crop"):
        return "bad_crop"
    if "megapixels" in error.message:
        return "image_too_large"
    if error.path.endswith(".src"):
        return "image_unreadable"
    return "invalid"


def _from_error(error: DesignError, code: str) -> Finding:
    return Finding("error", error.area or "", error.layer, code, error.message)
