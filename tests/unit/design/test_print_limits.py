"""Absurd print sizes are refused before anything renders, with the limit in the message; real
ones (an A1 poster at 300 dpi, a roll-up banner at 150 dpi) pass; no PDF page is ever larger
than PDF's 14,400 pt a side."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import click
import pypdf
import pytest
from click.testing import CliRunner

from app.design import DesignError, RenderInputs, Request, parse_design, preflight, render_output
from app.design.fonts import FontRegistry
from app.design.limits import MAX_PRINT_MEGAPIXELS, MAX_PRINT_SIDE_MM, PDF_MAX_PAGE_PT
from app.design.pdf import SLUG_MM, print_pdf
from app.design.render_cli import register_render_command
from app.design.template import AreaSpec, TemplateSpec

from .conftest import assets, design, rect


def spec(width_mm: float, height_mm: float, dpi: int, bleed_mm: float = 3) -> TemplateSpec:
    area = {"key": "poster", "width_mm": width_mm, "height_mm": height_mm, "dpi": dpi}
    return TemplateSpec.from_dict({"print_areas": [{**area, "bleed_mm": bleed_mm}]})


@pytest.fixture
def luneo(fonts: FontRegistry) -> click.Group:
    @click.group()
    def cli() -> None:
        """A stand-in for the luneo group."""

    register_render_command(cli)
    return cli


def files(tmp_path: Path, area: dict[str, Any]) -> tuple[Path, Path]:
    design_file = tmp_path / "design.json"
    design_file.write_text(json.dumps(design(rect(1, 1, 10, 10), area="poster")))
    template_file = tmp_path / "template.json"
    template_file.write_text(json.dumps({"print_areas": [{"key": "poster", **area}]}))
    return design_file, template_file


def test_a_10_m_square_at_1200_dpi_is_refused_by_its_side() -> None:
    with pytest.raises(DesignError) as raised:
        spec(10_000, 10_000, 1200)

    assert raised.value.path == "areas.poster"
    assert raised.value.message == (
        "10,006 × 10,006 mm with bleed is too large; the largest print Luneo makes is 5,000 mm "
        "a side (a PDF page holds at most 14,400 pt = 5080 mm)"
    )


def test_a_2_m_square_at_1200_dpi_is_refused_by_its_pixels() -> None:
    with pytest.raises(DesignError) as raised:
        spec(2000, 2000, 1200)

    assert str(raised.value) == (
        "areas.poster: 2,006 × 2,006 mm with bleed at 1200 dpi is 94,772 × 94,772 px "
        f"(8,982 megapixels); the most Luneo renders is {MAX_PRINT_MEGAPIXELS} megapixels "
        "per area"
    )


@pytest.mark.parametrize(
    ("_case", "width_mm", "height_mm", "dpi"),
    [
        ("A1 poster at 300 dpi", 594, 841, 300),
        ("1.2 x 2 m roll-up banner at 150 dpi", 1200, 2000, 150),
        ("A0 at 250 dpi", 841, 1189, 250),
        ("the largest side at 40 dpi", MAX_PRINT_SIDE_MM - 6, 1000, 40),
    ],
)
def test_real_print_sizes_pass(_case: str, width_mm: float, height_mm: float, dpi: int) -> None:
    assert spec(width_mm, height_mm, dpi).area("poster").dpi == dpi


def test_one_mm_past_the_largest_side_is_refused() -> None:
    with pytest.raises(DesignError, match="5,000 mm a side"):
        spec(MAX_PRINT_SIDE_MM - 5, 100, 10)


def test_luneo_render_refuses_before_preflight_and_writes_nothing(
    luneo: click.Group, tmp_path: Path
) -> None:
    area = {"width_mm": 10_000, "height_mm": 10_000, "dpi": 1200, "bleed_mm": 3}
    design_file, template_file = files(tmp_path, area)
    out = tmp_path / "out"

    args = ["render", str(design_file), "--template", str(template_file), "--out", str(out)]
    result = CliRunner().invoke(luneo, [*args, "--format", "png,pdf,tiff"])

    assert result.exit_code == 1
    assert "Preflight" not in result.output
    assert "Error: areas.poster: 10,006 × 10,006 mm with bleed is too large" in result.output
    assert not out.exists()


@pytest.mark.parametrize("bulk", [False, True], ids=["one design", "--csv"])
def test_a_dpi_override_past_the_limit_is_refused_before_rendering(
    luneo: click.Group, tmp_path: Path, bulk: bool
) -> None:
    a3 = {"width_mm": 297, "height_mm": 420, "dpi": 300, "bleed_mm": 3}
    design_file, template_file = files(tmp_path, a3)
    out = tmp_path / "out"
    rows = tmp_path / "rows.csv"
    rows.write_text("name\nAda\n")
    csv = ["--csv", str(rows)] if bulk else []

    args = ["render", str(design_file), "--template", str(template_file), "--out", str(out)]
    result = CliRunner().invoke(luneo, [*args, "--dpi", "2400", *csv])

    assert result.exit_code == 1, result.output
    assert (
        "areas.poster: 303 × 426 mm with bleed at 2400 dpi is 28,630 × 40,252 px (1,152 "
        "megapixels); the most Luneo renders is 100 megapixels per area"
    ) in result.output
    assert not out.exists()


def test_a_dpi_override_within_the_limit_renders(luneo: click.Group, tmp_path: Path) -> None:
    design_file, template_file = files(tmp_path, {"width_mm": 40, "height_mm": 20, "dpi": 100})
    out = tmp_path / "out"

    args = ["render", str(design_file), "--template", str(template_file), "--out", str(out)]
    result = CliRunner().invoke(luneo, [*args, "--dpi", "2400", "--format", "png"])

    assert result.exit_code == 0, result.output
    assert (out / "poster.png").exists()


def test_render_output_checks_the_dpi_it_is_asked_for(fonts: FontRegistry) -> None:
    template = spec(297, 420, 300)
    request = Request(parse_design(design(area="poster")), template, "poster", RenderInputs(
        assets({}), fonts
    ), dpi=2400)  # fmt: skip

    with pytest.raises(DesignError, match="1,152 megapixels"):
        render_output("png", request)


def test_preflight_reports_an_area_made_too_large_in_code(fonts: FontRegistry) -> None:
    huge = TemplateSpec(areas=(AreaSpec("poster", 4000, 4000, dpi=600),))

    findings = preflight(parse_design(design(area="poster")), huge, assets({}), fonts)

    assert [(f.severity, f.code) for f in findings][0] == ("error", "print_too_large")
    assert "megapixels" in findings[0].message


def test_the_largest_area_makes_a_pdf_page_within_pdfs_limit(fonts: FontRegistry) -> None:
    bleed = 3.0
    template = spec(MAX_PRINT_SIDE_MM - 2 * bleed, MAX_PRINT_SIDE_MM - 2 * bleed, 10, bleed)
    document = parse_design(design(rect(0, 0, 100, 100), area="poster"))

    pdf = pypdf.PdfReader(io.BytesIO(print_pdf(document, template, "poster", RenderInputs(
        assets({}), fonts
    ))))  # fmt: skip

    box = pdf.pages[0].mediabox
    assert max(float(box.width), float(box.height)) <= PDF_MAX_PAGE_PT
    assert float(box.width) == pytest.approx((MAX_PRINT_SIDE_MM + 2 * SLUG_MM) * 72 / 25.4)
    assert (MAX_PRINT_SIDE_MM + 2 * SLUG_MM) * 72 / 25.4 <= PDF_MAX_PAGE_PT
