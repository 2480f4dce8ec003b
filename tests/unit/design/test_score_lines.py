"""Issue #20: score (crease) lines of folded products, beside the cut line: a Crease spot colour
on its own layer in both print PDFs (open paths), a Crease group in the cut SVG, a Crease layer
of LINEs in the cut DXF; the cut files made for a scored-only template too."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import ezdxf
import numpy as np
import pikepdf
import pytest
from PIL import Image

from app.design import (
    DesignError,
    RenderInputs,
    Request,
    TemplateSpec,
    parse_design,
    print_cmyk_pdf,
    print_pdf,
    render_output,
)
from app.design.finishing import MAX_SCORE_LINES, score_lines_problems
from app.design.geometry import MM_PER_POINT
from app.design.outputs import FORMATS, wanted

from .conftest import design, rect, text
from .test_pdfx import pdfx_problems

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]
SVG = "{http://www.w3.org/2000/svg}"
FOLD = {"x1_mm": 30, "y1_mm": -3, "x2_mm": 30, "y2_mm": 43}  # a card folded down the middle
FLAP = {"x1_mm": 0, "y1_mm": 10, "x2_mm": 60, "y2_mm": 10}
SCORED = {"score_lines": [FOLD, FLAP]}
CUT = {"cut_line": {"source": "shape", "offset_mm": 0}}


def _xml(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(data)  # noqa: S314 (files these tests just made)


def spec(**settings: Any) -> TemplateSpec:
    area = {"key": "front", "width_mm": 60, "height_mm": 40, "dpi": 150, "bleed_mm": 3}
    return TemplateSpec.from_dict({"print_areas": [area], **settings})


def _layers(pdf: bytes) -> dict[str, dict[str, Any]]:
    """Each optional content group's drawing: its spot colour, paint ops and paths (page pt)."""
    document = pikepdf.open(io.BytesIO(pdf))
    page = document.pages[0]
    resources = page.Resources
    names = {g.objgen: str(g.Name) for g in document.Root.OCProperties.OCGs}
    on = {g.objgen for g in document.Root.OCProperties.D.ON}
    assert set(names) <= on  # every layer on in the default configuration
    layers: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BDC" and operands[0] == "/OC":
            name = names[resources.Properties[str(operands[1])].objgen]
            current = layers.setdefault(name, {"paths": [], "ops": []})
        elif op == "EMC":
            current = None
        elif current is None:
            continue
        elif op == "CS":
            spot = resources.ColorSpace[str(operands[0])]
            current["spot"] = [str(spot[0]), str(spot[1]), str(spot[2]), list(spot[3].C1)]
        elif op == "gs":
            state = resources.ExtGState[str(operands[0])]
            current["overprint"] = (bool(state.OP), bool(state.op))
        elif op == "w":
            current["width"] = float(operands[0])
        elif op == "m":
            current["paths"].append([(float(operands[0]), float(operands[1]))])
        elif op == "l":
            current["paths"][-1].append((float(operands[0]), float(operands[1])))
        else:
            current["ops"].append(op)
    layers["trim"] = {"box": [float(v) for v in page.TrimBox]}
    return layers


