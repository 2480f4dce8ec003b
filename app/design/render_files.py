"""The files the ``luneo render`` commands read and write: a JSON input, the template's mockup
images, one rendered output per area and format, and one 3D model per design (``model.glb``,
``model.usdz``). Shared by ``render_cli`` (one design) and ``bulk_cli`` (one design per CSV
row)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from app.design.document import Design, schema_errors
from app.design.errors import DesignError
from app.design.fields import template_validator
from app.design.limits import check_print_size
from app.design.outputs import FORMATS, Request, render_output
from app.design.raster import RenderInputs, preview
from app.design.template import TemplateSpec

# One file per design, the product wearing every area: named MODEL_FILE + suffix.
MODEL_FORMATS = {"glb": ".glb", "usdz": ".usdz"}
MODEL_FILE = "model"
ALL_FORMATS = (*FORMATS, "preview", *MODEL_FORMATS)


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


def check_request(template: TemplateSpec, formats: list[str], dpi: int | None) -> None:
    """Refuse before anything renders: a --dpi that makes an area too large, a 3D format for a
    template without a 3D model."""
    if dpi is not None:
        for area in template.areas:
            check_print_size(area, dpi)
    models = [f for f in formats if f in MODEL_FORMATS]
    if models and not template.extra.get("model_3d"):
        raise DesignError(
            "template.model_3d",
            f"--format {','.join(models)} needs a template with a 3D model (model_3d); "
            "this one has none",
        )


def write_models(
    out_dir: Path, design: Design, template: TemplateSpec, inputs: RenderInputs, formats: list[str]
) -> list[Path]:
    """``model.glb`` / ``model.usdz`` for the formats asked for, from one textured model."""
    wanted = [f for f in formats if f in MODEL_FORMATS]
    if not wanted:
        return []
    from app.design import mesh  # trimesh and usd-core load only when a model is asked for

    model = mesh.design_model(design, template, inputs)
    written = []
    for fmt in wanted:
        if fmt == "usdz":
            from app.design import usdz

            data = usdz.usdz_bytes(model)
        else:
            data = mesh.glb_bytes(model)
        path = out_dir / f"{MODEL_FILE}{MODEL_FORMATS[fmt]}"
        path.write_bytes(data)
        written.append(path)
    return written


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
        data = preview(design, template, area, inputs, mockups.get(area))
        path = out_dir / f"{area}-preview.png"
    else:
        data = render_output(fmt, Request(design, template, area, inputs, dpi, profile))
        path = out_dir / f"{area}{FORMATS[fmt].suffix}"
    path.write_bytes(data)
    return path
