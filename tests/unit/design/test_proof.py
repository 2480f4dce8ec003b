"""The proof sheet read back with pypdf: what a printer checks is on the page, in words."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import date

import pypdf
import pytest

from app.design import RenderInputs, parse_design
from app.design.preflight import Finding
from app.design.proof import ProofInfo, colours_used, fonts_used, proof_sheet
from app.design.template import TemplateSpec

from .conftest import design, picture, rect, template, text

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]
DAY = date(2026, 12, 6)


def _doc() -> dict[str, object]:
    return design(
        rect(0, 0, 50, 30, fill="#fef3c7"),
        text("Anna", color="#1f2937", stroke="#ffffff", stroke_width_mm=0.4),
        text("hidden", color="#00ff00", hidden=True),
        {
            "type": "image",
            "src": "photo.png",
            "x_mm": 30,
            "y_mm": 5,
            "width_mm": 15,
            "height_mm": 15,
        },  # fmt: skip
    )


def _read(data: bytes) -> pypdf.PdfReader:
    assert data.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(data))


def test_the_sheet_shows_the_print_the_mockup_the_facts_and_the_findings(
    inputs_for: Inputs,
) -> None:
    spec = template(mockup_placement={"x": 20, "y": 20, "width": 60, "height": 36})
    warning = Finding("warning", "front", 3, "low_dpi", "The photo prints at 96 dpi.")
    info = ProofInfo(
        "Order #1001 · Mug",
        DAY,
        findings=[warning],
        files=["Front: print PDF", "Front: print PNG"],
        cut_paths={"front": [[(-1, -1), (51, -1), (51, 31), (-1, 31)]]},
    )
    inputs = inputs_for({"photo.png": picture((300, 300), (200, 30, 30))})
    mockups = {"front": picture((100, 80), (230, 230, 230))}

    reader = _read(proof_sheet(parse_design(_doc()), spec, inputs, info, mockups))

    (page,) = reader.pages
    assert [round(float(v)) for v in page.mediabox] == [0, 0, 595, 842]  # A4
    words = " ".join(page.extract_text().split())
    for expected in (
        "Proof — Order #1001 · Mug",
        "2026-12-06",
        "Finished size 50 × 30 mm · bleed 3 mm · safe margin 3 mm · 150 dpi (331 × 213 px",
        "#FEF3C7 (shape)",
        "#1F2937 (text)",
        "#FFFFFF (text outline)",
        "Fonts: Inter 400",
        "Check: The photo prints at 96 dpi.",
        "Files for the printer: Front: print PDF, Front: print PNG",
        "magenta: cut line",
        "Approved for print",
    ):
        assert expected in words, expected
    assert "#00FF00" not in words  # a hidden layer is not printed
    images = page["/Resources"]["/XObject"]
    assert len(images) == 2  # the flat print and the mockup
    content = page.get_contents().get_data()
    assert b".93 0 .55 RG" in content  # the cut line, stroked magenta
    tags = []
    for font in page["/Resources"]["/Font"].values():
        assert "/FontFile2" in font.get_object()["/FontDescriptor"].get_object()
        tags.append(str(font.get_object()["/BaseFont"]).split("+")[0])
    assert len(tags) == len(set(tags)) == 2  # regular and bold, each subset its own tag


def test_two_areas_to_a_page(inputs_for: Inputs) -> None:
    keys = ("front", "back", "sleeve")
    spec = TemplateSpec.from_dict(
        {
            "print_areas": [
                {"key": k, "name": k.title(), "width_mm": 40, "height_mm": 40, "dpi": 100}
                for k in keys
            ]
        }  # fmt: skip
    )
    doc = {"version": 1, "areas": {k: {"layers": [rect(0, 0, 10, 10)]} for k in keys}}

    reader = _read(proof_sheet(parse_design(doc), spec, inputs_for({}), ProofInfo("Tee", DAY)))

    assert len(reader.pages) == 2
    first, second = (" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Front" in first
    assert "Back" in first
    assert "Sleeve" not in first
    assert "Sleeve" in second
    assert "page 2" in second
    assert "No problems found." in second
    assert "#FF0000 (shape)" in second


def test_colours_and_fonts_named_once() -> None:
    doc = parse_design(
        design(
            text("a", color="#1f2937"),
            text("b", color="#1F2937", font="Lora", weight=700, style="italic"),
            rect(0, 0, 5, 5, fill="#1f2937", stroke="#000000", stroke_width_mm=0),
        )
    )

    assert colours_used(doc) == [("#1F2937", "text, shape")]
    assert fonts_used(doc) == ["Inter 400", "Lora 700 italic"]


@pytest.mark.parametrize("title", ["", "Ünïcödé — ½ · 😀"])
def test_any_title_makes_a_sheet(inputs_for: Inputs, title: str) -> None:
    spec = template()
    data = proof_sheet(parse_design(_doc()), spec, inputs_for({"photo.png": picture((50, 50))}),
                       ProofInfo(title, DAY))  # fmt: skip
    assert len(_read(data).pages) == 1


def test_score_lines_are_drawn_dashed_in_cyan(inputs_for: Inputs) -> None:
    area = {"key": "front", "width_mm": 50, "height_mm": 30, "dpi": 150, "bleed_mm": 3}
    fold = {"x1_mm": 25, "y1_mm": 0, "x2_mm": 25, "y2_mm": 30}
    spec = TemplateSpec.from_dict({"print_areas": [area], "score_lines": [fold]})
    info = ProofInfo("Order #1002 · Card", DAY)

    doc = parse_design(design(rect(0, 0, 20, 20)))
    (page,) = _read(proof_sheet(doc, spec, inputs_for({}), info, {})).pages

    words = " ".join(page.extract_text().split())
    assert "cyan dashes: score lines (folds)" in words
    content = page.get_contents().get_data()
    assert b"0 .68 .94 RG" in content  # stroked cyan
    assert b"[4 2] 0 d" in content  # dashed
