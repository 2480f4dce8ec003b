"""`luneo render --format glb,usdz`: one 3D model per design, read back by independent readers
(the glTF binary container by hand, trimesh, Pixar's USD), and a clear error without a model."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import click
import pytest
import trimesh
from click.testing import CliRunner, Result
from PIL import Image
from pxr import Usd, UsdGeom, UsdShade

from app.design.fonts import FontRegistry
from app.design.models3d import get_model
from app.design.render_cli import register_render_command

from .conftest import design, rect

RED = (255, 0, 0)


@pytest.fixture
def luneo(fonts: FontRegistry) -> click.Group:
    @click.group()
    def cli() -> None:
        """A stand-in for the luneo group."""

    register_render_command(cli)
    return cli


def mug_files(tmp_path: Path, model_3d: str | None = "mug") -> tuple[Path, Path]:
    width, height = get_model("mug").regions[0].width_mm, get_model("mug").regions[0].height_mm
    design_file = tmp_path / "design.json"
    design_file.write_text(json.dumps(design(rect(-5, -5, width + 10, height + 10), area="wrap")))
    area = {"key": "wrap", "width_mm": width, "height_mm": height, "dpi": 50, "bleed_mm": 2}
    template: dict[str, object] = {"print_areas": [area], "base_color": "#336699"}
    if model_3d:
        template["model_3d"] = model_3d
    template_file = tmp_path / "template.json"
    template_file.write_text(json.dumps(template))
    return design_file, template_file


def render(
    luneo: click.Group, tmp_path: Path, formats: str, model_3d: str | None = "mug"
) -> Result:
    design_file, template_file = mug_files(tmp_path, model_3d)
    args = ["render", str(design_file), "--template", str(template_file)]
    return CliRunner().invoke(luneo, [*args, "--out", str(tmp_path / "out"), "--format", formats])


def glb_chunks(data: bytes) -> tuple[dict[str, object], bytes]:
    """The glTF 2.0 binary container (header, JSON chunk, BIN chunk), read by hand."""
    magic, version, length = struct.unpack_from("<4sII", data)
    assert (magic, version, length) == (b"glTF", 2, len(data))
    json_length, json_type = struct.unpack_from("<I4s", data, 12)
    assert json_type == b"JSON"
    document = json.loads(data[20 : 20 + json_length])
    bin_length, bin_type = struct.unpack_from("<I4s", data, 20 + json_length)
    assert bin_type == b"BIN\0"
    start = 28 + json_length
    return document, data[start : start + bin_length]


def test_glb_usdz_and_png_are_written_model_once_per_design(
    luneo: click.Group, tmp_path: Path
) -> None:
    result = render(luneo, tmp_path, "png,glb,usdz")

    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["model.glb", "model.usdz", "wrap.png"]
    assert f"wrote {out / 'model.glb'}" in result.output


def test_the_glb_carries_the_design_as_its_texture(luneo: click.Group, tmp_path: Path) -> None:
    assert render(luneo, tmp_path, "glb").exit_code == 0
    data = (tmp_path / "out" / "model.glb").read_bytes()

    document, binary = glb_chunks(data)

    (material,) = document["materials"]  # type: ignore[misc]
    texture_index = material["pbrMetallicRoughness"]["baseColorTexture"]["index"]
    image_index = document["textures"][texture_index]["source"]  # type: ignore[index]
    image = document["images"][image_index]  # type: ignore[index]
    view = document["bufferViews"][image["bufferView"]]  # type: ignore[index]
    offset = view.get("byteOffset", 0)
    texture = Image.open(io.BytesIO(binary[offset : offset + view["byteLength"]])).convert("RGB")
    wrap = get_model("mug").regions[0].rect
    middle = (
        round((wrap.u0 + wrap.u1) / 2 * texture.width),
        round((1 - (wrap.v0 + wrap.v1) / 2) * texture.height),
    )
    assert image["mimeType"] == "image/png"
    assert texture.getpixel(middle) == RED
    assert texture.getpixel((2, texture.height - 2)) == (0x33, 0x66, 0x99)
    scene = trimesh.load(io.BytesIO(data), file_type="glb")
    (mesh,) = scene.geometry.values()
    assert len(mesh.faces) == len(get_model("mug").mesh.faces)


def test_the_usdz_opens_in_usd_with_a_textured_mesh(luneo: click.Group, tmp_path: Path) -> None:
    assert render(luneo, tmp_path, "usdz").exit_code == 0

    stage = Usd.Stage.Open(str(tmp_path / "out" / "model.usdz"))

    meshes = [p for p in stage.Traverse() if p.IsA(UsdGeom.Mesh)]
    textures = [
        UsdShade.Shader(p)
        for p in stage.Traverse()
        if p.IsA(UsdShade.Shader) and UsdShade.Shader(p).GetIdAttr().Get() == "UsdUVTexture"
    ]
    assert len(meshes) == 1
    assert len(textures) == 1
    assert textures[0].GetInput("file").Get().resolvedPath.endswith(".png]")


@pytest.mark.parametrize("formats", ["glb", "png,usdz"])
def test_a_template_without_a_model_is_a_clear_error(
    luneo: click.Group, tmp_path: Path, formats: str
) -> None:
    result = render(luneo, tmp_path, formats, model_3d=None)

    assert result.exit_code == 1
    model_formats = formats.removeprefix("png,")
    assert (
        f"Error: template.model_3d: --format {model_formats} needs a template with a 3D model "
        "(model_3d); this one has none"
    ) in result.output
    assert not (tmp_path / "out").exists()


def test_an_unknown_format_lists_glb_and_usdz(luneo: click.Group, tmp_path: Path) -> None:
    result = render(luneo, tmp_path, "obj")

    assert result.exit_code == 2
    assert "glb, usdz" in result.output


def test_bulk_rows_each_get_their_model(luneo: click.Group, tmp_path: Path) -> None:
    design_file, template_file = mug_files(tmp_path)
    rows = tmp_path / "rows.csv"
    rows.write_text("name\nAda\nBo\n")
    args = ["render", str(design_file), "--template", str(template_file), "--csv", str(rows)]

    result = CliRunner().invoke(luneo, [*args, "--out", str(tmp_path / "out"), "--format", "glb"])

    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    models = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.glb"))
    assert models == ["1/model.glb", "2/model.glb"]


def test_a_uv_region_that_is_not_an_object_is_a_clear_error(
    luneo: click.Group, tmp_path: Path
) -> None:
    design_file, template_file = mug_files(tmp_path)
    template = json.loads(template_file.read_text())
    template["print_areas"][0]["uv_region"] = [0, 0, 1, 1]
    template_file.write_text(json.dumps(template))
    args = ["render", str(design_file), "--template", str(template_file)]

    result = CliRunner().invoke(luneo, [*args, "--out", str(tmp_path / "out"), "--format", "glb"])

    assert result.exit_code == 1
    assert "template.print_areas[0].uv_region: must be an object" in result.output
