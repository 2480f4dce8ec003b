"""Issue #20: cut lines (a CutContour layer in the print PDFs, SVG and DXF of the path alone) and
engraving files (1-bit TIFF, vector SVG), opened with independent readers (pikepdf, ezdxf,
Pillow, an XML parser)."""

from __future__ import annotations

import base64
import io
import json
import math
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import click
import ezdxf
import numpy as np
import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from app.design import (
    DesignError,
    FontRegistry,
    RenderInputs,
    Request,
    TemplateSpec,
    parse_design,
    print_cmyk_pdf,
    print_pdf,
    render_output,
)
from app.design.cutline import cut_contours, outer_loops
from app.design.geometry import MM_PER_POINT
from app.design.pdf import PageBoxes
from app.design.render_cli import register_render_command

from .conftest import design, picture, rect, text
from .test_pdfx import pdfx_problems

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]
SVG = "{http://www.w3.org/2000/svg}"
CIRCLE = {  # a 20 mm disc centred at (30, 20) mm
    "type": "shape",
    "shape": "ellipse",
    "fill": "#d00000",
    "x_mm": 20,
    "y_mm": 10,
    "width_mm": 20,
    "height_mm": 20,
}


def _xml(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(data)  # noqa: S314 (files these tests just made)


def spec(**settings: Any) -> TemplateSpec:
    area = {"key": "front", "width_mm": 60, "height_mm": 40, "dpi": 150, "bleed_mm": 3}
    return TemplateSpec.from_dict({"print_areas": [area], **settings})


CUT = {"cut_line": {"source": "artwork", "offset_mm": 2}}


def _radii(points: Any, centre: tuple[float, float] = (30, 20)) -> np.ndarray:
    xy = np.asarray(points, dtype=float)
    return np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1])


# ---------------------------------------------------------------- the path


def test_the_artwork_cut_line_lies_the_offset_outside_the_outline(inputs_for: Inputs) -> None:
    contours = cut_contours(parse_design(design(CIRCLE)), spec(**CUT), "front", inputs_for({}))

    [contour] = contours
    radii = _radii(contour)
    assert radii.min() > 12 - 0.1  # a 10 mm radius + 2 mm, to 0.1 mm
    assert radii.max() < 12 + 0.1
    assert len(contour) > 40  # a smooth line, not a box


def test_separate_pieces_get_separate_lines_and_holes_are_not_cut(inputs_for: Inputs) -> None:
    ring = {k: v for k, v in CIRCLE.items() if k != "fill"}
    ring.update(stroke="#000000", stroke_width_mm=2)
    far = rect(50, 30, 5, 5)
    contours = cut_contours(
        parse_design(design(ring, far)), spec(cut_line={"offset_mm": 1}), "front", inputs_for({})
    )

    assert len(contours) == 2  # the ring's outside and the square; not the ring's hole
    ring_line = max(contours, key=len)
    assert abs(float(np.median(_radii(ring_line))) - 12) < 0.1  # 11 mm outer edge + 1 mm


def test_text_is_cut_around_with_the_offset(inputs_for: Inputs) -> None:
    layer = text("O", size_mm=20, x_mm=20, y_mm=5)
    doc = parse_design(design(layer))
    inputs = inputs_for({})
    [contour] = cut_contours(doc, spec(cut_line={"offset_mm": 1.5}), "front", inputs)
    ink = render_output("png", Request(doc, spec(), "front", inputs))
    alpha = np.asarray(Image.open(io.BytesIO(ink)))[..., 3] >= 128
    rows, cols = np.nonzero(alpha)
    px = 25.4 / 150
    left, right = cols.min() * px - 3, (cols.max() + 1) * px - 3
    xs = [x for x, _ in contour]
    assert abs(min(xs) - (left - 1.5)) < 0.2
    assert abs(max(xs) - (right + 1.5)) < 0.2


@pytest.mark.parametrize(
    ("cut", "box"),
    [
        ({"source": "shape", "offset_mm": 0}, (0, 0, 60, 40)),
        ({"source": "shape", "offset_mm": 1.5, "shape": "rect"}, (-1.5, -1.5, 61.5, 41.5)),
        ({"source": "shape", "offset_mm": 1, "shape": "ellipse"}, (-1, -1, 61, 41)),
        ({"source": "shape", "offset_mm": 0, "shape": "rounded", "corner_mm": 5}, (0, 0, 60, 40)),
    ],
)
def test_a_shape_cut_is_the_trim_grown_by_the_offset(
    inputs_for: Inputs, cut: dict[str, Any], box: tuple[float, ...]
) -> None:
    [contour] = cut_contours(parse_design(design()), spec(cut_line=cut), "front", inputs_for({}))

    xs, ys = [p[0] for p in contour], [p[1] for p in contour]
    assert (min(xs), min(ys), max(xs), max(ys)) == pytest.approx(box, abs=1e-6)
    if cut.get("shape") == "rounded":  # no point in the corner square beyond the 5 mm radius
        assert all(math.hypot(x - 5, y - 5) <= 5 + 1e-6 for x, y in contour if x < 5 and y < 5)


