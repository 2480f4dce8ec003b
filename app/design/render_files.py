"""The files the ``luneo render`` commands read and write: a JSON input, the template's mockup
images, one rendered output per area and format. Shared by ``render_cli`` (one design) and
``bulk_cli`` (one design per CSV row)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from app.design.document import Design, schema_errors
from app.design.errors import DesignError
from app.design.fields import template_validator
from app.design.outputs import FORMATS, Request
from app.design.outputs import write_output as write_format
from app.design.raster import RenderInputs, preview
from app.design.template import TemplateSpec


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected a JSON object")
    return data


def check_template_file(raw: dict[str, Any]) -> None:
    """A template document (``"version"`` set, what the admin exports) must match
    template.v1.json; older plain TEMPLATE.json files (no version) are read as before."""
    if "version" not in raw:
        return
    errors = schema_errors(template_validator(), raw, "template")
    if errors:
        raise DesignError(errors[0].path, errors[0].message, others=errors[1:])


def read_mockups(raw_template: dict[str, Any], root: Path) -> dict[str, bytes]:
    areas = raw_template.get("print_areas") or raw_template.get("areas") or []
    items = [{"key": k, **v} for k, v in areas.items()] if isinstance(areas, dict) else areas
    return {
        str(a["key"]): (root / a["mockup_image"]).read_bytes()
        for a in items
        if isinstance(a, dict) and a.get("mockup_image")
    }


def write_output(
    out_dir: Path,
    design: Design,
    template: TemplateSpec,
    inputs: RenderInputs,
    area: str,
    fmt: str,
    dpi: int | None,
    profile: bytes | None,
    mockups: dict[str, bytes],
) -> Path:
    if fmt == "preview":
        path = out_dir / f"{area}-preview.png"
        path.write_bytes(preview(design, template, area, inputs, mockups.get(area)))
        return path
    path = out_dir / f"{area}{FORMATS[fmt].suffix}"
    write_format(fmt, Request(design, template, area, inputs, dpi, profile), path)  # streamed
    return path
