"""`luneo render`: files per area and format, preflight printed, bad input as a clean error."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
import pikepdf
import pypdf
import pytest
from click.testing import CliRunner
from PIL import Image

from app.design.color import builtin_cmyk, srgb_profile
from app.design.render_cli import register_render_command

from .conftest import FontRegistry, picture, rect, text


@pytest.fixture
def luneo(fonts: FontRegistry) -> click.Group:
    @click.group()
    def cli() -> None:
        """A stand-in for the luneo group."""

    register_render_command(cli)
    return cli


def _size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def _files(tmp_path: Path, layers: list[dict[str, object]]) -> tuple[Path, Path]:
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "photo.png").write_bytes(picture((60, 60)))
    (tmp_path / "mug.png").write_bytes(picture((200, 100), (240, 240, 240)))
    design = tmp_path / "design.json"
    design.write_text(json.dumps({"version": 1, "areas": {"front": {"layers": layers}}}))
    template = tmp_path / "template.json"
    area = {
        "key": "front",
        "width_mm": 40,
        "height_mm": 20,
        "dpi": 100,
        "bleed_mm": 2,
        "safe_margin_mm": 3,
        "mockup_placement": {"x": 10, "y": 10, "width": 80, "height": 40},
        "mockup_image": "mug.png",
    }
    areas = [area, {**area, "key": "back"}]
    template.write_text(json.dumps({"print_areas": areas, "min_image_dpi": 40}))
    return design, template


def test_renders_every_area_in_every_format(luneo: click.Group, tmp_path: Path) -> None:
    photo = {
        "type": "image",
        "src": "art/photo.png",
        "x_mm": 5,
        "y_mm": 5,
        "width_mm": 30,
        "height_mm": 10,
    }
    design, template = _files(tmp_path, [rect(1, 1, 10, 10), text("Hi", x_mm=20, y_mm=6), photo])
    out = tmp_path / "out"

    result = CliRunner().invoke(
        luneo,
        [
            "render",
            str(design),
            "--template",
            str(template),
            "--out",
            str(out),
            "--format",
            "png,pdf,tiff,preview",
        ],
    )

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "back-cmyk.tif", "back-preview.png", "back.pdf", "back.png",
        "front-cmyk.tif", "front-preview.png", "front.pdf", "front.png",
    ]  # fmt: skip
    assert _size(out / "front.png") == (round(44 * 100 / 25.4), round(24 * 100 / 25.4))
    assert _size(out / "front-preview.png") == (200, 100)
    assert len(pypdf.PdfReader(io.BytesIO((out / "front.pdf").read_bytes())).pages) == 1
    assert "Preflight: 0 error(s), 2 warning(s)" in result.output
    assert "image_dpi_low" in result.output  # 60 px over 30 mm is 51 dpi: below the 150 warning
    assert "outside_safe_area" in result.output  # the rect starts 1 mm from the edge
    assert f"wrote {out / 'front.png'}" in result.output


def test_dpi_override(luneo: click.Group, tmp_path: Path) -> None:
    design, template = _files(tmp_path, [])

    result = CliRunner().invoke(
        luneo,
        [
            "render",
            str(design),
            "--template",
            str(template),
            "--out",
            str(tmp_path / "o"),
            "--format",
            "png",
            "--dpi",
            "50",
        ],
    )

    assert result.exit_code == 0, result.output
    assert _size(tmp_path / "o" / "front.png") == (round(44 * 50 / 25.4), round(24 * 50 / 25.4))


def test_bad_design_is_a_clean_error_and_writes_nothing(luneo: click.Group, tmp_path: Path) -> None:
    design, template = _files(tmp_path, [text("x", size_mm=-2)])
    out = tmp_path / "out"

    result = CliRunner().invoke(
        luneo, ["render", str(design), "--template", str(template), "--out", str(out)]
    )

    assert result.exit_code == 1
    assert "Error: areas.front.layers[0].size_mm: must be > 0" in result.output
    assert not out.exists()


def test_strict_refuses_on_preflight_errors(luneo: click.Group, tmp_path: Path) -> None:
    missing = {
        "type": "image",
        "src": "nope.png",
        "x_mm": 5,
        "y_mm": 5,
        "width_mm": 5,
        "height_mm": 5,
    }
    design, template = _files(tmp_path, [missing])

    result = CliRunner().invoke(
        luneo,
        [
            "render",
            str(design),
            "--template",
            str(template),
            "--out",
            str(tmp_path / "o"),
            "--strict",
        ],
    )

    assert result.exit_code == 1
    assert "the file 'nope.png' was not found [image_missing]" in result.output
    assert "nothing rendered (--strict)" in result.output


def test_unknown_format(luneo: click.Group, tmp_path: Path) -> None:
    design, template = _files(tmp_path, [])

    result = CliRunner().invoke(
        luneo,
        [
            "render",
            str(design),
            "--template",
            str(template),
            "--out",
            str(tmp_path),
            "--format",
            "gif",
        ],
    )

    assert result.exit_code == 2
    assert "unknown format gif" in result.output


# ---------------------------------------------------------------- templates with fields

FIELD_BOX = {"x_mm": 10, "y_mm": 12, "width_mm": 60, "height_mm": 16, "rotation_deg": 0}


def _field_files(tmp_path: Path, name: str) -> tuple[Path, Path]:
    template = {
        "$schema": "https://luneo.app/schema/template.v1.json",
        "version": 1,
        "name": "Name mug",
        "print_areas": [
            {"key": "front", "width_mm": 80, "height_mm": 40, "dpi": 200, "bleed_mm": 2}
        ],
        "fields": [
            {
                "id": "name",
                "kind": "text",
                "label": "Name",
                "area": "front",
                "box": FIELD_BOX,
                "size_mm": 12,
                "font": "Inter",
                "color": "#000000",
                "max_chars": 60,
            }
        ],
        "editor_mode": "form",
        "surcharge": "0",
    }
    moved = {
        "type": "text",
        "field": "name",
        "text": "elsewhere",
        "font": "Inter",
        "size_mm": 30,
        "x_mm": 0,
        "y_mm": 0,
    }
    design = {"version": 1, "fields": {"name": name}, "areas": {"front": {"layers": [moved]}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    (tmp_path / "d.json").write_text(json.dumps(design))
    return tmp_path / "d.json", tmp_path / "t.json"


@pytest.mark.parametrize("name", ["Anna", "Anna-Katharina Wolkenstein"])
def test_a_templates_fields_are_printed_exactly_in_their_box(
    luneo: click.Group, tmp_path: Path, name: str
) -> None:
    design, template = _field_files(tmp_path, name)
    out = tmp_path / "out"

    result = CliRunner().invoke(
        luneo,
        ["render", str(design), "--template", str(template), "--out", str(out), "--format", "png"],
    )

    assert result.exit_code == 0, result.output
    with Image.open(out / "front.png") as image:
        ink = image.getchannel("A").getbbox()
    assert ink is not None
    per_mm, bleed = 200 / 25.4, 2
    box = tuple(
        round((v + bleed) * per_mm)
        for v in (
            FIELD_BOX["x_mm"],
            FIELD_BOX["y_mm"],
            FIELD_BOX["x_mm"] + FIELD_BOX["width_mm"],
            FIELD_BOX["y_mm"] + FIELD_BOX["height_mm"],
        )
    )
    left, top, right, bottom = ink
    assert box[0] - 1 <= left, (ink, box)
    assert right <= box[2] + 1, (ink, box)
    assert box[1] - 1 <= top, (ink, box)
    assert bottom <= box[3] + 1, (ink, box)
    middle = (box[0] + box[2]) / 2
    assert abs((left + right) / 2 - middle) <= 0.02 * (box[2] - box[0])  # centred
    if len(name) > 20:  # auto-fit: the long name spans (nearly) the whole box width
        assert right - left >= 0.9 * (box[2] - box[0])


def test_a_template_document_that_breaks_its_schema_is_refused(
    luneo: click.Group, tmp_path: Path
) -> None:
    design, template = _field_files(tmp_path, "Anna")
    broken = json.loads(template.read_text())
    broken["fields"][0]["box"]["width_mm"] = -5
    template.write_text(json.dumps(broken))

    result = CliRunner().invoke(
        luneo, ["render", str(design), "--template", str(template), "--out", str(tmp_path / "o")]
    )

    assert result.exit_code != 0
    assert "template.fields[0].box.width_mm: must be > 0" in result.output


def test_cmyk_profile_by_name_or_icc_file(luneo: click.Group, tmp_path: Path) -> None:
    design, template = _files(tmp_path, [text("Hi", x_mm=5, y_mm=5)])
    base = ["render", str(design), "--template", str(template), "--format", "pdf-cmyk,tiff"]

    def intent(out: Path) -> str:
        with pikepdf.open(out / "front-cmyk.pdf") as pdf:
            return str(pdf.Root.OutputIntents[0].OutputConditionIdentifier)

    default = CliRunner().invoke(luneo, [*base, "--out", str(tmp_path / "a")])
    gracol = CliRunner().invoke(
        luneo, [*base, "--out", str(tmp_path / "b"), "--cmyk-profile", "gracol2006"]
    )
    icc = tmp_path / "press.icc"
    icc.write_bytes(builtin_cmyk("gracol2006").icc)
    by_path = CliRunner().invoke(
        luneo, [*base, "--out", str(tmp_path / "c"), "--cmyk-profile", str(icc)]
    )
    icc.write_bytes(srgb_profile())
    not_cmyk = CliRunner().invoke(
        luneo, [*base, "--out", str(tmp_path / "d"), "--cmyk-profile", str(icc)]
    )
    unknown = CliRunner().invoke(
        luneo, [*base, "--out", str(tmp_path / "e"), "--cmyk-profile", "swop"]
    )

    for result in (default, gracol, by_path):
        assert result.exit_code == 0, result.output
    assert intent(tmp_path / "a") == "FOGRA39"
    assert intent(tmp_path / "b") == intent(tmp_path / "c") == "CGATS TR 006"
    with Image.open(tmp_path / "b" / "front-cmyk.tif") as tiff:
        assert tiff.info["icc_profile"] == builtin_cmyk("gracol2006").icc
    assert not_cmyk.exit_code == 2
    assert "not a CMYK output profile" in not_cmyk.output
    assert unknown.exit_code == 2
    assert "'swop' is neither fogra39, gracol2006 nor an ICC file" in unknown.output
