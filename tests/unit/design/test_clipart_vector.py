"""Luneo's curated clipart stays vector in the print PDF: outlines, recoloured and flipped."""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pytest
from pypdf import PdfReader

from app.design import FontRegistry, RenderInputs, parse_design, print_pdf
from app.design.clipart import default_library, recolor
from app.design.raster import render_area_pil
from app.design.svg_paths import VectorArt, vector_art
from app.design.vips import svg_buffer, to_numpy

from .conftest import assets, design, template

SPEC = template(bleed_mm=0)  # 50 x 30 mm at 150 dpi
CAPS, JOINS = ("butt", "round", "square"), ("miter", "round", "bevel")


def _as_svg(art: VectorArt, size: int) -> bytes:
    """The outlines written back as plain absolute SVG paths."""
    paths = []
    for o in art.outlines:
        d = " ".join(k + " " + " ".join(f"{a:.5f}" for a in args) for k, args in o.ops)
        paths.append(
            f'<path d="{d}" fill="{o.fill or "none"}" stroke="{o.stroke or "none"}" '
            f'stroke-width="{o.stroke_width}" stroke-linecap="{CAPS[o.linecap]}" '
            f'stroke-linejoin="{JOINS[o.linejoin]}"/>'
        )
    box = " ".join(str(v) for v in art.viewbox)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="{box}">{"".join(paths)}</svg>'
    ).encode()


def test_every_curated_piece_reads_as_outlines_that_draw_the_same_shape() -> None:
    pieces = [item for s in default_library().sets for item in s.items]
    for item in pieces:
        svg = recolor(item.path.read_bytes(), "#000000")
        art = vector_art(svg)
        assert art is not None, item.ref
        original = to_numpy(svg_buffer(svg, scale=10))[..., 3].astype(int)
        redrawn = to_numpy(svg_buffer(_as_svg(art, 240)))[..., 3].astype(int)
        assert np.abs(original - redrawn).mean() < 0.5, item.ref
    assert len(pieces) > 40


def _svg(inner: str, viewbox: str = ' viewBox="0 0 2 2"') -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg"{viewbox}>{inner}</svg>'.encode()


@pytest.mark.parametrize(
    ("_case", "svg"),
    [
        ("circle element", _svg('<circle r="1"/>')),
        ("transform", _svg('<path transform="scale(2)" d="M0 0h1v1z"/>')),
        ("gradient paint", _svg('<path fill="url(#g)" d="M0 0h1v1z"/>')),
        ("no viewBox", _svg('<path d="M0 0h1v1z"/>', viewbox="")),
        ("bad path", _svg('<path d="M0 0 X 1"/>')),
        ("not xml", b"<svg"),
    ],
)
def test_anything_beyond_the_subset_is_left_to_the_picture_path(_case: str, svg: bytes) -> None:
    assert vector_art(svg) is None


def _clipart(**extra: Any) -> dict[str, Any]:
    layer = {"type": "clipart", "src": "clipart:animals/horse", "x_mm": 10, "y_mm": 5}
    return {**layer, "width_mm": 20, "height_mm": 20, **extra}


def _page(layer: dict[str, Any], fonts: FontRegistry) -> Any:
    pdf = print_pdf(parse_design(design(layer)), SPEC, "front", RenderInputs(assets({}), fonts))
    return PdfReader(io.BytesIO(pdf)).pages[0]


def test_clipart_in_the_pdf_is_vector_paths_in_its_colour_not_an_image(
    fonts: FontRegistry,
) -> None:
    filled = _page(_clipart(src="clipart:love/heart", color="#16a34a"), fonts)
    outlined = _page(_clipart(color="#16a34a"), fonts)

    for page in (filled, outlined):
        assert list(page.images) == []
        assert "/XObject" not in page["/Resources"]
    heart = filled.get_contents().get_data()
    assert len(re.findall(rb" c\s", heart)) >= 5  # Bézier curves (its arcs)
    assert b".086275 .639216 .290196 rg" in heart  # #16a34a, filled
    horse = outlined.get_contents().get_data()
    assert b".086275 .639216 .290196 RG" in horse  # stroked
    assert b"\n1 J\n1 j\n" in horse  # round caps and joins, as the SVG says


def test_a_flipped_clipart_is_mirrored_in_the_pdf_and_the_raster(fonts: FontRegistry) -> None:
    # 20 mm over a 24-unit viewBox; mirrored, the drawing starts from the box's right edge.
    assert b"\n.833333 0 0 .833333 10 5 cm" in _page(_clipart(), fonts).get_contents().get_data()
    mirrored = _page(_clipart(flip_x=True), fonts).get_contents().get_data()
    assert b"\n-0.833333 0 0 .833333 30 5 cm" in mirrored

    inputs = RenderInputs(assets({}), fonts)
    plain = render_area_pil(parse_design(design(_clipart())), SPEC, "front", inputs)
    flipped = render_area_pil(parse_design(design(_clipart(flip_x=True))), SPEC, "front", inputs)
    px = 150 / 25.4
    left, right = round(10 * px), round(30 * px)
    a = np.asarray(plain.getchannel("A"))[:, left:right].astype(int)
    b = np.asarray(flipped.getchannel("A"))[:, left:right].astype(int)
    assert a.sum() > 0
    assert np.abs(a - a[:, ::-1]).mean() > 5  # the horse is not symmetric...
    assert np.abs(b - a[:, ::-1]).mean() < 1  # ...and the flip mirrors it