def test_nothing_printed_falls_back_to_the_trim_rectangle(inputs_for: Inputs) -> None:
    [contour] = cut_contours(parse_design(design()), spec(**CUT), "front", inputs_for({}))

    assert contour == ((-2, -2), (62, -2), (62, 42), (-2, 42))


# ---------------------------------------------------------------- the PDFs


def _cut_layer(pdf: bytes) -> tuple[pikepdf.Pdf, list[tuple[float, float]], dict[str, Any]]:
    """Checks the CutContour structure; returns the path's points in page points."""
    document = pikepdf.open(io.BytesIO(pdf))
    page = document.pages[0]
    [group] = document.Root.OCProperties.OCGs
    assert (group.Type, str(group.Name)) == ("/OCG", "CutContour")
    assert group.objgen in {o.objgen for o in document.Root.OCProperties.D.ON}
    resources = page.Resources
    spots = {
        str(k): v
        for k, v in resources.ColorSpace.items()
        if isinstance(v, pikepdf.Array) and v[0] == "/Separation"
    }
    [(cs_name, spot)] = spots.items()
    assert spot[1] == "/CutContour"
    assert spot[2] == "/DeviceCMYK"
    assert list(spot[3].C1) == [0, 1, 0, 0]  # the alternate: 100 % magenta
    state: dict[str, Any] = {}
    points: list[tuple[float, float]] = []
    in_layer = False
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BDC" and operands[0] == "/OC":
            assert resources.Properties[str(operands[1])].objgen == group.objgen
            in_layer = True
        elif op == "EMC":
            in_layer = False
        elif in_layer and op == "CS":
            state["cs"] = str(operands[0])
        elif in_layer and op == "gs":
            state["gs"] = resources.ExtGState[str(operands[0])]
        elif in_layer and op == "w":
            state["width"] = float(operands[0])
        elif in_layer and op in ("m", "l"):
            points.append((float(operands[0]), float(operands[1])))
        elif in_layer and op in ("S", "f", "B", "b", "s", "f*", "B*"):
            state.setdefault("paint", []).append(op)
    assert state["cs"] == cs_name
    assert state["width"] == 0.25
    assert state["paint"] == ["S"]  # stroked, never filled
    assert bool(state["gs"].OP)
    assert bool(state["gs"].op)
    return document, points, state


@pytest.mark.parametrize("make", [print_pdf, print_cmyk_pdf], ids=["rgb", "cmyk"])
def test_the_print_pdf_has_the_cut_line_as_a_cutcontour_spot_on_its_own_layer(
    inputs_for: Inputs, make: Callable[..., bytes]
) -> None:
    template = spec(**CUT)
    pdf = make(parse_design(design(CIRCLE)), template, "front", inputs_for({}))

    document, points, _ = _cut_layer(pdf)
    trim = [float(v) for v in document.pages[0].TrimBox]
    assert trim == pytest.approx(list(PageBoxes.for_area(template.area("front")).trim))
    mm = [((x - trim[0]) * MM_PER_POINT, (trim[3] - y) * MM_PER_POINT) for x, y in points]
    radii = _radii(mm)
    assert radii.min() > 11.9
    assert radii.max() < 12.1


def test_without_a_cut_line_the_pdf_has_no_layer_and_the_cut_formats_are_refused(
    inputs_for: Inputs,
) -> None:
    doc, inputs = parse_design(design(CIRCLE)), inputs_for({})

    pdf = pikepdf.open(io.BytesIO(print_pdf(doc, spec(), "front", inputs)))

    assert "/OCProperties" not in pdf.Root
    for name in ("cut-svg", "cut-dxf", "engrave-tiff", "engrave-svg"):
        with pytest.raises(DesignError, match="needs the template's"):
            render_output(name, Request(doc, spec(), "front", inputs))


# ---------------------------------------------------------------- SVG and DXF


def test_the_cut_svg_is_in_mm_with_closed_paths(inputs_for: Inputs) -> None:
    svg = render_output(
        "cut-svg", Request(parse_design(design(CIRCLE)), spec(**CUT), "front", inputs_for({}))
    )

    root = _xml(svg)
    assert (root.get("width"), root.get("height")) == ("66mm", "46mm")
    assert root.get("viewBox") == "-3 -3 66 46"
    [path] = root.iter(f"{SVG}path")
    d = path.get("d", "")
    assert d.startswith("M")
    assert d.endswith("Z")
    numbers = [float(n) for n in re.findall(r"-?\d+\.?\d*", d)]
    radii = _radii(list(zip(numbers[::2], numbers[1::2], strict=True)))
    assert radii.min() > 11.9
    assert radii.max() < 12.1


