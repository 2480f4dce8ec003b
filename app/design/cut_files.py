"""The cut path where cutters and RIPs read it: a CutContour layer in the print PDF, SVG, DXF.

PDF (what Roland VersaWorks, Mimaki RasterLink and Summa GoSign look for): the path stroked
0.25 pt, never filled, in a ``/Separation /CutContour`` spot colour (alternate 100 % magenta
in DeviceCMYK, so a viewer shows it), overprinting (it must not knock out the print beneath),
inside marked content of an optional content group (a layer) named ``CutContour``, listed and
on in the default configuration (named, as PDF/X-4 wants). pikepdf adds it to the page
reportlab drew, placed from the page's own TrimBox, before ``pdfx.py`` finishes the file.

SVG and DXF hold the cut path alone in millimetres over the whole print (trim + bleed): the
SVG's viewBox is the print's extent in mm (y down, the trim's top-left at 0,0, as the PNG's
pixels); the DXF (R12 ASCII, units mm, y up) puts the bleed box's bottom-left at 0,0, each
contour a closed POLYLINE on layer ``CutContour``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

from app.design.cutline import Contour, cut_contours
from app.design.document import Design
from app.design.geometry import MM_PER_POINT
from app.design.raster import RenderInputs
from app.design.template import TemplateSpec

SPOT_NAME = "CutContour"
LAYER_NAME = "CutContour"
STROKE_PT = 0.25


def with_cut_contour(
    pdf: bytes, design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs
) -> bytes:
    """The print PDF with the template's cut line on its CutContour layer (unchanged without)."""
    if template.cut_line is None:
        return pdf
    return stamp_cut_contour(pdf, cut_contours(design, template, area_key, inputs))


def stamp_cut_contour(pdf: bytes, contours: Sequence[Contour]) -> bytes:
    """``contours`` (area mm) drawn on the first page, as the module docstring describes."""
    if not contours:
        return pdf
    with Pdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        x0, _, _, y1 = (float(v) for v in page.obj.get("/TrimBox", page.mediabox))
        layer = _layer(document)
        spot = Array([Name.Separation, Name("/" + SPOT_NAME), Name.DeviceCMYK, _magenta()])
        overprint = Dictionary(Type=Name.ExtGState, OP=True, op=True, OPM=1)
        # Fixed names (not pikepdf's random ones): the same job must give the same bytes. Each
        # its own: pikepdf drops a name from every other resource type when adding it to one.
        cs = page.add_resource(spot, Name.ColorSpace, Name("/CutContourCS"))
        gs = page.add_resource(overprint, Name.ExtGState, Name("/CutContourGS"))
        oc = page.add_resource(layer, Name.Properties, Name("/CutContourOC"))
        ops = [f"/OC {oc} BDC q {gs} gs {cs} CS 1 SCN {STROKE_PT} w 1 j 1 J"]
        for contour in contours:
            points = [(x0 + x / MM_PER_POINT, y1 - y / MM_PER_POINT) for x, y in contour]
            ops.append(f"{points[0][0]:.3f} {points[0][1]:.3f} m")
            ops.extend(f"{x:.3f} {y:.3f} l" for x, y in points[1:])
            ops.append("h")
        ops.append("S Q EMC")
        # The page's own drawing in q … Q: ours starts from the page's initial state.
        page.contents_add(document.make_stream(b"q\n"), prepend=True)
        page.contents_add(document.make_stream(("Q\n" + "\n".join(ops)).encode()))
        out = io.BytesIO()
        document.save(out, compress_streams=True, deterministic_id=True)
    return out.getvalue()


def _magenta() -> Dictionary:
    """The spot colour's tint as DeviceCMYK: 0 → white, 1 → 100 % magenta."""
    return Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[0, 1, 0, 0], N=1)


def _layer(document: Pdf) -> pikepdf.Object:
    """The CutContour optional content group, added to the document's /OCProperties (on, and
    listed, in the default configuration, which PDF/X-4 wants named)."""
    group = document.make_indirect(Dictionary(Type=Name.OCG, Name=String(LAYER_NAME)))
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
    """The cut path as an SVG in mm over the print's extent (one closed path per contour)."""
    bleed, width, height = _print_extent(template, area_key)
    paths = "\n".join(
        f'  <path d="{svg_path_data(c)}"/>'
        for c in cut_contours(design, template, area_key, inputs)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}mm" height="{height:g}mm" '
        f'viewBox="{-bleed:g} {-bleed:g} {width:g} {height:g}">\n'
        f'<g id="{LAYER_NAME}" fill="none" stroke="#ff00ff" '
        f'stroke-width="{STROKE_PT * MM_PER_POINT:.4f}">\n'
        f"{paths}\n</g>\n</svg>\n"
    ).encode()


def svg_path_data(contour: Contour) -> str:
    first, *rest = contour
    moves = [f"M{first[0]:.3f} {first[1]:.3f}"] + [f"L{x:.3f} {y:.3f}" for x, y in rest]
    return " ".join(moves) + " Z"


def cut_dxf(design: Design, template: TemplateSpec, area_key: str, inputs: RenderInputs) -> bytes:
    """The cut path as a DXF R12 drawing in mm: closed POLYLINEs on layer CutContour."""
    bleed, _, height = _print_extent(template, area_key)
    lines = ["0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", "AC1009"]
    lines += ["9", "$INSUNITS", "70", "4", "0", "ENDSEC"]  # 4: millimetres
    lines += ["0", "SECTION", "2", "TABLES", "0", "TABLE", "2", "LAYER", "70", "1"]
    lines += ["0", "LAYER", "2", LAYER_NAME, "70", "0", "62", "6", "6", "CONTINUOUS"]
    lines += ["0", "ENDTAB", "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    for contour in cut_contours(design, template, area_key, inputs):
        lines += ["0", "POLYLINE", "8", LAYER_NAME, "66", "1", "70", "1"]
        lines += ["10", "0.0", "20", "0.0", "30", "0.0"]
        for x, y in contour:
            lines += ["0", "VERTEX", "8", LAYER_NAME]
            lines += ["10", f"{x + bleed:.4f}", "20", f"{height - bleed - y:.4f}", "30", "0.0"]
        lines += ["0", "SEQEND", "8", LAYER_NAME]
    lines += ["0", "ENDSEC", "0", "EOF"]
    return ("\n".join(lines) + "\n").encode("ascii")
