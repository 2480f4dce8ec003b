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

The names load on first use (PEP 562): importing one submodule, as the command line does for
``luneo render --help``, must not import libvips, reportlab and the whole render core.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.design.document import Design, parse_design, parse_design_json
    from app.design.errors import DesignError, FontsNotInstalled, RenderTimedOut
    from app.design.fonts import FontRegistry, default_registry
    from app.design.geometry import Frame, pixel_size
    from app.design.images import AssetSource, directory_assets
    from app.design.layers import PixelCache
    from app.design.outputs import FORMATS, Request, render_output
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

_HOMES = {
    "AreaSpec": "app.design.template",
    "AssetSource": "app.design.images",
    "Design": "app.design.document",
    "DesignError": "app.design.errors",
    "FORMATS": "app.design.outputs",
    "Finding": "app.design.preflight",
    "FontRegistry": "app.design.fonts",
    "FontsNotInstalled": "app.design.errors",
    "Frame": "app.design.geometry",
    "PixelCache": "app.design.layers",
    "Placement": "app.design.template",
    "RenderInputs": "app.design.raster",
    "RenderTimedOut": "app.design.errors",
    "Request": "app.design.outputs",
    "TemplateSpec": "app.design.template",
    "default_registry": "app.design.fonts",
    "directory_assets": "app.design.images",
    "parse_design": "app.design.document",
    "parse_design_json": "app.design.document",
    "pixel_size": "app.design.geometry",
    "preflight": "app.design.preflight",
    "preflight_document": "app.design.preflight",
    "preview": "app.design.raster",
    "print_cmyk_pdf": "app.design.pdf",
    "print_pdf": "app.design.pdf",
    "print_png": "app.design.raster",
    "render_area": "app.design.raster",
    "render_area_pil": "app.design.raster",
    "render_output": "app.design.outputs",
    "render_print": "app.design.raster",
}

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
]


class _Package(ModuleType):
    """Importing the submodule ``preflight`` sets the package's attribute of that name; it
    must stay the function ``preflight`` that ``from app.design import preflight`` means."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and _HOMES.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
