"""The print-file formats by name, so the CLI, bulk runs and production jobs ask for the same set.

``png``: RGBA print PNG (sRGB, DPI); ``pdf``: vector PDF with boxes and crop marks;
``tiff``: CMYK TIFF through the ICC profile (flattened on white, LZW, DPI and profile embedded);
``pdf-cmyk``: PDF/X-4, the vector PDF in DeviceCMYK through the same profile, its output intent.
The CMYK profile is FOGRA39 unless the request names another (``color.BUILTIN_CMYK``) or
brings its own ICC bytes. Both PDFs carry the template's cut line on a CutContour layer and
its score lines on a Crease layer.

For die-cut, scored and engraved products (the template's ``cut_line`` / ``score_lines`` /
``engraving``, ``finishing.py``): ``cut-svg`` and ``cut-dxf``, the cut path and score lines
alone in mm (``cut_files.py``);
``engrave-tiff``, a 1-bit TIFF, and ``engrave-svg``, text and clipart as vectors
(``engraving.py``). ``OutputFormat.needs`` names the settings such a format needs (any one
will do): production makes it only when the template has one, ``luneo render`` refuses it
without.

The raster formats are lazy libvips pipelines until they are encoded: ``write_output`` streams
them to the file strip by strip (what ``luneo render`` does), ``render_output`` returns the bytes
(for storage uploads). The PDFs' pictures stream into the file the same way (``pdf_images.py``).
``bench/render.py`` holds both to a plain libvips baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from app.design.color import to_cmyk
from app.design.cut_files import cut_dxf, cut_svg
from app.design.document import Design
from app.design.engraving import engrave_svg, engrave_tiff
from app.design.errors import DesignError
from app.design.limits import check_print_size
from app.design.pdf import print_cmyk_pdf, print_pdf
from app.design.raster import PNG_OPTIONS, RenderInputs, render_print
from app.design.template import TemplateSpec
from app.design.vips import VipsError, VipsImage, encode, save

T = TypeVar("T")


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
    # The template settings it depends on, any one of them ("cut_line", "score_lines",
    # "engraving"); empty: every template.
    needs: tuple[str, ...] = ()
    # Streams the output to a file; None: the rendered bytes are written.
    write: Callable[[Request, Path], None] | None = None


def print_raster(request: Request) -> VipsImage:
    return render_print(request.design, request.template, request.area, request.inputs, request.dpi)


def cmyk_raster(request: Request) -> VipsImage:
    """The print raster through the CMYK profile, flattened on white (lazy, as the raster)."""
    return to_cmyk(print_raster(request), request.cmyk_profile)


def _raster_format(
    name: str,
    suffix: str,
    content_type: str,
    image: Callable[[Request], VipsImage],
    **options: Any,
) -> OutputFormat:
    """A format libvips encodes from the lazy raster: as bytes, or streamed to a file."""
    file_type = "." + suffix.rsplit(".", 1)[1]

    def render(request: Request) -> bytes:
        return _vips_call(request, lambda: encode(image(request), file_type, **options))

    def write(request: Request, path: Path) -> None:
        _vips_call(request, lambda: save(image(request), path, **options))

    return OutputFormat(name, suffix, content_type, render, write=write)


def _vips_call(request: Request, call: Callable[[], T]) -> T:
    try:
        return call()
    except VipsError as exc:
        message = f"could not render: {str(exc).splitlines()[0]}"
        raise DesignError(f"areas.{request.area}", message) from None


def _write_pdf(r: Request, path: Path) -> None:
    print_pdf(r.design, r.template, r.area, r.inputs, r.dpi, marks=r.marks, into=path)


def _write_cmyk_pdf(r: Request, path: Path) -> None:
    print_cmyk_pdf(
        r.design, r.template, r.area, r.inputs, r.dpi, r.cmyk_profile, marks=r.marks, into=path
    )


FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        _raster_format("png", ".png", "image/png", print_raster, **PNG_OPTIONS),
        OutputFormat(
            "pdf",
            ".pdf",
            "application/pdf",
            lambda r: print_pdf(r.design, r.template, r.area, r.inputs, r.dpi, marks=r.marks),
            write=_write_pdf,
        ),
        _raster_format("tiff", "-cmyk.tif", "image/tiff", cmyk_raster, compression="lzw"),
        OutputFormat(
            "pdf-cmyk",
            "-cmyk.pdf",
            "application/pdf",
            lambda r: print_cmyk_pdf(
                r.design, r.template, r.area, r.inputs, r.dpi, r.cmyk_profile, marks=r.marks
            ),
            write=_write_cmyk_pdf,
        ),
        OutputFormat(
            "cut-svg",
            "-cut.svg",
            "image/svg+xml",
            lambda r: cut_svg(r.design, r.template, r.area, r.inputs),
            needs=("cut_line", "score_lines"),
        ),
        OutputFormat(
            "cut-dxf",
            "-cut.dxf",
            "application/dxf",
            lambda r: cut_dxf(r.design, r.template, r.area, r.inputs),
            needs=("cut_line", "score_lines"),
        ),
        OutputFormat(
            "engrave-tiff",
            "-engrave.tif",
            "image/tiff",
            lambda r: engrave_tiff(r.design, r.template, r.area, r.inputs, r.dpi),
            needs=("engraving",),
        ),
        OutputFormat(
            "engrave-svg",
            "-engrave.svg",
            "image/svg+xml",
            lambda r: engrave_svg(r.design, r.template, r.area, r.inputs),
            needs=("engraving",),
        ),
    )
}


def wanted(output: OutputFormat, template: TemplateSpec) -> bool:
    """Whether the template asks for this format (print formats: always)."""
    return not output.needs or any(getattr(template, n) for n in output.needs)


def _format(name: str, request: Request) -> OutputFormat:
    """The format, refused when the template lacks what it needs or the print is too large."""
    try:
        output = FORMATS[name]
    except KeyError:
        raise DesignError("", f"unknown format {name!r} (formats: {', '.join(FORMATS)})") from None
    if not wanted(output, request.template):
        settings = " or ".join(output.needs)
        raise DesignError(
            f"template.{output.needs[0]}",
            f"the {name} format needs the template's {settings} setting",
        )
    check_print_size(request.template.area(request.area), request.dpi)  # a dpi override too
    return output


def render_output(name: str, request: Request) -> bytes:
    return _format(name, request).render(request)


def write_output(name: str, request: Request, path: Path) -> None:
    """The output written to ``path``: raster formats and PDFs stream, never whole in memory."""
    output = _format(name, request)
    if output.write is not None:
        output.write(request, path)
    else:
        path.write_bytes(output.render(request))