def test_the_cut_dxf_has_a_closed_polyline_of_the_right_size(inputs_for: Inputs) -> None:
    dxf = render_output(
        "cut-dxf", Request(parse_design(design(CIRCLE)), spec(**CUT), "front", inputs_for({}))
    )

    drawing = ezdxf.read(io.StringIO(dxf.decode("ascii")))
    [polyline] = drawing.modelspace().query("POLYLINE")
    assert polyline.is_closed
    assert polyline.dxf.layer == "CutContour"
    xy = np.array([(v.dxf.location.x, v.dxf.location.y) for v in polyline.vertices])
    # y up, the bleed box's bottom-left at 0,0: the disc's centre is at (3 + 30, 3 + 40 - 20)
    width, height = np.ptp(xy[:, 0]), np.ptp(xy[:, 1])
    assert width == pytest.approx(24, abs=0.15)
    assert height == pytest.approx(24, abs=0.15)
    centre = (xy.min(axis=0) + xy.max(axis=0)) / 2
    assert centre == pytest.approx((33, 23), abs=0.1)


# ---------------------------------------------------------------- engraving


def _tiff(inputs_for: Inputs, *layers: dict[str, Any], **engraving: Any) -> Image.Image:
    template = spec(engraving=engraving)
    data = render_output(
        "engrave-tiff", Request(parse_design(design(*layers)), template, "front", inputs_for({}))
    )
    return Image.open(io.BytesIO(data))


def test_the_engraving_tiff_is_one_bit_at_the_print_dpi(inputs_for: Inputs) -> None:
    image = _tiff(inputs_for, CIRCLE, method="threshold", threshold=200)

    assert image.mode == "1"
    assert image.info["compression"] == "group4"
    assert tuple(round(v) for v in image.info["dpi"]) == (150, 150)
    assert image.size == (390, 272)  # (60 + 6) x (40 + 6) mm at 150 dpi
    pixels = np.asarray(image)
    px = 150 / 25.4
    assert not pixels[round(23 * px), round(33 * px)]  # the disc's centre: burnt (black)
    assert pixels[round(5 * px), round(5 * px)]  # bare: white


def test_threshold_invert_and_dither_decide_what_burns(inputs_for: Inputs) -> None:
    grey = rect(-3, -3, 66, 46, fill="#808080")  # grey 128 over the whole print

    def black(**engraving: Any) -> float:
        return float(1 - np.asarray(_tiff(inputs_for, grey, **engraving)).mean())

    assert black(method="threshold", threshold=129) == 1.0
    assert black(method="threshold", threshold=128) == 0.0
    assert black(method="threshold", threshold=129, invert=True) == 0.0
    assert 0.4 < black(method="dither") < 0.6  # half the dots for half grey


def test_the_engraving_svg_has_text_as_outlines_on_request(inputs_for: Inputs) -> None:
    layers = (text("Ada", size_mm=10), {**CIRCLE, "fill": "#ffffff"})
    doc, inputs = parse_design(design(*layers)), inputs_for({})

    outlined = _xml(
        render_output(
            "engrave-svg", Request(doc, spec(engraving={"outline_text": True}), "front", inputs)
        )
    )
    live = _xml(
        render_output(
            "engrave-svg", Request(doc, spec(engraving={"outline_text": False}), "front", inputs)
        )
    )

    assert outlined.get("width") == "66mm"
    glyphs = list(outlined.iter(f"{SVG}path"))
    assert len(glyphs) == 3
    assert all(p.get("fill") == "#000000" for p in glyphs)
    assert not list(outlined.iter(f"{SVG}text"))
    [ellipse] = outlined.iter(f"{SVG}ellipse")
    assert ellipse.get("fill") == "#ffffff"  # white paint: not engraved
    letters = list(live.iter(f"{SVG}text"))
    assert "".join(t.text or "" for t in letters) == "Ada"
    assert {t.get("font-family") for t in letters} == {"Inter"}
    assert not list(live.iter(f"{SVG}path"))


def test_the_engraving_svg_has_clipart_as_vectors_and_pictures_as_one_bit(
    inputs_for: Inputs,
) -> None:
    clipart = {
        "type": "clipart",
        "src": "clipart:love/heart",
        "x_mm": 5,
        "y_mm": 5,
        "width_mm": 10,
        "height_mm": 10,
    }
    photo = {
        "type": "image",
        "src": "p.png",
        "x_mm": 30,
        "y_mm": 5,
        "width_mm": 20,
        "height_mm": 10,
    }
    doc = parse_design(design(clipart, photo))
    svg = render_output(
        "engrave-svg",
        Request(
            doc, spec(engraving={}), "front", inputs_for({"p.png": picture((40, 20), (0, 0, 0))})
        ),
    )

    root = _xml(svg)
    [group] = [g for g in root.iter(f"{SVG}g") if g.get("class") == "clipart"]
    assert list(group.iter(f"{SVG}path"))
    [image] = root.iter(f"{SVG}image")
    data = image.get("href", "").removeprefix("data:image/png;base64,")
    embedded = Image.open(io.BytesIO(base64.b64decode(data)))
    assert embedded.mode == "1"
    assert not np.asarray(embedded).any()  # a black photo: all burnt
    assert embedded.info["transparency"]  # where it does not burn it is clear


