"""3D previews: a built-in model wearing the design, as a GLB (web viewers, Android Scene Viewer).

Every print area's render is placed on one texture atlas at its UV rectangle, over the product
colour, and the model carries it through its UV map with a PBR material. ``build_usdz`` (in
``usdz.py``) packages the same textured model for iOS AR Quick Look.

Area images are the *trim box* (no bleed): ``area_textures`` renders them at the atlas's size.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import trimesh
from PIL import Image

from app.design.color import hex_rgb
from app.design.document import Design
from app.design.errors import DesignError
from app.design.geometry import Frame
from app.design.models3d import MeshData, ModelSpec, get_model
from app.design.models3d.view import UVRegions, placements
from app.design.raster import RenderInputs, render_area
from app.design.template import TemplateSpec
from app.design.vips import to_pil

MAX_TEXTURE_PX = 2048  # what phones load without fuss, for web and AR alike
DEFAULT_TEXTURE_PX = 1024
_HEX = re.compile(r"#?(?:[0-9a-fA-F]{3}){1,2}")


@dataclass(frozen=True)
class TexturedModel:
    """What both GLB and USDZ are made of: the mesh, its texture atlas and material."""

    spec: ModelSpec
    mesh: MeshData
    texture: Image.Image  # RGB, the atlas
    roughness: float


def build_glb(
    model_id: str,
    area_images: Mapping[str, Image.Image],
    base_color: str | None = None,
    *,
    uv_regions: UVRegions | None = None,
    texture_px: int = DEFAULT_TEXTURE_PX,
) -> bytes:
    """GLB bytes: the model with the design on it (metres, Y up, one PBR material)."""
    model = textured_model(model_id, area_images, base_color, uv_regions, texture_px)
    return glb_bytes(model)


def glb_bytes(model: TexturedModel) -> bytes:
    # trimesh's constructors are unannotated: the ignores say so, nothing more.
    material = trimesh.visual.material.PBRMaterial(  # type: ignore[no-untyped-call]
        name=f"{model.spec.id}-print",
        baseColorTexture=model.texture,
        baseColorFactor=[255, 255, 255, 255],
        metallicFactor=0.0,
        roughnessFactor=model.roughness,
        doubleSided=False,
    )
    mesh = trimesh.Trimesh(
        vertices=model.mesh.vertices,
        faces=model.mesh.faces,
        vertex_normals=model.mesh.normals,
        visual=trimesh.visual.TextureVisuals(  # type: ignore[no-untyped-call]
            uv=model.mesh.uv, material=material
        ),
        process=False,
    )
    scene = trimesh.Scene()
    scene.add_geometry(mesh, node_name=model.spec.id, geom_name=model.spec.id)
    glb = trimesh.exchange.gltf.export_glb(scene, include_normals=True)  # type: ignore[no-untyped-call]
    return bytes(glb)


def textured_model(
    model_id: str,
    area_images: Mapping[str, Image.Image],
    base_color: str | None = None,
    uv_regions: UVRegions | None = None,
    texture_px: int = DEFAULT_TEXTURE_PX,
) -> TexturedModel:
    spec = get_model(model_id)
    atlas = texture_atlas(spec, area_images, base_color, uv_regions, texture_px)
    return TexturedModel(spec, spec.mesh, atlas, spec.roughness)


def texture_atlas(
    spec: ModelSpec,
    area_images: Mapping[str, Image.Image],
    base_color: str | None = None,
    uv_regions: UVRegions | None = None,
    texture_px: int = DEFAULT_TEXTURE_PX,
) -> Image.Image:
    """The product colour, the model's fixed swatches, then each area's image at its rectangle."""
    width, height = spec.atlas_size(_bounded(texture_px))
    atlas = Image.new(
        "RGBA", (width, height), (*_color("model.base_color", base_color or spec.base_color), 255)
    )
    for swatch in spec.swatches:
        atlas.paste(_color("model.swatch", swatch.color), swatch.rect.pixels(width, height))
    aspects = {
        key: im.width / im.height for key, im in area_images.items() if im.width and im.height
    }
    for key, rect in placements(spec, aspects, uv_regions).items():
        image = area_images[key]
        left, top, right, bottom = rect.pixels(width, height)
        if right > left and bottom > top:
            art = image.convert("RGBA").resize(
                (right - left, bottom - top), Image.Resampling.LANCZOS
            )
            atlas.alpha_composite(art, (left, top))
    return atlas.convert("RGB")


def design_model(
    design: Design,
    template: TemplateSpec,
    inputs: RenderInputs,
    texture_px: int = DEFAULT_TEXTURE_PX,
) -> TexturedModel:
    """The template's model (``extra``: ``model_3d``, ``uv_regions``, ``base_color``) wearing
    ``design``: one per design, what its GLB and USDZ are both made of."""
    model_id = template.extra.get("model_3d")
    if not model_id:
        raise DesignError("template.model_3d", "this template has no 3D model (model_3d)")
    regions = template.extra.get("uv_regions") or None
    images = area_textures(design, template, inputs, str(model_id), regions, texture_px)
    color = template.extra.get("base_color")
    return textured_model(str(model_id), images, color, regions, texture_px)


def area_textures(
    design: Design,
    template: TemplateSpec,
    inputs: RenderInputs,
    model_id: str,
    uv_regions: UVRegions | None = None,
    texture_px: int = DEFAULT_TEXTURE_PX,
) -> dict[str, Image.Image]:
    """The trim box of each area the model shows, rendered at about its size on the atlas."""
    spec = get_model(model_id)
    width, height = spec.atlas_size(_bounded(texture_px))
    aspects = {area.key: area.width_mm / area.height_mm for area in template.areas}
    images: dict[str, Image.Image] = {}
    for key, rect in placements(spec, aspects, uv_regions).items():
        area = template.area(key)
        left, top, right, bottom = rect.pixels(width, height)
        scale = min((right - left) / area.width_mm, (bottom - top) / area.height_mm)
        size = max(1, round(area.width_mm * scale)), max(1, round(area.height_mm * scale))
        image = render_area(design, template, key, inputs, Frame.for_preview(area, *size))
        images[key] = to_pil(image)
    return images


def _bounded(texture_px: int) -> int:
    return max(16, min(texture_px, MAX_TEXTURE_PX))


def _color(path: str, value: str) -> tuple[int, int, int]:
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise DesignError(path, f"{value!r} is not a hex colour like #ffffff")
    return hex_rgb(value)
