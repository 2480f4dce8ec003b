"""The cut path and score lines where cutters and RIPs read them: spot-colour layers in the
print PDF, SVG, DXF.

PDF (what Roland VersaWorks, Mimaki RasterLink and Summa GoSign look for): the path stroked
0.25 pt, never filled, in a ``/Separation /CutContour`` spot colour (alternate 100 % magenta
in DeviceCMYK, so a viewer shows it), overprinting (it must not knock out the print beneath),
inside marked content of an optional content group (a layer) named ``CutContour``, listed and
on in the default configuration (named, as PDF/X-4 wants). Score lines (creases of a folded
product) the same way as open paths in ``/Separation /Crease`` (alternate 100 % cyan) on a
``Crease`` layer. pikepdf adds them to the page reportlab drew, placed from the page's own
TrimBox, before ``pdfx.py`` finishes the file (``stamp_spot_layer``, once per spot colour).

SVG and DXF hold the cut path alone in millimetres over the whole print (trim + bleed): the
SVG's viewBox is the print's extent in mm (y down, the trim's top-left at 0,0, as the PNG's
pixels); the DXF (R12 ASCII, units mm, y up) puts the bleed box's bottom-left at 0,0, each
contour a closed POLYLINE on layer ``CutContour``, each score line a LINE on layer ``Crease``
(in the SVG, ``<line>``s in a cyan ``<g id="Crease">``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from app.design.cutline import Contour, Point, cut_contours
from app.design.document import Design
from app.design.geometry import MM_PER_POINT
from app.design.raster import RenderInputs
from app.design.template import TemplateSpec

STROKE_PT = 0.25


@dataclass(frozen=True)
class Spot:
    """A finishing line's spot colour: its name (also the layer's) and alternate CMYK."""

    name: str
    cmyk: tuple[float, float, float, float]
    svg_colour: str


CUT = Spot("CutContour", (0, 1, 0, 0), "#ff00ff")
CREASE = Spot("Crease", (1, 0, 0, 0), "#00ffff")


def score_paths(template: TemplateSpec) -> tuple[tuple[Point, Point], ...]:
    """The template's score lines as open two-point paths (area mm)."""
    return tuple(line.points for line in template.score_lines)


def with_cut_contour(
    pdf: bytes, design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs
) -> bytes:
    """The print PDF with the template's cut line on its CutContour layer and its score lines
    on the Crease layer (unchanged without either)."""
    if template.cut_line is not None:
        pdf = stamp_spot_layer(pdf, CUT, cut_contours(design, template, area_key, inputs))
    return stamp_spot_layer(pdf, CREASE, score_paths(template), closed=False)


def stamp_spot_layer(
    pdf: bytes, spot: Spot, paths: Sequence[Sequence[Point]], closed: bool = True
) -> bytes:
    """``paths`` (area mm; closed, or open lines) stroked in ``spot`` on its own layer on the
    first page, as the module docstring describes."""
    if not paths:
        return pdf
    with Pdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        x0, _, _, y1 = (float(v) for v in page.obj.get("/TrimBox", page.mediabox))
        layer = _layer(document, spot.name)
        colour = Array([Name.Separation, Name("/" + spot.name), Name.DeviceCMYK, _tint(spot)])
        overprint = Dictionary(Type=Name.ExtGState, OP=True, op=True, OPM=1)
        # Fixed names (not pikepdf's random ones): the same job must give the same bytes. Each
        # its own: pikepdf drops a name from every other resource type when adding it to one.
        cs = page.add_resource(colour, Name.ColorSpace, Name(f"/{spot.name}CS"))
        gs = page.add_resource(overprint, Name.ExtGState, Name(f"/{spot.name}GS"))
        oc = page.add_resource(layer, Name.Properties, Name(f"/{spot.name}OC"))
        ops = [f"/OC {oc} BDC q {gs} gs {cs} CS 1 SCN {STROKE_PT} w 1 j 1 J"]
        for path in paths:
            points = [(x0 + x / MM_PER_POINT, y1 - y / MM_PER_POINT) for x, y in path]
            ops.append(f"{points[0][0]:.3f} {points[0][1]:.3f} m")
            ops.extend(f"{x:.3f} {y:.3f} l" for x, y in points[1:])
            if closed:
                ops.append("h")
        ops.append("S Q EMC")
        # The page's own drawing in q … Q: ours starts from the page's initial state.
        page.contents_add(document.make_stream(b"q\n"), prepend=True)
        page.contents_add(document.make_stream(("Q\n" + "\n".join(ops)).encode()))
        out = io.BytesIO()
        document.save(out, compress_streams=True, deterministic_id=True)
    return out.getvalue()