# ---------------------------------------------------------------- the settings


@pytest.mark.parametrize(
    ("settings", "path"),
    [
        ({"cut_line": {"offset_mm": -1}}, "template.cut_line.offset_mm"),
        ({"cut_line": {"offset_mm": 25}}, "template.cut_line.offset_mm"),
        ({"cut_line": {"source": "laser"}}, "template.cut_line.source"),
        ({"cut_line": {"shape": "star"}}, "template.cut_line.shape"),
        ({"cut_line": {"colour": "red"}}, "template.cut_line.colour"),
        ({"cut_line": "yes"}, "template.cut_line"),
        ({"engraving": {"threshold": 300}}, "template.engraving.threshold"),
        ({"engraving": {"method": "halftone"}}, "template.engraving.method"),
        ({"engraving": {"invert": "no"}}, "template.engraving.invert"),
    ],
)
def test_bad_settings_are_refused_with_their_path(settings: dict[str, Any], path: str) -> None:
    with pytest.raises(DesignError) as refused:
        spec(**settings)

    assert refused.value.path == path


# ---------------------------------------------------------------- tracing and the CLI


def test_pixels_touching_at_a_corner_trace_to_closed_outer_loops() -> None:
    mask = np.zeros((8, 8), dtype=bool)
    mask[2, 2] = mask[3, 3] = True  # a saddle between them
    mask[6, 6] = True

    loops = outer_loops(mask, 0.5)

    assert len(loops) == 2  # the diagonal pair joined (the saddle's centre is inside), the third
    for loop in loops:
        assert len(loop) >= 4
        assert np.all(np.hypot(*(np.roll(loop, -1, axis=0) - loop).T) < 1.5)  # no jumps: closed


def test_luneo_render_writes_the_cut_and_engraving_files(
    fonts: FontRegistry, tmp_path: Path
) -> None:
    @click.group()
    def cli() -> None:
        """A stand-in for the luneo group."""

    register_render_command(cli)
    (tmp_path / "design.json").write_text(json.dumps(design(CIRCLE)))
    area = {"key": "front", "width_mm": 60, "height_mm": 40, "dpi": 100, "bleed_mm": 3}
    settings = {"cut_line": {"offset_mm": 2}, "engraving": {"method": "dither"}}
    (tmp_path / "template.json").write_text(json.dumps({"print_areas": [area], **settings}))
    formats = "pdf,cut-svg,cut-dxf,engrave-tiff,engrave-svg"

    result = CliRunner().invoke(
        cli,
        ["render", str(tmp_path / "design.json"), "--template", str(tmp_path / "template.json")]
        + ["--out", str(tmp_path / "out"), "--format", formats],
    )

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "front-cut.dxf", "front-cut.svg", "front-engrave.svg", "front-engrave.tif", "front.pdf",
    ]  # fmt: skip


def test_the_cmyk_cut_pdf_stays_pdfx4_and_ghostscript_gives_the_cut_its_own_plate(
    inputs_for: Inputs, tmp_path: Path
) -> None:
    gs = shutil.which("gs")
    if gs is None:
        pytest.skip("gs is not installed: see scripts/ensure-print-tools (make print-tools)")
    doc = parse_design(design(CIRCLE, text("Cut", x_mm=45, y_mm=5, size_mm=6)))
    pdf = print_cmyk_pdf(doc, spec(**CUT), "front", inputs_for({}))
    assert pdfx_problems(pdf) == []
    (tmp_path / "in.pdf").write_bytes(pdf)

    subprocess.run(
        [gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep", "-r254"]
        + [f"-sOutputFile={tmp_path / 'sep.tif'}", str(tmp_path / "in.pdf")],
        check=True,
    )

    plate = np.asarray(Image.open(tmp_path / "sep(CutContour).tif").convert("L")) < 128
    rows, cols = np.nonzero(plate)  # 10 px per mm; the page starts 8 mm + 3 mm outside the trim
    radii = _radii(np.column_stack([cols / 10 - 11, rows / 10 - 11]))
    near = radii[radii < 16]  # the disc's line (the word has a line of its own further right)
    assert len(near) > 100
    assert near.min() > 11.5  # only the cut line is on this plate: nothing of the disc
    assert near.max() < 12.5
