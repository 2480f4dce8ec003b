"""USDZ: a package AR Quick Look accepts, read back by an independent reader (zipfile) and by
Pixar's own USD library (stage, mesh, material, texture, validators)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pxr import Sdf, Usd, UsdGeom, UsdShade, UsdValidation

from app.design.errors import DesignError
from app.design.models3d import get_model
from app.design.usdz import build_usdz

AREA = {"mug": "wrap", "tshirt_front": "front", "poster_framed": "face", "phone_case": "back"}
RED = (255, 0, 0)
VALIDATOR_GROUPS = {
    "UsdzValidators",
    "UsdUtilsValidators",
    "UsdGeomValidators",
    "UsdShadeValidators",
}


def red_art(model_id: str) -> Image.Image:
    region = get_model(model_id).regions[0]
    return Image.new("RGBA", (120, round(120 * region.height_mm / region.width_mm)), (*RED, 255))


@pytest.fixture(scope="module")
def packages() -> dict[str, bytes]:
    return {
        model_id: build_usdz(model_id, {key: red_art(model_id)}, "#336699", texture_px=256)
        for model_id, key in AREA.items()
    }


def data_offset(package: bytes, entry: zipfile.ZipInfo) -> int:
    """Where an entry's bytes start: after its *local* header, whose extra field may differ
    from the central directory's."""
    signature, name_length, extra_length = struct.unpack_from(
        "<I22xHH", package, entry.header_offset
    )
    assert signature == 0x04034B50
    return entry.header_offset + 30 + name_length + extra_length


def open_stage(package: bytes, tmp_path: Path) -> Usd.Stage:
    path = tmp_path / "model.usdz"
    path.write_bytes(package)
    stage = Usd.Stage.Open(str(path))
    assert stage is not None
    return stage


@pytest.mark.parametrize("model_id", list(AREA))
def test_usdz_is_an_uncompressed_64_byte_aligned_zip_with_the_usd_layer_first(
    model_id: str, packages: dict[str, bytes]
) -> None:
    package = packages[model_id]

    entries = zipfile.ZipFile(io.BytesIO(package)).infolist()

    assert entries[0].filename.endswith((".usd", ".usda", ".usdc"))
    assert [e.filename.rsplit(".", 1)[-1] for e in entries[1:]] == ["png"]
    assert {e.compress_type for e in entries} == {zipfile.ZIP_STORED}
    assert [data_offset(package, e) % 64 for e in entries] == [0] * len(entries)


@pytest.mark.parametrize("model_id", list(AREA))
def test_usd_opens_with_the_mesh_uvs_normals_and_its_material(
    model_id: str, packages: dict[str, bytes], tmp_path: Path
) -> None:
    spec = get_model(model_id)

    stage = open_stage(packages[model_id], tmp_path)

    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.y
    assert UsdGeom.GetStageMetersPerUnit(stage) == 1.0
    (mesh,) = [UsdGeom.Mesh(p) for p in stage.Traverse() if p.IsA(UsdGeom.Mesh)]
    points = np.array(mesh.GetPointsAttr().Get())
    np.testing.assert_allclose(points, spec.mesh.vertices, atol=1e-6)
    assert set(mesh.GetFaceVertexCountsAttr().Get()) == {3}
    assert len(mesh.GetFaceVertexIndicesAttr().Get()) == 3 * len(spec.mesh.faces)
    assert len(mesh.GetNormalsAttr().Get()) == len(points)
    assert mesh.GetNormalsInterpolation() == UsdGeom.Tokens.vertex
    st = UsdGeom.PrimvarsAPI(mesh.GetPrim()).GetPrimvar("st")
    assert st.GetTypeName() == Sdf.ValueTypeNames.TexCoord2fArray
    np.testing.assert_allclose(np.array(st.Get()), spec.mesh.uv, atol=1e-6)
    material, _ = UsdShade.MaterialBindingAPI(mesh.GetPrim()).ComputeBoundMaterial()
    surface = material.ComputeSurfaceSource()[0]
    assert surface.GetIdAttr().Get() == "UsdPreviewSurface"
    texture = surface.GetInput("diffuseColor").GetConnectedSources()[0][0].source
    assert UsdShade.Shader(texture.GetPrim()).GetIdAttr().Get() == "UsdUVTexture"


def test_the_packaged_texture_carries_the_design_at_its_uv_region(
    packages: dict[str, bytes],
) -> None:
    archive = zipfile.ZipFile(io.BytesIO(packages["mug"]))
    (png,) = [e for e in archive.namelist() if e.endswith(".png")]

    texture = Image.open(io.BytesIO(archive.read(png))).convert("RGB")

    wrap = get_model("mug").regions[0].rect
    assert texture.size == (256, 128)
    assert texture.getpixel((128, round((1 - (wrap.v0 + wrap.v1) / 2) * 128))) == RED
    assert texture.getpixel((2, 126)) == (0x33, 0x66, 0x99)


def test_the_texture_resolves_inside_the_package(
    packages: dict[str, bytes], tmp_path: Path
) -> None:
    stage = open_stage(packages["poster_framed"], tmp_path)
    (shader,) = [
        UsdShade.Shader(p)
        for p in stage.Traverse()
        if p.IsA(UsdShade.Shader) and UsdShade.Shader(p).GetIdAttr().Get() == "UsdUVTexture"
    ]

    asset = shader.GetInput("file").Get()

    assert asset.resolvedPath.startswith(str(tmp_path / "model.usdz") + "[")
    assert asset.resolvedPath.endswith(".png]")


@pytest.mark.parametrize("model_id", list(AREA))
def test_usds_own_validators_find_nothing_wrong(
    model_id: str, packages: dict[str, bytes], tmp_path: Path
) -> None:
    registry = UsdValidation.ValidationRegistry()
    names = [
        m.name
        for m in registry.GetAllValidatorMetadata()
        if VALIDATOR_GROUPS & set(m.GetKeywords())
    ]
    context = UsdValidation.ValidationContext(registry.GetOrLoadValidatorsByName(names))

    errors = context.Validate(open_stage(packages[model_id], tmp_path))

    assert len(names) > 5
    assert [(e.GetName(), e.GetMessage()) for e in errors] == []


def test_unknown_model_is_a_clear_design_error() -> None:
    with pytest.raises(DesignError, match="unknown 3D model 'teapot'") as raised:
        build_usdz("teapot", {})

    assert raised.value.path == "template.model_3d"