def _mm(trim: list[float], path: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [
        (round((x - trim[0]) * MM_PER_POINT, 2), round((trim[3] - y) * MM_PER_POINT, 2))
        for x, y in path
    ]


@pytest.mark.parametrize("make", [print_pdf, print_cmyk_pdf], ids=["rgb", "cmyk"])
@pytest.mark.parametrize("cut", [False, True], ids=["scored", "cut-and-scored"])
def test_the_print_pdf_has_the_score_lines_as_open_crease_paths_on_their_layer(
    inputs_for: Inputs, make: Callable[..., bytes], cut: bool
) -> None:
    template = spec(**SCORED, **(CUT if cut else {}))
    doc = parse_design(design(rect(5, 5, 20, 20), text("Fold", x_mm=35, y_mm=20, size_mm=6)))
    pdf = make(doc, template, "front", inputs_for({}))

    layers = _layers(pdf)
    assert set(layers) == ({"Crease", "CutContour", "trim"} if cut else {"Crease", "trim"})
    crease = layers["Crease"]
    # the alternate: 100 % cyan
    assert crease["spot"] == ["/Separation", "/Crease", "/DeviceCMYK", [1, 0, 0, 0]]
    assert crease["width"] == 0.25
    assert crease["overprint"] == (True, True)
    assert "h" not in crease["ops"]  # open paths: a crease is not a closed shape
    assert [op for op in crease["ops"] if op in ("S", "f", "B", "b", "s")] == ["S"]
    trim = layers["trim"]["box"]
    assert [_mm(trim, p) for p in crease["paths"]] == [
        [(30, -3), (30, 43)],
        [(0, 10), (60, 10)],
    ]
    if cut:
        assert "h" in layers["CutContour"]["ops"]  # the cut line stays closed
        assert layers["CutContour"]["spot"][1] == "/CutContour"
    if make is print_cmyk_pdf:
        assert pdfx_problems(pdf) == []


def test_the_cut_svg_and_dxf_carry_the_score_lines_of_a_scored_only_template(
    inputs_for: Inputs,
) -> None:
    template = spec(**SCORED)
    request = Request(parse_design(design()), template, "front", inputs_for({}))
    assert all(wanted(FORMATS[name], template) for name in ("cut-svg", "cut-dxf"))

    root = _xml(render_output("cut-svg", request))
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    assert set(groups) == {"Crease"}  # no empty cut group
    assert groups["Crease"].get("stroke") == "#00ffff"
    lines = [
        tuple(float(line.get(k, "nan")) for k in ("x1", "y1", "x2", "y2"))
        for line in groups["Crease"].iter(f"{SVG}line")
    ]
    assert lines == [(30, -3, 30, 43), (0, 10, 60, 10)]

    drawing = ezdxf.read(io.StringIO(render_output("cut-dxf", request).decode("ascii")))
    assert {layer.dxf.name for layer in drawing.layers} >= {"Crease", "CutContour"}
    found = [
        (e.dxf.layer, e.dxf.start.x, e.dxf.start.y, e.dxf.end.x, e.dxf.end.y)
        for e in drawing.modelspace().query("LINE")
    ]
    # y up, the bleed box's bottom-left at 0,0 (bleed 3 mm, height 46 mm)
    assert found == [("Crease", 33, 46, 33, 0), ("Crease", 3, 33, 63, 33)]
    assert not drawing.modelspace().query("POLYLINE")


def test_the_cut_files_carry_both_the_cut_and_the_score_lines(inputs_for: Inputs) -> None:
    request = Request(parse_design(design()), spec(**SCORED, **CUT), "front", inputs_for({}))

    root = _xml(render_output("cut-svg", request))
    ids = [g.get("id") for g in root.iter(f"{SVG}g")]
    assert ids == ["CutContour", "Crease"]
    drawing = ezdxf.read(io.StringIO(render_output("cut-dxf", request).decode("ascii")))
    assert len(drawing.modelspace().query("LINE")) == 2
    assert len(drawing.modelspace().query("POLYLINE")) == 1


def test_without_cut_or_score_lines_the_cut_formats_are_still_refused(inputs_for: Inputs) -> None:
    request = Request(parse_design(design()), spec(score_lines=[]), "front", inputs_for({}))

    with pytest.raises(DesignError, match="cut_line or score_lines"):
        render_output("cut-svg", request)


@pytest.mark.parametrize(
    ("raw", "problems"),
    [
        ([FOLD], {}),
        (None, {}),
        (
            "fold",
            {"score_lines": "Must be a list of lines (x1_mm, y1_mm, x2_mm, y2_mm), or empty."},
        ),
        ([{**FOLD, "x2_mm": "wide"}], {"score_lines[0].x2_mm"}),
        ([FLAP, {**FOLD, "y1_mm": None}], {"score_lines[1].y1_mm"}),
        ([{**FOLD, "colour": "red"}], {"score_lines[0].colour"}),
        ([{"x1_mm": 1, "y1_mm": 1, "x2_mm": 1, "y2_mm": 1}], {"score_lines[0].x2_mm"}),
        (["x"], {"score_lines[0]"}),
        ([FOLD] * (MAX_SCORE_LINES + 1), {"score_lines"}),
    ],
)
def test_score_line_problems_name_their_field(raw: Any, problems: Any) -> None:
    found = score_lines_problems(raw)

    if isinstance(problems, dict):
        assert found == problems
    else:
        assert set(found) == problems


def test_a_line_leaving_the_bleed_box_is_refused_with_its_field() -> None:
    with pytest.raises(DesignError) as refused:
        spec(score_lines=[FLAP, {**FOLD, "y2_mm": 44}])  # the bleed ends at 43 mm

    assert refused.value.path == "template.score_lines[1].y2_mm"


def test_ghostscript_gives_the_creases_their_own_plate(inputs_for: Inputs, tmp_path: Path) -> None:
    gs = shutil.which("gs")
    if gs is None:
        pytest.skip("gs is not installed: see scripts/ensure-print-tools (make print-tools)")
    doc = parse_design(design(rect(5, 5, 20, 20), text("Fold", x_mm=35, y_mm=20, size_mm=6)))
    (tmp_path / "in.pdf").write_bytes(
        print_cmyk_pdf(doc, spec(**SCORED, **CUT), "front", inputs_for({}))
    )

    subprocess.run(
        [gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep", "-r254"]
        + [f"-sOutputFile={tmp_path / 'sep.tif'}", str(tmp_path / "in.pdf")],
        check=True,
    )

    plate = np.asarray(Image.open(tmp_path / "sep(Crease).tif").convert("L")) < 128
    rows, cols = np.nonzero(plate)  # 10 px per mm; the page starts 8 mm + 3 mm outside the trim
    x_mm, y_mm = cols / 10 - 11, rows / 10 - 11
    on_fold = np.abs(x_mm - 30) < 0.3
    on_flap = np.abs(y_mm - 10) < 0.3
    assert on_fold.sum() > 300
    assert on_flap.sum() > 300
    assert np.all(on_fold | on_flap)  # nothing else on this plate: not the square, not the cut
    assert (tmp_path / "sep(CutContour).tif").exists()
