"""``luneo render``: print files for one design, for operators and partners.

    luneo render DESIGN.json --template TEMPLATE.json --out DIR [--format png,pdf] [--dpi N]
    luneo render DESIGN.json --template TEMPLATE.json --csv ROWS.csv --out DIR [--name-column C]

Pictures and clipart in the design are paths relative to the design file. TEMPLATE.json is the
template as plain JSON (``print_areas`` with key, width_mm, height_mm, dpi, bleed_mm,
safe_margin_mm, mockup_placement; fonts, colors, min_image_dpi, max_layers); an area may name a
``mockup_image`` (relative to the template file) for ``--format preview``. A template file that
says ``"version": 1`` (what the admin exports) is checked against ``schema/template.v1.json``
first; when the template has ``fields``, the design's field layers are drawn from its ``fields``
values exactly as the storefront does (``app.design.fields.materialize``) before anything else.
With ``--csv``, the design's ``{{column}}`` placeholders are filled per row: see
``app.design.bulk_cli``. ``--format glb,usdz`` writes one ``model.glb``/``model.usdz`` per design
for a template with a ``model_3d`` (each area's ``uv_region`` and a ``base_color`` are read too).
A template or ``--dpi`` past ``app.design.limits`` is refused before anything renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.design.limits import MAX_DPI, MIN_DPI

if TYPE_CHECKING:
    from app.design.document import Design
    from app.design.preflight import Finding
    from app.design.template import TemplateSpec

# The render core loads when a render runs, not for `luneo --help` (see app/cli.py).
FORMATS_HELP = (
    "Comma-separated: print formats (png, pdf, tiff, pdf-cmyk…; a wrong name lists them all), "
    "preview (each area on its mockup), glb and usdz (one 3D model per design, for templates "
    "with a model_3d)."
)


def register_render_command(cli_group: click.Group) -> None:
    cli_group.add_command(render_command)


@click.command("render")
@click.argument("design_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--template",
    "template_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The product template as JSON.",
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "formats",
    default="png,pdf",
    show_default=True,
    help=FORMATS_HELP,
)
@click.option(
    "--dpi", type=click.IntRange(MIN_DPI, MAX_DPI), help="Override every area's print DPI."
)
@click.option(
    "--cmyk-profile",
    "cmyk_profile",
    callback=lambda _ctx, _param, value: read_cmyk_profile(value),
    help="Output condition for tiff/pdf-cmyk: a built-in one (fogra39, the default; gracol2006) "
    "or an ICC file's path.",
)
@click.option("--strict", is_flag=True, help="Render nothing when preflight finds an error.")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Bulk: one set of files per row, filling the design's {{column}} placeholders.",
)
@click.option("--name-column", help="With --csv: name each row's folder after this column.")
def render_command(
    design_file: Path,
    template_file: Path,
    out_dir: Path,
    formats: str,
    dpi: int | None,
    cmyk_profile: bytes | None,
    strict: bool,
    csv_file: Path | None,
    name_column: str | None,
) -> None:
    """Render DESIGN_FILE's print areas to print files in --out, after a preflight."""
    from app.design.bulk_cli import BulkOptions, bulk_command
    from app.design.errors import DesignError, FontsNotInstalled
    from app.design.fonts import default_registry
    from app.design.images import directory_assets
    from app.design.preflight import preflight
    from app.design.raster import RenderInputs
    from app.design.render_files import (
        MODEL_FORMATS,
        check_request,
        check_template_file,
        read_json,
        read_mockups,
        write_models,
        write_output,
    )
    from app.design.template import TemplateSpec

    wanted = _formats(formats)
    if csv_file is not None:
        options = BulkOptions(wanted, dpi, cmyk_profile, strict, name_column)
        bulk_command(design_file, template_file, csv_file, out_dir, options)
        return
    if name_column:
        raise click.BadParameter("only with --csv", param_hint="--name-column")
    try:
        raw_template = read_json(template_file)
        check_template_file(raw_template)
        template = TemplateSpec.from_dict(raw_template)
        check_request(template, wanted, dpi)
        design = _read_design(design_file, template)
        inputs = RenderInputs(directory_assets(design_file.parent), default_registry())
        findings = preflight(design, template, inputs.assets, inputs.fonts)
        _report(findings)
        if strict and any(f.severity == "error" for f in findings):
            raise click.ClickException("preflight found errors; nothing rendered (--strict)")
        out_dir.mkdir(parents=True, exist_ok=True)
        jobs = [(a.key, fmt) for a in template.areas for fmt in wanted if fmt not in MODEL_FORMATS]
        mockups = read_mockups(raw_template, template_file.parent)
        with click.progressbar(jobs, label="Rendering", show_pos=True) as bar:
            written = [
                write_output(
                    out_dir, design, template, inputs, key, fmt, dpi, cmyk_profile, mockups
                )
                for key, fmt in bar
            ]
        written += write_models(out_dir, design, template, inputs, wanted)
    except (DesignError, FontsNotInstalled) as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        click.echo(f"wrote {path}")


def read_cmyk_profile(value: str | None) -> bytes | None:
    """``--cmyk-profile``: a built-in condition's name, or the path of an ICC file."""
    if value is None:
        return None
    from app.design.color import BUILTIN_CMYK, builtin_cmyk, cmyk_profile_problem

    if value.lower() in BUILTIN_CMYK:
        return builtin_cmyk(value.lower()).icc
    path = Path(value)
    if not path.is_file():
        names = ", ".join(BUILTIN_CMYK)
        raise click.BadParameter(f"{value!r} is neither {names} nor an ICC file")
    data = path.read_bytes()
    problem = cmyk_profile_problem(data)
    if problem:
        raise click.BadParameter(f"{value}: {problem}")
    return data


def _read_design(design_file: Path, template: TemplateSpec) -> Design:
    """The design, its field layers regenerated from the template when it has fields."""
    from app.design.document import parse_design, parse_design_json
    from app.design.fields import materialize
    from app.design.render_files import read_json

    if not template.fields:
        return parse_design_json(design_file.read_bytes())
    return parse_design(materialize(template, read_json(design_file)))


def _formats(value: str) -> list[str]:
    from app.design.render_files import ALL_FORMATS

    wanted = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in ALL_FORMATS]
    if unknown or not wanted:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown) or '(none)'}; use {', '.join(ALL_FORMATS)}",
            param_hint="--format",
        )
    return wanted


def _report(findings: list[Finding]) -> None:
    if not findings:
        click.echo("Preflight: no findings.")
        return
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    click.echo(f"Preflight: {errors} error(s), {warnings} warning(s)")
    for finding in findings:
        color = {"error": "red", "warning": "yellow"}.get(finding.severity)
        click.secho(f"  {finding}", fg=color)
