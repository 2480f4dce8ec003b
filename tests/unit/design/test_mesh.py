"""GLB: the built-in models carry the design through their UV maps, read back by trimesh.

The checks look at the product the way a shopper does: a ray from the viewer hits the model,
the triangle it hits faces the viewer, and the texture at the hit's UV is the design's colour
for that corner of the artwork (so nothing is mirrored, flipped or misplaced).
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import trimesh
from PIL import Image

from app.design import RenderInputs, TemplateSpec, parse_design
from app.design.errors import DesignError
from app.design.mesh import MAX_TEXTURE_PX, area_textures, build_glb, texture_atlas
from app.design.models3d import MODELS, available_models, get_model
from app.design.models3d.mug import HEIGHT, RADIUS

from .conftest import design, rect, template

RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 160, 0), (0, 0, 255), (255, 220, 0)
BASE, BASE_RGB = "#ccddee", (0xCC, 0xDD, 0xEE)
AREA = {"mug": "wrap", "tshirt_front": "front", "poster_framed": "face", "phone_case": "back"}


def quadrants(width: int, height: int) -> Image.Image:
    """Artwork with a different colour in each quarter: top-left red, top-right green,
    bottom-left blue, bottom-right yellow."""
    image = Image.new("RGBA", (width, height))
    for (x, y), color in {(0, 0): RED, (1, 0): GREEN, (0, 1): BLUE, (1, 1): YELLOW}.items():
        box = (x * width // 2, y * height // 2, (x + 1) * width // 2, (y + 1) * height // 2)
        image.paste((*color, 255), box)
    return image


def art_for(model_id: str, width: int = 240) -> Image.Image:
    region = get_model(model_id).regions[0]
    return quadrants(width, round(width * region.height_mm / region.width_mm))


def load(glb: bytes) -> trimesh.Trimesh:
    scene = trimesh.load(io.BytesIO(glb), file_type="glb")
    (mesh,) = scene.geometry.values()
    return mesh


def texture_rgb(mesh: trimesh.Trimesh, uv: np.ndarray) -> tuple[int, ...]:
    image = mesh.visual.material.baseColorTexture.convert("RGB")
    x = min(int(uv[0] * image.width), image.width - 1)
    y = min(int((1 - uv[1]) * image.height), image.height - 1)
    return tuple(image.getpixel((x, y)))


def hit(mesh: trimesh.Trimesh, origin: np.ndarray, direction: np.ndarray) -> tuple[int, np.ndarray]:
    """First triangle a ray meets (Moller-Trumbore) and the UV there."""
    tri = mesh.triangles
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    p = np.cross(direction, e2)
    det = np.einsum("ij,ij->i", e1, p)
    inv = 1 / np.where(np.abs(det) > 1e-12, det, np.inf)
    s = origin - tri[:, 0]
    u = np.einsum("ij,ij->i", s, p) * inv
    q = np.cross(s, e1)
    v = q @ direction * inv
    t = np.einsum("ij,ij->i", e2, q) * inv
    candidates = np.flatnonzero((u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0))
    assert candidates.size, "the ray misses the model"
    face = int(candidates[np.argmin(t[candidates])])
    weights = np.array([1 - u[face] - v[face], u[face], v[face]])
    return face, weights @ mesh.visual.uv[mesh.faces[face]]


@dataclass(frozen=True)
class View:
    """Where a shopper looks at the print: its centre, the viewing direction, screen axes."""

    center: tuple[float, float, float]
    toward: tuple[float, float, float]
    right: tuple[float, float, float]
    offset: tuple[float, float]  # metres right/up from the centre: inside each quarter
    plain: tuple[float, float, float] | None = None  # a point off the print
    plain_rgb: tuple[int, int, int] = BASE_RGB  # what it shows


VIEWS = {
    # From the side opposite the handle (-X): the middle of the wrap; the mug's foot is plain.
    "mug": View((-RADIUS, HEIGHT / 2, 0), (1, 0, 0), (0, 0, 1), (0.012, 0.02), (-RADIUS, 0.002, 0)),
    # The sleeve is plain.
    "tshirt_front": View((0, 0.40, 0.02), (0, 0, -1), (1, 0, 0), (0.07, 0.1), (0.4, 0.55, 0)),
    # The frame keeps its own colour whatever the paper's.
    "poster_framed": View(
        (0, 0.22, 0.02), (0, 0, -1), (1, 0, 0), (0.07, 0.1), (0.16, 0.22, 0), (0x1F, 0x1F, 0x1F)
    ),
    # The print covers the whole back.
    "phone_case": View((0, 0.07575, 0.011), (0, 0, -1), (1, 0, 0), (0.018, 0.037)),
}


def look(mesh: trimesh.Trimesh, view: View, point: np.ndarray) -> tuple[int, ...]:
    toward = np.array(view.toward, float)
    face, uv = hit(mesh, point - toward, toward)
    assert mesh.face_normals[face] @ toward < 0, "the visible triangle faces away from the viewer"
    assert np.dot(mesh.vertex_normals[mesh.faces[face]].mean(axis=0), toward) < 0
    return texture_rgb(mesh, uv)


def test_available_models_lists_the_four_builtin_models_and_their_print_areas() -> None:
    models = {m["id"]: m for m in available_models()}

    assert list(models) == ["mug", "tshirt_front", "poster_framed", "phone_case"]
    assert {i: [a["key"] for a in m["areas"]] for i, m in models.items()} == {
        k: [v] for k, v in AREA.items()
    }
    mug = models["mug"]["areas"][0]
    assert (mug["width_mm"], mug["height_mm"]) == (200.0, 85.0)
    assert set(mug["uv_region"]) == {"u0", "v0", "u1", "v1"}
    assert json.loads(json.dumps(models)) == models  # ready for the admin's JSON


@pytest.mark.parametrize(
    ("model_id", "size_m"),
    [
        ("mug", (0.1145, 0.095, 0.082)),  # Ø 82 mm x 95 mm plus the handle's reach
        ("tshirt_front", (0.90, 0.72, 0.022)),
        ("poster_framed", (0.34, 0.44, 0.025)),
        ("phone_case", (0.0755, 0.1515, 0.011)),
    ],
)
def test_model_has_real_size_unit_normals_and_uvs_in_range(
    model_id: str, size_m: tuple[float, float, float]
) -> None:
    mesh = get_model(model_id).mesh

    assert len(mesh.vertices) > 0
    assert mesh.faces.min() >= 0
    assert mesh.faces.max() < len(mesh.vertices)
    extent = mesh.vertices.max(axis=0) - mesh.vertices.min(axis=0)
    np.testing.assert_allclose(extent, size_m, atol=0.0015)
    np.testing.assert_allclose(np.linalg.norm(mesh.normals, axis=1), 1.0, atol=1e-9)
    assert mesh.uv.min() >= 0
    assert mesh.uv.max() <= 1


def test_mug_walls_face_out_of_the_body_and_into_the_cup() -> None:
    mesh = get_model("mug").mesh
    radius = np.hypot(mesh.vertices[:, 0], mesh.vertices[:, 2])
    radial = mesh.vertices[:, [0, 2]] / np.where(radius == 0, 1, radius)[:, None]
    sideways = np.einsum("ij,ij->i", mesh.normals[:, [0, 2]], radial)
    upright = np.abs(mesh.normals[:, 1]) < 1e-9

    assert (sideways[np.isclose(radius, RADIUS) & upright] > 0.999).all()
    assert (sideways[np.isclose(radius, RADIUS - 0.004) & upright] < -0.999).all()


def test_phone_case_is_a_closed_slab_with_outward_normals() -> None:
    data = get_model("phone_case").mesh
    solid = trimesh.Trimesh(data.vertices, data.faces)  # merged: the parts' seams close up

    assert solid.is_watertight
    assert solid.volume > 0.95 * 0.0755 * 0.1515 * 0.011  # positive: faces wound outwards


@pytest.mark.parametrize("model_id", list(AREA))
def test_glb_loads_back_with_its_texture_normals_and_uvs(model_id: str) -> None:
    spec = get_model(model_id)

    glb = build_glb(model_id, {AREA[model_id]: art_for(model_id)}, BASE, texture_px=256)

    mesh = load(glb)
    assert glb[:4] == b"glTF"
    assert len(mesh.vertices) == len(spec.mesh.vertices)
    texture = mesh.visual.material.baseColorTexture
    assert texture.size == spec.atlas_size(256)
    assert max(texture.size) == 256
    assert mesh.visual.uv.min() >= 0
    assert mesh.visual.uv.max() <= 1
    np.testing.assert_allclose(mesh.vertex_normals, spec.mesh.normals, atol=1e-6)


@pytest.mark.parametrize("model_id", list(AREA))
def test_each_quarter_of_the_design_shows_where_the_shopper_expects_it(model_id: str) -> None:
    view = VIEWS[model_id]
    glb = build_glb(model_id, {AREA[model_id]: art_for(model_id)}, BASE, texture_px=512)
    mesh = load(glb)
    center, right = np.array(view.center), np.array(view.right, float)
    up = np.array([0.0, 1.0, 0.0])
    dx, dy = view.offset

    seen = {
        color: look(mesh, view, center + sx * dx * right + sy * dy * up)
        for color, (sx, sy) in {
            RED: (-1, 1),
            GREEN: (1, 1),
            BLUE: (-1, -1),
            YELLOW: (1, -1),
        }.items()
    }

    assert seen == {color: color for color in seen}
    if view.plain is not None:
        assert look(mesh, view, np.array(view.plain)) == view.plain_rgb


def test_phone_case_screen_side_is_the_product_colour() -> None:
    mesh = load(build_glb("phone_case", {"back": art_for("phone_case")}, BASE, texture_px=256))

    face, uv = hit(mesh, np.array([0.0, 0.07, -1.0]), np.array([0.0, 0.0, 1.0]))

    assert mesh.face_normals[face][2] < 0
    assert texture_rgb(mesh, uv) == BASE_RGB


def test_mug_wrap_is_centred_opposite_the_handle_with_the_seam_at_the_handle() -> None:
    mesh = get_model("mug").mesh
    outer = np.isclose(np.hypot(mesh.vertices[:, 0], mesh.vertices[:, 2]), RADIUS)
    outer &= np.abs(mesh.normals[:, 1]) < 1e-9
    opposite = outer & np.isclose(mesh.vertices[:, 0], -RADIUS)
    at_handle = outer & np.isclose(mesh.vertices[:, 0], RADIUS)
    wrap = get_model("mug").regions[0].rect

    assert np.allclose(mesh.uv[opposite, 0], 0.5)
    assert sorted(set(np.round(mesh.uv[at_handle, 0], 6))) == [0.0, 1.0]
    assert (wrap.u0 + wrap.u1) / 2 == pytest.approx(0.5)


def test_a_templates_uv_region_overrides_the_models_region() -> None:
    spec = get_model("mug")
    region = {"u0": 0.0, "v0": 0.0, "u1": 0.25, "v1": 0.2}

    atlas = texture_atlas(spec, {"wrap": quadrants(64, 64)}, BASE, {"wrap": region}, 256)

    assert atlas.size == (256, 128)
    assert atlas.getpixel((8, 128 - 8)) == BLUE  # bottom-left quarter of the region
    assert atlas.getpixel((48, 106)) == GREEN  # top-right quarter
    assert atlas.getpixel((128, 40)) == BASE_RGB  # the model's own wrap: left plain


def test_artwork_of_another_shape_keeps_its_proportions_centred_in_the_region() -> None:
    spec = get_model("poster_framed")  # face: 300 x 400 mm at u 0..0.75 of a square atlas
    wide = Image.new("RGBA", (300, 150), (*RED, 255))  # 2:1 instead of 3:4

    atlas = np.asarray(texture_atlas(spec, {"face": wide}, BASE, None, 400))

    red_rows = np.flatnonzero((atlas[:, 150] == RED).all(axis=1))
    red_columns = np.flatnonzero((atlas[200] == RED).all(axis=1))
    assert (red_columns[0], red_columns[-1] + 1) == (0, 300)
    assert (red_rows[0], red_rows[-1] + 1) == (125, 275)  # 300 x 150 px, centred on 400 rows


def test_a_single_area_of_another_name_lands_on_a_one_region_model() -> None:
    spec = get_model("mug")

    atlas = texture_atlas(spec, {"front": quadrants(200, 85)}, BASE, None, 256)

    assert atlas.getpixel((100, 30)) == RED


def test_areas_the_model_has_no_place_for_are_left_off() -> None:
    spec = get_model("tshirt_front")
    front = Image.new("RGBA", (30, 40), (*RED, 255))
    back = Image.new("RGBA", (30, 40), (*GREEN, 255))

    atlas = np.asarray(texture_atlas(spec, {"front": front, "back": back}, BASE, None, 128))

    colors = {tuple(c) for c in atlas.reshape(-1, 3)}
    assert RED in colors
    assert GREEN not in colors


@pytest.mark.parametrize(
    ("_case", "call", "path", "message"),
    [
        (
            "unknown model",
            lambda: build_glb("teapot", {}),
            "template.model_3d",
            "unknown 3D model 'teapot' (built-in models: mug, tshirt_front, poster_framed, "
            "phone_case)",
        ),
        (
            "area the model does not have",
            lambda: build_glb("mug", {"front": quadrants(8, 8), "back": quadrants(8, 8)}),
            "template.print_areas.front.uv_region",
            "the mug model has no printable area 'front' (it has: wrap); name the area after one "
            "of them or give it a uv_region",
        ),
        (
            "uv_region out of order",
            lambda: build_glb(
                "mug",
                {"wrap": quadrants(8, 8)},
                uv_regions={"wrap": {"u0": 0.6, "v0": 0, "u1": 0.2, "v1": 1}},
            ),
            "template.print_areas.wrap.uv_region",
            "needs 0 <= u0 < u1 <= 1 and 0 <= v0 < v1 <= 1",
        ),
        (
            "uv_region missing a corner",
            lambda: build_glb("mug", {"wrap": quadrants(8, 8)}, uv_regions={"wrap": {"u0": 0}}),
            "template.print_areas.wrap.uv_region",
            "needs numbers u0, v0, u1 and v1",
        ),
        (
            "colour that is not hex",
            lambda: build_glb("mug", {}, "teal"),
            "model.base_color",
            "'teal' is not a hex colour like #ffffff",
        ),
    ],
)
def test_bad_input_is_a_clear_design_error(
    _case: str, call: Callable[[], object], path: str, message: str
) -> None:
    with pytest.raises(DesignError) as raised:
        call()

    assert (raised.value.path, raised.value.message) == (path, message)


def test_texture_size_is_bounded_for_web_and_ar() -> None:
    atlas = texture_atlas(get_model("phone_case"), {}, BASE, None, 8192)

    assert atlas.size == (MAX_TEXTURE_PX // 2, MAX_TEXTURE_PX)


def test_glb_header_is_valid_gltf_2() -> None:
    glb = build_glb("poster_framed", {"face": art_for("poster_framed", 60)}, texture_px=64)
    length = struct.unpack_from("<I", glb, 12)[0]
    header = json.loads(glb[20 : 20 + length])

    trimesh.exchange.gltf.validate(header)

    (material,) = header["materials"]
    assert material["pbrMetallicRoughness"]["baseColorTexture"] == {"index": 0}
    assert material["pbrMetallicRoughness"]["metallicFactor"] == 0.0
    assert header["images"][0]["mimeType"] == "image/png"
    (primitive,) = header["meshes"][0]["primitives"]
    assert {"POSITION", "NORMAL", "TEXCOORD_0"} <= set(primitive["attributes"])


def test_a_rendered_design_becomes_the_mugs_texture() -> None:
    spec = template(key="wrap", width_mm=200, height_mm=85, dpi=150)
    doc = parse_design(design(rect(0, 0, 100, 42.5, fill="#ff0000"), area="wrap"))
    inputs = RenderInputs(assets=lambda ref: b"")

    images = area_textures(doc, spec, inputs, "mug", texture_px=256)

    wrap = get_model("mug").regions[0].rect
    left, top, right, bottom = wrap.pixels(256, 128)
    assert images["wrap"].size == (right - left, round((right - left) * 85 / 200))
    mesh = load(build_glb("mug", images, BASE, texture_px=256))
    view = VIEWS["mug"]
    assert look(mesh, view, np.array(view.center) + [0, 0.02, -0.012]) == RED
    assert look(mesh, view, np.array(view.center) + [0, -0.02, 0.012]) == BASE_RGB


def test_every_model_is_registered_under_its_own_id() -> None:
    assert all(spec.id == key for key, spec in MODELS.items())


def test_only_the_areas_the_model_shows_are_rendered_for_it() -> None:
    areas = [
        {"key": "wrap", "width_mm": 200, "height_mm": 85},
        {"key": "lid", "width_mm": 40, "height_mm": 40},
    ]
    spec = TemplateSpec.from_dict({"print_areas": areas})
    doc = parse_design({"version": 1, "areas": {}})

    images = area_textures(doc, spec, RenderInputs(assets=lambda ref: b""), "mug", None, 128)

    assert list(images) == ["wrap"]
