"""Design documents and their rendering: pure Python (no Flask, no database, no network).

Typical use (a job, the CLI, a bulk run)::

    template = TemplateSpec.from_dict(template_dict)     # fields: app.design.fields
    document = materialize(template, document)           # a template with fields draws them
    design = parse_design(document)                      # or DesignError with the field's path
    inputs = RenderInputs(assets=lambda ref: storage.get(ref))
    findings = preflight(design, template, inputs.assets)
    png = print_png(design, template, "front", inputs)    # bytes; print_pdf, preview alike
    image = render_area(design, template, "front", inputs, Frame.for_print(area, dpi=150))
    price = quote(template, document).total               # app.design.pricing
"""

from app.design.document import Design, parse_design, parse_design_json
from app.design.errors import DesignError, FontsNotInstalled, RenderTimedOut
from app.design.fonts import FontRegistry, default_registry
from app.design.geometry import Frame, pixel_size
from app.design.images import AssetSource, directory_assets
from app.design.layers import PixelCache
from app.design.outputs import FORMATS, Request, render_output, write_output
from app.design.pdf import print_cmyk_pdf, print_pdf
from app.design.preflight import Finding, preflight, preflight_document
from app.design.raster import (
    RenderInputs,
    preview,
    print_png,
    render_area,
    render_area_pil,
    render_print,
)
from app.design.template import AreaSpec, Placement, TemplateSpec
from app.design.vips import for_print_runs

__all__ = [
    "FORMATS",
    "AreaSpec",
    "AssetSource",
    "Design",
    "DesignError",
    "Finding",
    "FontRegistry",
    "FontsNotInstalled",
    "Frame",
    "PixelCache",
    "Placement",
    "RenderInputs",
    "RenderTimedOut",
    "Request",
    "TemplateSpec",
    "default_registry",
    "directory_assets",
    "parse_design",
    "parse_design_json",
    "pixel_size",
    "preflight",
    "preflight_document",
    "preview",
    "print_cmyk_pdf",
    "print_pdf",
    "print_png",
    "render_area",
    "render_area_pil",
    "render_output",
    "render_print",
    "write_output",
    "for_print_runs",
]
