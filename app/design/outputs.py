"""The print-file formats by name, so the CLI, bulk runs and production jobs ask for the same set.

``png``: RGBA print PNG (sRGB, DPI); ``pdf``: vector PDF with boxes and crop marks;
``tiff``: CMYK TIFF through the ICC profile (flattened on white, LZW, DPI and profile embedded);
``pdf-cmyk``: PDF/X-4, the vector PDF in DeviceCMYK through the same profile, its output intent.
The CMYK profile is FOGRA39 unless the request names another (``color.BUILTIN_CMYK``) or
brings its own ICC bytes. Both PDFs carry the template's cut line on a CutContour layer.

For die-cut and engraved products (the template's ``cut_line`` / ``engraving``,
``finishing.py``): ``cut-svg`` and ``cut-dxf``, the cut path alone in mm (``cut_files.py``);
``engrave-tiff``, a 1-bit TIFF, and ``engrave-svg``, text and clipart as vectors
(``engraving.py``). ``OutputFormat.needs`` names the setting such a format needs: production
makes it only when the template has that setting, ``luneo render`` refuses it without.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.design.color import to_cmyk
from app.design.cut_files import cut_dxf, cut_svg
from app.design.document import Design
from app.design.engraving import engrave_svg, engrave_tiff
from app.design.errors import DesignError
from app.design.limits import check_print_size
from app.design.pdf import print_cmyk_pdf, print_pdf
from app.design.raster import RenderInputs, print_png, render_print
from app.design.template import TemplateSpec
from app.design.vips import VipsError


@dataclass(frozen=True)
class Request:
    design: Design
    template: TemplateSpec
    area: str
    inputs: RenderInputs
    dpi: int | None = None
    cmyk_profile: bytes | None = None  # ICC bytes; None: FOGRA39 (color.DEFAULT_CMYK)
    marks: bool = True  # PDFs: crop marks on a slug around the bleed (a partner may want none)


@dataclass(frozen=True)
class OutputFormat:
    name: str
    suffix: str  # file name = <area key><suffix>
    content_type: str
    render: Callable[[Request], bytes]
    needs: str | None = None  # "cut_line" or "engraving": the template setting it depends on


def print_cmyk_tiff(request: Request) -> bytes:
    raster = render_print(
        request.design, request.template, request.area, request.inputs, request.dpi
    )
    try:
        cmyk = to_cmyk(raster, request.cmyk_profile)
        per_mm = raster.xres
        return bytes(cmyk.tiffsave_buffer(compression="lzw", xres=per_mm, yres=per_mm))
    except VipsError as exc:
        message = f"could not render: {str(exc).splitlines()[0]}"
        raise DesignError(f"areas.{request.area}", message) from None


FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat(
            "png",
            ".png",
            "image/png",
            lambda r: print_png(r.design, r.template, r.area, r.inputs, r.dpi),
        ),
        OutputFormat(
            "pdf",
            ".pdf",
            "application/pdf",
            lambda r: print_pdf(r.design, r.template, r.area, r.inputs, r.dpi, marks=r.marks),
        ),
        OutputFormat("tiff", "-cmyk.tif", "image/tiff", print_cmyk_tiff),
        OutputFormat(
            "pdf-cmyk",
            "-cmyk.pdf",
            "application/pdf",
            lambda r: print_cmyk_pdf(
                r.design, r.template, r.area, r.inputs, r.dpi, r.cmyk_profile, marks=r.marks
            ),
        ),
        OutputFormat(
            "cut-svg",
            "-cut.svg",
            "image/svg+xml",
            lambda r: cut_svg(r.design, r.template, r.area, r.inputs),
            needs="cut_line",
        ),
        OutputFormat(
            "cut-dxf",
            "-cut.dxf",
            "application/dxf",
            lambda r: cut_dxf(r.design, r.template, r.area, r.inputs),
            needs="cut_line",
        ),
        OutputFormat(
            "engrave-tiff",
            "-engrave.tif",
            "image/tiff",
            lambda r: engrave_tiff(r.design, r.template, r.area, r.inputs, r.dpi),
            needs="engraving",
        ),
        OutputFormat(
            "engrave-svg",
            "-engrave.svg",
            "image/svg+xml",
            lambda r: engrave_svg(r.design, r.template, r.area, r.inputs),
            needs="engraving",
        ),
    )
}


def wanted(output: OutputFormat, template: TemplateSpec) -> bool:
    """Whether the template asks for this format (print formats: always)."""
    return output.needs is None or getattr(template, output.needs) is not None


def render_output(name: str, request: Request) -> bytes:
    try:
        output = FORMATS[name]
    except KeyError:
        raise DesignError("", f"unknown format {name!r} (formats: {', '.join(FORMATS)})") from None
    if not wanted(output, request.template):
        raise DesignError(
            f"template.{output.needs}",
            f"the {name} format needs the template's {output.needs} setting",
        )
    check_print_size(request.template.area(request.area), request.dpi)  # a dpi override too
    return output.render(request)