def _tint(spot: Spot) -> Dictionary:
    """The spot colour's tint as DeviceCMYK: 0 → white, 1 → its alternate at 100 %."""
    return Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=list(spot.cmyk), N=1)


def _layer(document: Pdf, name: str) -> pikepdf.Object:
    """An optional content group named ``name``, added to the document's /OCProperties (on,
    and listed, in the default configuration, which PDF/X-4 wants named)."""
    group = document.make_indirect(Dictionary(Type=Name.OCG, Name=String(name)))
    root = document.Root
    if "/OCProperties" not in root:
        root.OCProperties = Dictionary(
            OCGs=Array(), D=Dictionary(Name=String("Default"), Order=Array(), ON=Array())
        )
    props = root.OCProperties
    props.OCGs.append(group)
    default = props.D
    for key in ("/Order", "/ON"):
        if key not in default:
            default[key] = Array()
        default[key].append(group)
    return group


# ---------------------------------------------------------------- the path alone


def _print_extent(template: TemplateSpec, area_key: str) -> tuple[float, float, float]:
    area = template.area(area_key)
    return area.bleed_mm, area.width_mm + 2 * area.bleed_mm, area.height_mm + 2 * area.bleed_mm


def cut_svg(design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs) -> bytes:
    """The cut path as an SVG in mm over the print's extent (one closed path per contour), the
    score lines beside it (a ``<line>`` each), each set in its layer's group."""
    bleed, width, height = _print_extent(template, area_key)
    groups = []
    contours = cut_contours(design, template, area_key, inputs)
    if contours:
        paths = "\n".join(f'  <path d="{svg_path_data(c)}"/>' for c in contours)
        groups.append(_svg_group(CUT, paths))
    if template.score_lines:
        lines = "\n".join(
            f'  <line x1="{(a[0]):.3f}" y1="{a[1]:.3f}" x2="{b[0]:.3f}" y2="{b[1]:.3f}"/>'
            for a, b in score_paths(template)
        )
        groups.append(_svg_group(CREASE, lines))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}mm" height="{height:g}mm" '
        f'viewBox="{-bleed:g} {-bleed:g} {width:g} {height:g}">\n' + "".join(groups) + "</svg>\n"
    ).encode()


def _svg_group(spot: Spot, body: str) -> str:
    return (
        f'<g id="{spot.name}" fill="none" stroke="{spot.svg_colour}" '
        f'stroke-width="{STROKE_PT * MM_PER_POINT:.4f}">\n{body}\n</g>\n'
    )


def svg_path_data(contour: Contour) -> str:
    first, *rest = contour
    moves = [f"M{first[0]:.3f} {first[1]:.3f}"] + [f"L{x:.3f} {y:.3f}" for x, y in rest]
    return " ".join(moves) + " Z"


def cut_dxf(design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs) -> bytes:
    """The cut path as a DXF R12 drawing in mm: closed POLYLINEs on layer CutContour, the
    score lines as LINEs on layer Crease."""
    bleed, _, height = _print_extent(template, area_key)
    lines = ["0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", "AC1009"]
    lines += ["9", "$INSUNITS", "70", "4", "0", "ENDSEC"]  # 4: millimetres
    lines += ["0", "SECTION", "2", "TABLES", "0", "TABLE", "2", "LAYER", "70", "2"]
    lines += ["0", "LAYER", "2", CUT.name, "70", "0", "62", "6", "6", "CONTINUOUS"]
    lines += ["0", "LAYER", "2", CREASE.name, "70", "0", "62", "4", "6", "CONTINUOUS"]
    lines += ["0", "ENDTAB", "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    for (xa, ya), (xb, yb) in score_paths(template):
        lines += ["0", "LINE", "8", CREASE.name]
        lines += ["10", f"{xa + bleed:.4f}", "20", f"{height - bleed - ya:.4f}", "30", "0.0"]
        lines += ["11", f"{xb + bleed:.4f}", "21", f"{height - bleed - yb:.4f}", "31", "0.0"]
    for contour in cut_contours(design, template, area_key, inputs):
        lines += ["0", "POLYLINE", "8", CUT.name, "66", "1", "70", "1"]
        lines += ["10", "0.0", "20", "0.0", "30", "0.0"]
        for x, y in contour:
            lines += ["0", "VERTEX", "8", CUT.name]
            lines += ["10", f"{x + bleed:.4f}", "20", f"{height - bleed - y:.4f}", "30", "0.0"]
        lines += ["0", "SEQEND", "8", CUT.name]
    lines += ["0", "ENDSEC", "0", "EOF"]
    return ("\n".join(lines) + "\n").encode("ascii")
