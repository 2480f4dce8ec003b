"""``luneo render DESIGN.json --template T.json --csv ROWS.csv --out DIR``: one set per row.

Each row's files go to ``DIR/<row number>/`` (zero-padded so they sort), or to
``DIR/<value of --name-column>/``. Pictures named in the CSV are paths relative to the design
file, or else to the CSV file. A bad row (a missing value, a photo not found, an invalid
result) is reported with its CSV line number after the run and leaves no folder behind; the
other rows are still rendered. The command then exits 1 so scripts notice.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import click

from app.design.bulk import Item, Row, check_columns, expand, read_rows
from app.design.errors import DesignError, FontsNotInstalled
from app.design.fonts import default_registry
from app.design.images import AssetSource, directory_assets
from app.design.layers import PixelCache
from app.design.preflight import Finding, preflight
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


@dataclass(frozen=True)
class BulkOptions:
    """What ``luneo render`` was asked for, besides the files."""

    formats: list[str]
    dpi: int | None = None
    profile: bytes | None = None
    strict: bool = False
    name_column: str | None = None


@dataclass(frozen=True)
class BulkRun:
    """Everything shared by the rows of one run."""

    template: TemplateSpec
    inputs: RenderInputs
    out_dir: Path
    formats: list[str]
    dpi: int | None
    profile: bytes | None
    mockups: dict[str, bytes]
    strict: bool


@dataclass
class Report:
    rendered: list[tuple[Row, Path]] = field(default_factory=list)
    failed: list[tuple[Row, str]] = field(default_factory=list)
    warned: list[tuple[Row, list[Finding]]] = field(default_factory=list)


def chained_assets(*roots: Path) -> AssetSource:
    """Look for a picture next to the design first, then next to the CSV."""
    sources = [directory_assets(root) for root in dict.fromkeys(roots)]

    def read(ref: str) -> bytes:
        for source in sources[:-1]:
            try:
                return source(ref)
            except (LookupError, OSError):
                continue
        return sources[-1](ref)

    return read


def folder_names(rows: list[Row], name_column: str | None) -> dict[int, str]:
    """Row number → folder name: unique, filesystem-safe, the row number when no name fits."""
    width = len(str(len(rows)))
    names: dict[int, str] = {}
    for row in rows:
        name = f"{row.number:0{width}d}"
        if name_column:
            slug = re.sub(r"[^\w.-]+", "-", row.values.get(name_column, "")).strip(".-")[:80]
            name = slug or name
        if name in names.values():
            name = f"{name}-{row.number}"
        names[row.number] = name
    return names


def render_rows(run: BulkRun, design_file: Path, csv_file: Path, name_column: str | None) -> Report:
    """Render every good row of ``csv_file``; see the module docstring."""
    document = read_json(design_file)
    try:
        text = csv_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{csv_file}: not UTF-8 text") from None
    header, rows = read_rows(text)
    check_columns(document, header)
    if name_column and name_column not in header:
        raise click.BadParameter(
            f"the CSV has no column {name_column!r} (columns: {', '.join(header)})",
            param_hint="--name-column",
        )
    names = folder_names(rows, name_column)
    report = Report()
    run.out_dir.mkdir(parents=True, exist_ok=True)
    with click.progressbar(
        expand(document, rows, run.template),
        length=len(rows),
        label="Rendering rows",
        show_pos=True,
        item_show_func=lambda item: names[item.row.number] if item else None,
    ) as bar:
        for item in bar:
            _render_item(run, item, run.out_dir / names[item.row.number], report)
    return report


def _render_item(run: BulkRun, item: Item, folder: Path, report: Report) -> None:
    if item.design is None:
        assert item.error is not None
        report.failed.append((item.row, str(item.error)))
        return
    try:
        findings = preflight(item.design, run.template, run.inputs.assets, run.inputs.fonts)
        errors = [f for f in findings if f.severity == "error"]
        if run.strict and errors:
            raise DesignError("", "preflight: " + "; ".join(str(f).strip() for f in errors))
        folder.mkdir(parents=True, exist_ok=True)
        for area in run.template.area_keys:
            for fmt in (f for f in run.formats if f not in MODEL_FORMATS):
                write_output(
                    folder, item.design, run.template, run.inputs, area, fmt, run.dpi,
                    run.profile, run.mockups,
                )  # fmt: skip
        write_models(folder, item.design, run.template, run.inputs, run.formats)
    except DesignError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        report.failed.append((item.row, f"line {item.row.line}: {exc}"))
        return
    report.rendered.append((item.row, folder))
    warnings = [f for f in findings if f.severity != "info"]
    if warnings:
        report.warned.append((item.row, warnings))


def echo_report(report: Report, total: int, out_dir: Path) -> None:
    click.echo(f"Rendered {len(report.rendered)} of {total} row(s) into {out_dir}")
    for row, findings in report.warned:
        click.secho(f"  line {row.line}: {len(findings)} preflight finding(s)", fg="yellow")
        for finding in findings:
            click.secho(f"    {finding}", fg="yellow")
    for _row, message in report.failed:
        click.secho(f"  FAILED {message}", fg="red")
    if report.failed:
        raise click.ClickException(f"{len(report.failed)} of {total} row(s) could not be rendered")


def bulk_command(
    design_file: Path,
    template_file: Path,
    csv_file: Path,
    out_dir: Path,
    options: BulkOptions,
) -> None:
    """The ``--csv`` branch of ``luneo render``."""
    try:
        raw_template = read_json(template_file)
        check_template_file(raw_template)
        template = TemplateSpec.from_dict(raw_template)
        check_request(template, options.formats, options.dpi)
        run = BulkRun(
            template=template,
            inputs=RenderInputs(
                chained_assets(design_file.parent, csv_file.parent),
                default_registry(),
                PixelCache(),
            ),
            out_dir=out_dir,
            formats=options.formats,
            dpi=options.dpi,
            profile=options.profile,
            mockups=read_mockups(raw_template, template_file.parent),
            strict=options.strict,
        )
        report = render_rows(run, design_file, csv_file, options.name_column)
    except (DesignError, FontsNotInstalled) as exc:
        raise click.ClickException(str(exc)) from None
    echo_report(report, len(report.rendered) + len(report.failed), out_dir)
