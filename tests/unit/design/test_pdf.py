"""Print PDFs read back with pypdf: page boxes at the exact size, fonts embedded, marks outside."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import pypdf
import pytest

from app.design import RenderInputs, parse_design, print_cmyk_pdf, print_pdf
from app.design.pdf import SLUG_MM

from .conftest import design, picture, rect, template, text

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]


def _pt(mm: float) -> float:
    return mm * 72 / 25.4


def _box(box: pypdf.generic.RectangleObject) -> list[float]:
    return [float(box.left), float(box.bottom), float(box.right), float(box.top)]


@pytest.mark.parametrize("cmyk", [False, True])
def test_page_boxes_are_the_exact_physical_size(cmyk: bool, inputs_for: Inputs) -> None:
    spec = template(width_mm=210, height_mm=297, bleed_mm=3, dpi=30)
    doc = parse_design(design(rect(0, 0, 210, 297, fill="#eeeeee")))
    render = print_cmyk_pdf if cmyk else print_pdf

    page = pypdf.PdfReader(io.BytesIO(render(doc, spec, "front", inputs_for({})))).pages[0]

    outer = SLUG_MM + 3
    assert _box(page.mediabox) == pytest.approx(
        [0, 0, _pt(210 + 2 * outer), _pt(297 + 2 * outer)], abs=0.01
    )
    assert _box(page.bleedbox) == pytest.approx(
        [_pt(SLUG_MM), _pt(SLUG_MM), _pt(210 + 6 + SLUG_MM), _pt(297 + 6 + SLUG_MM)], abs=0.01
    )
    assert _box(page.trimbox) == pytest.approx(
        [_pt(outer), _pt(outer), _pt(210 + outer), _pt(297 + outer)], abs=0.01
    )
    trim_w = float(page.trimbox.right) - float(page.trimbox.left)
    assert trim_w == pytest.approx(595.2756, abs=0.01)  # A4 width in points


def test_text_is_real_text_in_embedded_fonts(inputs_for: Inputs) -> None:
    doc = parse_design(design(text("Hello", font="Lora"), text("Hi", font="Pacifico", y_mm=15)))

    reader = pypdf.PdfReader(io.BytesIO(print_pdf(doc, template(), "front", inputs_for({}))))

    fonts = reader.pages[0]["/Resources"]["/Font"]
    names, embedded = [], []
    for ref in fonts.values():
        font = ref.get_object()
        names.append(str(font["/BaseFont"]).split("+")[-1])
        embedded.append("/FontFile2" in font["/FontDescriptor"].get_object())
    assert sorted(names) == ["Lora-Regular", "Pacifico-Regular"]
    assert all(embedded)
    assert "Hello" in reader.pages[0].extract_text().replace("\n", "")


def test_pictures_are_embedded_at_print_resolution(inputs_for: Inputs) -> None:
    spec = template(width_mm=50, height_mm=30, dpi=300)
    layer = {
        "type": "image",
        "src": "p.png",
        "x_mm": 0,
        "y_mm": 0,
        "width_mm": 25.4,
        "height_mm": 12.7,
    }
    doc = parse_design(design(layer))

    page = pypdf.PdfReader(
        io.BytesIO(print_pdf(doc, spec, "front", inputs_for({"p.png": picture((600, 300))})))
    ).pages[0]

    images = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert [(int(i["/Width"]), int(i["/Height"])) for i in images] == [(300, 150)]


def test_the_cmyk_pdf_holds_pictures_in_cmyk_at_print_resolution(inputs_for: Inputs) -> None:
    spec = template(width_mm=20, height_mm=10, dpi=100, bleed_mm=1)
    layer = {
        "type": "image",
        "src": "p.png",
        "x_mm": 0,
        "y_mm": 0,
        "width_mm": 12.7,
        "height_mm": 5.08,
    }
    doc = parse_design(design(layer))

    data = print_cmyk_pdf(doc, spec, "front", inputs_for({"p.png": picture((100, 40))}))

    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    (image,) = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert image["/ColorSpace"] == "/DeviceCMYK"
    assert (int(image["/Width"]), int(image["/Height"])) == (50, 20)
