"""The CMYK print PDF is PDF/X-4, checked with tools independent of the renderer: pikepdf (qpdf)
for the structure, ``qpdf --check``, poppler's ``pdffonts`` and Ghostscript rendering it back
through its own output intent for a colour comparison with the RGB print PNG."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pikepdf
import pypdf
import pytest
from PIL import Image, ImageCms
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.design import RenderInputs, parse_design, print_cmyk_pdf, print_pdf
from app.design.color import builtin_cmyk, profile_name, to_cmyk
from app.design.pdf import PageBoxes
from app.design.raster import print_png, render_print
from app.design.vips import blank, to_pil

from .conftest import design, rect, template, text
from .delta_e import ciede2000, lab

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]
SPEC = template(width_mm=60, height_mm=40, dpi=150, bleed_mm=3, background="#fdf6e3")
PHOTO = {"type": "image", "src": "p.png", "x_mm": 4, "y_mm": 24, "width_mm": 20, "height_mm": 12}
LAYERS = [
    rect(2, 2, 26, 18, fill="#1e40af"),
    {
        "type": "shape",
        "shape": "ellipse",
        "fill": "#f59e0b",
        "stroke": "#111827",
        "stroke_width_mm": 0.5,
        "x_mm": 32,
        "y_mm": 2,
        "width_mm": 24,
        "height_mm": 16,
        "opacity": 0.8,
    },
    text("Hello", font="Lora", color="#b91c1c", x_mm=28, y_mm=20, size_mm=9),
    text("Print", font="Pacifico", color="#047857", x_mm=28, y_mm=30, size_mm=7),
    text("Ink", font="Inter", color="#6b21a8", x_mm=6, y_mm=6, size_mm=6),
    {
        "type": "clipart",
        "src": "clipart:love/heart",
        "color": "#16a34a",
        "x_mm": 48,
        "y_mm": 26,
        "width_mm": 10,
        "height_mm": 10,
    },
    PHOTO,
]
SUBSET_TAG = re.compile(r"^/([A-Z]{6})\+")


def _photo() -> bytes:
    """A photo-like picture: smooth gradients through many hues."""
    y, x = np.mgrid[0:120, 0:200]
    pixels = np.stack([x * 255 // 199, y * 255 // 119, 255 - x * 255 // 199], axis=-1)
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def inputs(inputs_for: Inputs) -> RenderInputs:
    return inputs_for({"p.png": _photo()})


def _cmyk(inputs: RenderInputs, profile: bytes | None = None) -> bytes:
    return print_cmyk_pdf(parse_design(design(*LAYERS)), SPEC, "front", inputs, profile=profile)


def _operators(page: pikepdf.Page) -> set[str]:
    return {str(op) for _, op in pikepdf.parse_content_stream(page)}


def pdfx_problems(data: bytes) -> list[str]:
    """What keeps a file from being the PDF/X-4 print file Luneo promises (empty: none)."""
    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if float(pdf.pdf_version) < 1.6:
            problems.append(f"PDF {pdf.pdf_version} < 1.6")
        intents = pdf.Root.get("/OutputIntents")
        if not intents:
            problems.append("no /OutputIntents")
        elif intents[0].get("/S") != "/GTS_PDFX" or "/DestOutputProfile" not in intents[0]:
            problems.append("no GTS_PDFX output intent with a profile")
        if str(pdf.docinfo.get("/GTS_PDFXVersion", "")) != "PDF/X-4":
            problems.append("no /GTS_PDFXVersion in Info")
        if pdf.docinfo.get("/Trapped") != "/False":
            problems.append("/Trapped is not /False")
        with pdf.open_metadata() as xmp:
            if xmp.get("pdfxid:GTS_PDFXVersion") != "PDF/X-4":
                problems.append("no pdfxid:GTS_PDFXVersion in XMP")
        if "/ID" not in pdf.trailer:
            problems.append("no document ID")
        for page in pdf.pages:
            for box in ("/TrimBox", "/BleedBox"):
                if box not in page.obj:
                    problems.append(f"no {box}")
            if {"rg", "RG"} & _operators(page):
                problems.append("DeviceRGB colour in the content")
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/ColorSpace") == "/DeviceRGB":
                problems.append("a DeviceRGB image")
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
                descriptor = obj.get("/FontDescriptor")
                if descriptor is None or not {"/FontFile", "/FontFile2", "/FontFile3"} & set(
                    descriptor.keys()
                ):
                    problems.append(f"font {obj.get('/BaseFont')} not embedded")
    if not pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().strip():
        problems.append("no text: rasterised")
    return problems


def test_the_cmyk_pdf_is_pdfx4_with_a_fogra39_output_intent(inputs: RenderInputs) -> None:
    data = _cmyk(inputs)

    assert pdfx_problems(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert "ISO 12647-2" in str(intent.Info)
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        icc = profile.read_bytes()
        assert profile_name(icc).startswith("FOGRA39")
        assert ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.xcolor_space.strip() == "CMYK"
        with pdf.open_metadata() as xmp:
            assert xmp["pdf:Trapped"] == "False"
            assert xmp["dc:title"] == "Luneo print file: front"
            assert xmp["xmp:CreateDate"]
            assert xmp["xmpMM:DocumentID"].startswith("uuid:")
            assert xmp["pdf:Producer"] == str(pdf.docinfo.Producer)  # Info and XMP agree
            assert xmp["xmp:CreatorTool"] == str(pdf.docinfo.Creator)
        assert not {"/Author", "/Subject", "/Keywords"} & set(pdf.docinfo.keys())
        page = pdf.pages[0]
        boxes = PageBoxes.for_area(SPEC.area("front"))
        assert [float(v) for v in page.TrimBox] == pytest.approx(list(boxes.trim), abs=0.01)
        assert [float(v) for v in page.BleedBox] == pytest.approx(list(boxes.bleed), abs=0.01)
        assert page.Group.CS == "/DeviceCMYK"


def test_text_and_clipart_stay_vectors_in_cmyk(inputs: RenderInputs) -> None:
    data = _cmyk(inputs)

    reader = pypdf.PdfReader(io.BytesIO(data))
    letters = "".join(reader.pages[0].extract_text().split())  # placed glyph by glyph
    assert all(word in letters for word in ("Hello", "Print", "Ink")), letters
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        operators = _operators(page)
        assert {"Tj", "k", "K", "c"} <= operators  # text, CMYK fill and stroke, curves
        images = [pikepdf.PdfImage(x) for x in page.get_images().values()]
        # the one picture (clipart and text are not images), in CMYK at the print resolution
        assert [(i.colorspace, i.width, i.height) for i in images] == [
            ("/DeviceCMYK", round(20 * 150 / 25.4), round(12 * 150 / 25.4))
        ]
        contents = page.Contents.read_bytes()
    # #1e40af through FOGRA39 (relative colorimetric + BPC), exactly what color.ink gives
    assert re.search(rb"\n\.9\d+ \.7\d+ 0 0 k\n", contents), contents[:400]


def test_every_font_subset_has_its_own_tag_in_both_pdfs(inputs: RenderInputs) -> None:
    doc = parse_design(design(*LAYERS))
    for data in (print_pdf(doc, SPEC, "front", inputs), _cmyk(inputs)):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            fonts = [
                o
                for o in pdf.objects
                if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"
            ]
            names = [str(f.BaseFont) for f in fonts]
            tags = [m[1] for n in names if (m := SUBSET_TAG.match(n))]
            assert len(tags) == len(names) == 3, names
            assert len(set(tags)) == 3, names  # old: every one AAAAAA+
            assert all(str(f.FontDescriptor.FontName) == str(f.BaseFont) for f in fonts)
    # deterministic: the same design gives the same bytes, tags included
    assert _cmyk(inputs) == _cmyk(inputs)


def test_gracol_and_a_partners_own_profile_name_their_condition(inputs: RenderInputs) -> None:
    gracol = builtin_cmyk("gracol2006").icc
    chemical = bytes(
        blank(1, 1, (255, 255, 255, 255))
        .extract_band(0, n=3)
        .icc_transform("cmyk")
        .get("icc-profile-data")
    )  # libvips's own CMYK profile stands in for a partner's
    for icc, identifier, registry in (
        (gracol, "CGATS TR 006", "http://www.color.org"),
        (chemical, "Custom", ""),
    ):
        with pikepdf.open(io.BytesIO(_cmyk(inputs, icc))) as pdf:
            (intent,) = pdf.Root.OutputIntents
            assert str(intent.OutputConditionIdentifier) == identifier
            assert str(intent.RegistryName) == registry
            assert intent.DestOutputProfile.read_bytes() == icc


def test_the_old_raster_cmyk_pdf_fails_the_checks(inputs: RenderInputs) -> None:
    """What ``pdf-cmyk`` used to be: the CMYK raster on a plain page. The checks catch it."""
    raster = render_print(parse_design(design(*LAYERS)), SPEC, "front", inputs)
    out = io.BytesIO()
    boxes = PageBoxes.for_area(SPEC.area("front"))
    canvas = Canvas(out, pagesize=boxes.media[2:])
    canvas.setTrimBox(boxes.trim)
    canvas.setBleedBox(boxes.bleed)
    x0, y0, x1, y1 = boxes.bleed
    canvas.drawImage(ImageReader(to_pil(to_cmyk(raster))), x0, y0, x1 - x0, y1 - y0)
    canvas.showPage()
    canvas.save()

    problems = pdfx_problems(out.getvalue())

    assert "no /OutputIntents" in problems
    assert "no text: rasterised" in problems
    assert "no /GTS_PDFXVersion in Info" in problems


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed: see scripts/ensure-print-tools (make print-tools)")
    return path


def test_qpdf_and_poppler_find_nothing_wrong(inputs: RenderInputs, tmp_path: Path) -> None:
    path = tmp_path / "front-cmyk.pdf"
    path.write_bytes(_cmyk(inputs))

    check = subprocess.run(
        [_tool("qpdf"), "--check", str(path)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors" in check.stdout
    fonts = subprocess.run(
        [_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(fonts) == 3
    for line in fonts:  # name type encoding emb sub uni object ID
        name, *_, emb, sub, uni, _obj, _gen = line.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line
    assert len({line.split("+")[0] for line in fonts}) == 3
    words = subprocess.run(
        [_tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert all(word in "".join(words.split()) for word in ("Hello", "Print", "Ink")), words


@pytest.mark.parametrize("condition", ["fogra39", "gracol2006"])
def test_ghostscript_renders_it_back_close_to_the_rgb_print(
    condition: str, inputs: RenderInputs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ghostscript (an independent PDF interpreter) converts the CMYK page back to sRGB through
    the file's own output intent; the colours must stay close to the RGB print PNG's."""
    doc = parse_design(design(*LAYERS))
    path = tmp_path / "front-cmyk.pdf"
    path.write_bytes(_cmyk(inputs, builtin_cmyk(condition).icc))
    png = tmp_path / "back.png"
    subprocess.run(
        [_tool("gs"), "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=png16m", "-r150",
         "-dUseBleedBox", "-dUsePDFX3Profile", "-dBlackPtComp=1", f"-sOutputFile={png}", str(path)],
        check=True,
    )  # fmt: skip
    back = np.asarray(Image.open(png).convert("RGB"))
    with Image.open(io.BytesIO(print_png(doc, SPEC, "front", inputs))) as rgb:
        printed = np.asarray(rgb.convert("RGB"))
    assert back.shape == printed.shape

    delta = ciede2000(lab(printed), lab(back))
    delta76 = np.linalg.norm(lab(printed) - lab(back), axis=-1)
    figures = (
        f"ΔE2000 mean {delta.mean():.2f} p95 {np.percentile(delta, 95):.2f}; "
        f"ΔE76 mean {delta76.mean():.2f} p95 {np.percentile(delta76, 95):.2f} "
        f"(CMYK PDF via Ghostscript vs RGB print PNG, {condition})"
    )
    with capsys.disabled():  # the figures in every run's output, not only on failure
        sys.stdout.write(f"\n{figures}\n")
    # Saturated sRGB blues and oranges lie outside the press gamut and clip: the page as a whole
    # stays within a few units (in-gamut colours: test_color's round trip, under 1.5 on average).
    assert delta.mean() < 4.5, figures
    assert np.percentile(delta, 95) < 10, figures
