"""USDZ for iOS AR Quick Look: the same textured model as the GLB, as Pixar's USD.

Built with ``usd-core`` (pxr): a stage in metres, Y up, one ``UsdGeom.Mesh`` with normals and
``st`` UVs, bound to a ``UsdPreviewSurface`` material whose diffuse colour reads the PNG atlas.
``UsdUtils.CreateNewARKitUsdzPackage`` writes the package as the USDZ spec requires: a zip with
the USD layer first, every entry stored uncompressed and its data 64-byte aligned.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PIL import Image
from pxr import Gf, Kind, Sdf, Usd, UsdGeom, UsdShade, UsdUtils, Vt  # type: ignore[import-untyped]

from app.design.mesh import DEFAULT_TEXTURE_PX, TexturedModel, textured_model
from app.design.models3d.view import UVRegions

TEXTURE_NAME = "texture.png"


def build_usdz(
    model_id: str,
    area_images: Mapping[str, Image.Image],
    base_color: str | None = None,
    *,
    uv_regions: UVRegions | None = None,
    texture_px: int = DEFAULT_TEXTURE_PX,
) -> bytes:
    """USDZ bytes: the model with the design on it, ready for AR Quick Look."""
    model = textured_model(model_id, area_images, base_color, uv_regions, texture_px)
    return usdz_bytes(model)


def usdz_bytes(model: TexturedModel) -> bytes:
    # pxr reads and writes files only: build in a private temporary folder.
    with tempfile.TemporaryDirectory(prefix="luneo-usdz-") as folder:
        root = Path(folder)
        model.texture.save(root / TEXTURE_NAME, format="PNG")
        layer = root / f"{model.spec.id}.usdc"
        stage = Usd.Stage.CreateNew(str(layer))
        _write_stage(stage, model)
        stage.GetRootLayer().Save()
        package = root / f"{model.spec.id}.usdz"
        if not UsdUtils.CreateNewARKitUsdzPackage(Sdf.AssetPath(str(layer)), str(package)):
            raise RuntimeError(f"usd-core could not package the {model.spec.id} model")
        return package.read_bytes()


def _write_stage(stage: Usd.Stage, model: TexturedModel) -> None:
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y)
    UsdGeom.SetStageMetersPerUnit(stage, UsdGeom.LinearUnits.meters)
    root = UsdGeom.Xform.Define(stage, "/Product")
    stage.SetDefaultPrim(root.GetPrim())
    Usd.ModelAPI(root.GetPrim()).SetKind(Kind.Tokens.component)
    mesh = _write_mesh(stage, "/Product/Model", model)
    UsdGeom.Scope.Define(stage, "/Product/Materials")
    material = _write_material(stage, "/Product/Materials/Print", model.roughness)
    UsdShade.MaterialBindingAPI.Apply(mesh.GetPrim()).Bind(material)


def _write_mesh(stage: Usd.Stage, path: str, model: TexturedModel) -> UsdGeom.Mesh:
    data = model.mesh
    points = Vt.Vec3fArray.FromNumpy(np.ascontiguousarray(data.vertices, np.float32))
    mesh = UsdGeom.Mesh.Define(stage, path)
    mesh.CreatePointsAttr(points)
    mesh.CreateExtentAttr(UsdGeom.PointBased.ComputeExtent(points))
    mesh.CreateFaceVertexCountsAttr(Vt.IntArray.FromNumpy(np.full(len(data.faces), 3, np.int32)))
    indices = np.ascontiguousarray(data.faces.ravel(), np.int32)
    mesh.CreateFaceVertexIndicesAttr(Vt.IntArray.FromNumpy(indices))
    mesh.CreateSubdivisionSchemeAttr(UsdGeom.Tokens.none)  # the triangles are the surface
    mesh.CreateOrientationAttr(UsdGeom.Tokens.rightHanded)  # counter-clockwise, as in glTF
    normals = Vt.Vec3fArray.FromNumpy(np.ascontiguousarray(data.normals, np.float32))
    mesh.CreateNormalsAttr(normals)
    mesh.SetNormalsInterpolation(UsdGeom.Tokens.vertex)
    st = UsdGeom.PrimvarsAPI(mesh.GetPrim()).CreatePrimvar(
        "st", Sdf.ValueTypeNames.TexCoord2fArray, UsdGeom.Tokens.vertex
    )
    st.Set(Vt.Vec2fArray.FromNumpy(np.ascontiguousarray(data.uv, np.float32)))
    return mesh


def _write_material(stage: Usd.Stage, path: str, roughness: float) -> UsdShade.Material:
    material = UsdShade.Material.Define(stage, path)
    surface = _shader(stage, f"{path}/Surface", "UsdPreviewSurface")
    surface.CreateInput("roughness", Sdf.ValueTypeNames.Float).Set(roughness)
    surface.CreateInput("metallic", Sdf.ValueTypeNames.Float).Set(0.0)
    reader = _shader(stage, f"{path}/UV", "UsdPrimvarReader_float2")
    reader.CreateInput("varname", Sdf.ValueTypeNames.String).Set("st")
    texture = _shader(stage, f"{path}/Texture", "UsdUVTexture")
    texture.CreateInput("file", Sdf.ValueTypeNames.Asset).Set(Sdf.AssetPath(TEXTURE_NAME))
    texture.CreateInput("sourceColorSpace", Sdf.ValueTypeNames.Token).Set("sRGB")
    texture.CreateInput("wrapS", Sdf.ValueTypeNames.Token).Set("clamp")
    texture.CreateInput("wrapT", Sdf.ValueTypeNames.Token).Set("clamp")
    texture.CreateInput("fallback", Sdf.ValueTypeNames.Float4).Set(Gf.Vec4f(1, 1, 1, 1))
    texture.CreateInput("st", Sdf.ValueTypeNames.Float2).ConnectToSource(
        reader.ConnectableAPI(), "result"
    )
    rgb = texture.CreateOutput("rgb", Sdf.ValueTypeNames.Float3)
    surface.CreateInput("diffuseColor", Sdf.ValueTypeNames.Color3f).ConnectToSource(rgb)
    material.CreateSurfaceOutput().ConnectToSource(surface.ConnectableAPI(), "surface")
    return material


def _shader(stage: Usd.Stage, path: str, shader_id: str) -> UsdShade.Shader:
    shader = UsdShade.Shader.Define(stage, path)
    shader.CreateIdAttr(shader_id)
    return shader
