"""The proof sheet: one A4 page per order line that a merchant sends and a printer checks.

For each print area (two to a page; a third starts another page): the flat print with its trim
(solid), bleed (dashed red), safe area (dashed blue), cut line (magenta) and score lines
(dashed cyan) drawn on it, the design on the product's mockup beside it, and the facts a
printer asks first — finished size, bleed, resolution and pixel size. Then the colours the
design names (text, outlines, shadows, shapes, clipart; pictures are listed as pictures), the
fonts, the preflight's findings in plain words, the files made for the printer, and an approval
box. Pure: the caller passes what it knows about the order (``ProofInfo``); nothing here
reads a database.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.design.color import hex_rgb
from app.design.document import Design, ImageLayer, ShapeLayer, TextLayer
from app.design.geometry import MM_PER_INCH
from app.design.pdf import _pdf_font
from app.design.pdfx import finish_pdf
from app.design.preflight import Finding
from app.design.raster import RenderInputs, preview, render_print
from app.design.template import AreaSpec, TemplateSpec
from app.design.vips import VipsError

SHEET_PX = 900  # the flat print's longest side on the sheet, in pixels
MARGIN = 36.0  # points
AREAS_PER_PAGE = 2
MAX_FINDINGS = 8
CUT_COLOUR = (0.93, 0.0, 0.55)  # magenta, as RIPs show a CutContour
SCORE_COLOUR = (0.0, 0.68, 0.94)  # cyan, as the Crease spot colour's alternate
Polygon = Sequence[tuple[float, float]]  # a closed path in area mm (origin: the trim's top-left)


@dataclass(frozen=True)
class ProofInfo:
    """What the sheet says about the order line; every string as the merchant should read it."""

    title: str  # e.g. "Order #1001 · Personalised mug"
    day: date  # the day the sheet is made (a pure renderer does not read the clock)
    findings: Sequence[Finding] = ()
    files: Sequence[str] = ()  # the printer's files, e.g. "Wrap-around: print PDF"
    cut_paths: Mapping[str, Sequence[Polygon]] = field(default_factory=dict)


def colours_used(design: Design) -> list[tuple[str, str]]:
    """Every colour the design names, once, with where it is used: [("#1F2937", "text"), …]."""
    seen: dict[str, list[str]] = {}

    def add(colour: str | None, use: str) -> None:
        if colour:
            uses = seen.setdefault(colour.upper(), [])
            if use not in uses:
                uses.append(use)

    for layers in design.areas.values():
        for layer in layers:
            if layer.hidden:
                continue
            if isinstance(layer, TextLayer):
                add(layer.color, "text")
                add(layer.stroke if layer.stroke_width_mm > 0 else None, "text outline")
                add(layer.shadow.color if layer.shadow else None, "text shadow")
            elif isinstance(layer, ShapeLayer):
                add(layer.fill, "shape")
                add(layer.stroke if layer.stroke_width_mm > 0 else None, "shape outline")
            elif isinstance(layer, ImageLayer) and layer.kind == "clipart":
                add(layer.color, "clipart")
    return [(colour, ", ".join(uses)) for colour, uses in seen.items()]


def fonts_used(design: Design) -> list[str]:
    faces = {
        f"{layer.font} {layer.weight}{' italic' if layer.style == 'italic' else ''}"
        for layers in design.areas.values()
        for layer in layers
        if isinstance(layer, TextLayer) and not layer.hidden and layer.text.strip()
    }
    return sorted(faces)


def proof_sheet(
    design: Design,
    template: TemplateSpec,
    inputs: RenderInputs,
    info: ProofInfo,
    mockups: Mapping[str, bytes] | None = None,
) -> bytes:
    """The proof sheet as a PDF (A4 portrait)."""
    out = io.BytesIO()
    registry = inputs.registry
    family = registry.families[0]
    regular = _pdf_font(str(registry.face(family).files[0].path))
    bold = _pdf_font(str(registry.face(family, weight=700).files[0].path))
    # An embedded font from the start: reportlab would otherwise list a non-embedded Helvetica.
    options: dict[str, Any] = {"initialFontName": regular}  # (the stubs mistype this one)
    canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=1, **options)
    canvas.setTitle(f"Proof: {info.title}")
    canvas.setCreator("Luneo")
    sheet = _Sheet(canvas, inputs, regular, bold)
    areas = [a for a in template.areas if design.areas.get(a.key)]
    for start in range(0, max(len(areas), 1), AREAS_PER_PAGE):
        if start:
            canvas.showPage()
        y = sheet.header(info, start // AREAS_PER_PAGE + 1)
        chunk = areas[start : start + AREAS_PER_PAGE]
        height = (y - MARGIN - 250) / max(len(chunk), 1)
        for area in chunk:
            mockup = (mockups or {}).get(area.key)
            sheet.area(design, template, area, info.cut_paths.get(area.key, ()), mockup, y, height)
            y -= height
    sheet.summary(design, info, MARGIN + 240)
    canvas.showPage()
    canvas.save()
    return finish_pdf(out.getvalue(), None)  # each font subset its own tag


class _Sheet:
    def __init__(self, canvas: Canvas, inputs: RenderInputs, font: str, bold: str) -> None:
        self.canvas = canvas
        self.inputs = inputs
        self.font = font
        self.bold = bold
        self.width, self.height = A4

    def text(self, x: float, y: float, value: str, size: float = 9, *, bold: bool = False) -> None:
        self.canvas.setFillColorRGB(0.07, 0.09, 0.15)
        self.canvas.setFont(self.bold if bold else self.font, size)
        self.canvas.drawString(x, y, value)

    def header(self, info: ProofInfo, page: int) -> float:
        top = self.height - MARGIN
        self.text(MARGIN, top - 14, f"Proof — {info.title}", 14, bold=True)
        when = info.day.isoformat()
        self.text(MARGIN, top - 30, f"Made by Luneo on {when} · page {page}", 8)
        return top - 44

    def area(
        self,
        design: Design,
        template: TemplateSpec,
        area: AreaSpec,
        cuts: Sequence[Polygon],
        mockup: bytes | None,
        top: float,
        height: float,
    ) -> None:
        canvas = self.canvas
        label = area.name or area.key
        self.text(MARGIN, top - 12, label, 11, bold=True)
        full_w = area.width_mm + 2 * area.bleed_mm
        full_h = area.height_mm + 2 * area.bleed_mm
        dpi = max(10, min(area.dpi, round(SHEET_PX / (max(full_w, full_h) / MM_PER_INCH))))
        box_w = (self.width - 2 * MARGIN) * (0.58 if mockup else 1.0)
        box_h = height - 60
        scale = min(box_w / full_w, box_h / full_h)  # points per mm
        x0, y0 = MARGIN, top - 20 - full_h * scale
        try:
            flat = render_print(design, template, area.key, self.inputs, dpi)
            picture = io.BytesIO(bytes(flat.pngsave_buffer(compression=6)))
        except VipsError:
            picture = None
        canvas.setFillColorRGB(0.95, 0.95, 0.96)
        canvas.rect(x0, y0, full_w * scale, full_h * scale, stroke=0, fill=1)
        if picture is not None:
            reader = ImageReader(picture)
            canvas.drawImage(reader, x0, y0, full_w * scale, full_h * scale, mask="auto")

        def at(x_mm: float, y_mm: float) -> tuple[float, float]:  # area mm -> page points
            return x0 + (x_mm + area.bleed_mm) * scale, y0 + (full_h - y_mm - area.bleed_mm) * scale

        self._box(at, -area.bleed_mm, area, (0.86, 0.15, 0.15))
        self._box(at, 0, area, (0.07, 0.09, 0.15), dashed=False)
        self._box(at, area.safe_margin_mm, area, (0.15, 0.39, 0.92))
        canvas.setStrokeColorRGB(*CUT_COLOUR)
        canvas.setLineWidth(1)
        canvas.setDash()
        for polygon in cuts:
            if len(polygon) < 2:
                continue
            path = canvas.beginPath()
            path.moveTo(*at(*polygon[0]))
            for point in polygon[1:]:
                path.lineTo(*at(*point))
            path.close()
            canvas.drawPath(path, stroke=1, fill=0)
        canvas.setStrokeColorRGB(*SCORE_COLOUR)
        canvas.setDash(4, 2)  # a crease is folded, not cut: dashed, as on a die line
        for line in template.score_lines:
            canvas.line(*at(line.x1_mm, line.y1_mm), *at(line.x2_mm, line.y2_mm))
        canvas.setDash()
        if mockup:
            self._mockup(design, template, area, mockup, x0 + box_w + 12, top - 20, box_h)
        px_w = round(full_w / MM_PER_INCH * area.dpi)
        px_h = round(full_h / MM_PER_INCH * area.dpi)
        facts = (
            f"Finished size {area.width_mm:g} × {area.height_mm:g} mm · bleed {area.bleed_mm:g} mm"
            f" · safe margin {area.safe_margin_mm:g} mm · {area.dpi} dpi ({px_w} × {px_h} px"
            " with bleed)"
        )
        self.text(MARGIN, y0 - 14, facts, 8)
        legend = "Solid: trim · red dashes: bleed · blue dashes: safe area"
        legend += " · magenta: cut line" if cuts else ""
        legend += " · cyan dashes: score lines (folds)" if template.score_lines else ""
        self.text(MARGIN, y0 - 25, legend, 7)

    def _box(
        self,
        at: Callable[[float, float], tuple[float, float]],
        inset: float,
        area: AreaSpec,
        colour: tuple[float, float, float],
        *,
        dashed: bool = True,
    ) -> None:
        """The area's outline moved ``inset`` mm inwards (negative: outwards, the bleed)."""
        (x0, y0) = at(inset, area.height_mm - inset)
        (x1, y1) = at(area.width_mm - inset, inset)
        self.canvas.setStrokeColorRGB(*colour)
        self.canvas.setLineWidth(0.6)
        if dashed:
            self.canvas.setDash(3, 2)
        else:
            self.canvas.setDash()
        self.canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)

    def _mockup(
        self,
        design: Design,
        template: TemplateSpec,
        area: AreaSpec,
        mockup: bytes,
        x: float,
        top: float,
        height: float,
    ) -> None:
        try:
            data = preview(design, template, area.key, self.inputs, mockup)
        except VipsError:
            return
        reader = ImageReader(io.BytesIO(data))
        iw, ih = reader.getSize()
        width = self.width - MARGIN - x
        scale = min(width / iw, height / ih)
        self.canvas.drawImage(reader, x, top - ih * scale, iw * scale, ih * scale, mask="auto")

    def summary(self, design: Design, info: ProofInfo, top: float) -> None:
        canvas = self.canvas
        y = top
        self.text(MARGIN, y, "Colours", 10, bold=True)
        y -= 14
        x = MARGIN
        colours = colours_used(design)
        for colour, use in colours[:12]:
            canvas.setFillColorRGB(*(c / 255 for c in hex_rgb(colour)))
            canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
            canvas.setDash()
            canvas.rect(x, y - 2, 9, 9, stroke=1, fill=1)
            self.text(x + 13, y, f"{colour} ({use})", 7)
            x += 170
            if x > self.width - MARGIN - 160:
                x, y = MARGIN, y - 13
        if not colours:
            self.text(MARGIN, y, "No named colours: the design is pictures only.", 8)
        y -= 20
        fonts = fonts_used(design)
        self.text(MARGIN, y, "Fonts: " + (", ".join(fonts) if fonts else "none"), 8)
        y -= 18
        self.text(MARGIN, y, "Preflight", 10, bold=True)
        y -= 13
        findings = [f for f in info.findings if f.severity in ("error", "warning")]
        if not findings:
            self.text(MARGIN, y, "No problems found.", 8)
            y -= 11
        for finding in findings[:MAX_FINDINGS]:
            kind = "Problem" if finding.severity == "error" else "Check"
            self.text(MARGIN, y, f"{kind}: {finding.message}"[:130], 8)
            y -= 11
        if len(findings) > MAX_FINDINGS:
            self.text(MARGIN, y, f"… and {len(findings) - MAX_FINDINGS} more", 8)
            y -= 11
        if info.files:
            y -= 6
            self.text(MARGIN, y, "Files for the printer: " + ", ".join(info.files), 8)
            y -= 11
        canvas.setStrokeColorRGB(0.07, 0.09, 0.15)
        canvas.setDash()
        canvas.setLineWidth(0.8)
        canvas.rect(MARGIN, MARGIN, self.width - 2 * MARGIN, 48, stroke=1, fill=0)
        self.text(MARGIN + 8, MARGIN + 32, "Approved for print", 9, bold=True)
        self.text(MARGIN + 8, MARGIN + 12, "Name ______________________", 8)
        self.text(MARGIN + 200, MARGIN + 12, "Date ______________", 8)
        self.text(MARGIN + 340, MARGIN + 12, "Changes needed: ______________", 8)
