"""Print renders stream (issue #20): a print-size picture and the canvas stay lazy libvips
pipelines until the file is written; nothing copies them whole into memory or into Pillow."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf
import pypdf
import pytest
import pyvips  # type: ignore[import-untyped]
from PIL import Image

from app.design import RenderInputs, TemplateSpec, parse_design, render_print
from app.design.color import default_cmyk_profile
from app.design.outputs import Request, render_output, write_output
from app.design.vips import SETTLE_MAX_PIXELS

from .conftest import design, picture, template
from .test_pdfx import pdfx_problems

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]
# 190 x 160 mm at 300 dpi: 2244 x 1890 px, over SETTLE_MAX_PIXELS (a print-size picture)
SPEC = template(width_mm=190, height_mm=160, dpi=300, bleed_mm=0)
PHOTO = {"type": "image", "src": "p.jpg", "x_mm": 0, "y_mm": 0, "width_mm": 190, "height_mm": 160}


@pytest.fixture
def whole_copies(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every print-size image copied whole into memory (copy_memory, write_to_memory)."""
    copies: list[tuple[str, int]] = []
    for name in ("copy_memory", "write_to_memory"):
        original = getattr(pyvips.Image, name)

        def spy(self: Any, *args: Any, _name: str = name, _original: Any = original) -> Any:
            if self.width * self.height > SETTLE_MAX_PIXELS:
                copies.append((_name, self.width * self.height))
            return _original(self, *args)

        monkeypatch.setattr(pyvips.Image, name, spy)
    return copies


def _request(inputs_for: Inputs, profile: bytes | None = None) -> Request:
    doc = parse_design(design(PHOTO))
    photo = picture((2400, 2000), (200, 40, 10), fmt="JPEG")
    return Request(doc, SPEC, "front", inputs_for({"p.jpg": photo}), cmyk_profile=profile)


def test_the_print_raster_is_lazy_until_written(
    inputs_for: Inputs, whole_copies: list[tuple[str, int]], tmp_path: Path
) -> None:
    request = _request(inputs_for)
    raster = render_print(request.design, SPEC, "front", request.inputs)
    assert (raster.width, raster.height) == (2244, 1890)

    write_output("png", request, tmp_path / "front.png")

    assert whole_copies == []
    with Image.open(tmp_path / "front.png") as image:
        assert image.size == (2244, 1890)
        assert image.getpixel((1000, 900))[:3] == pytest.approx((200, 40, 10), abs=3)


@pytest.mark.parametrize("profile", [None, "given"])
def test_the_cmyk_tiff_streams_with_any_profile(
    inputs_for: Inputs, whole_copies: list[tuple[str, int]], profile: str | None
) -> None:
    icc = default_cmyk_profile() if profile else None

    data = render_output("tiff", _request(inputs_for, icc))

    assert whole_copies == []
    with Image.open(io.BytesIO(data)) as image:
        assert (image.mode, image.size) == ("CMYK", (2244, 1890))


@pytest.mark.parametrize("fmt", ["pdf", "pdf-cmyk"])
def test_pdf_pictures_are_written_without_a_whole_copy(
    inputs_for: Inputs, whole_copies: list[tuple[str, int]], fmt: str
) -> None:
    data = render_output(fmt, _request(inputs_for))

    assert whole_copies == []
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    (xobject,) = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert (int(xobject["/Width"]), int(xobject["/Height"])) == (2244, 1890)
    (picture_,) = page.images
    pixels = np.asarray(picture_.image)
    if fmt == "pdf":
        assert pixels[900, 1000][:3].tolist() == pytest.approx([200, 40, 10], abs=3)
        assert int(xobject["/SMask"]["/Width"]) == 2244
    else:  # the Paint's CMYK picture: DeviceCMYK through FOGRA39, alpha as the soft mask
        assert xobject["/ColorSpace"] == "/DeviceCMYK"
        assert int(xobject["/SMask"]["/Width"]) == 2244


@pytest.mark.parametrize("fmt", ["pdf", "pdf-cmyk"])
def test_a_streamed_pdf_file_is_finished_as_the_bytes_are(
    inputs_for: Inputs, tmp_path: Path, fmt: str
) -> None:
    """Written to a file, the PDF still gets the cut layer and pdfx.finish_pdf (PDF/X-4 for
    CMYK), and its cross-reference table points at every object once the pictures' streams are
    spliced in."""
    area = {"key": "front", "width_mm": 190, "height_mm": 160, "dpi": 300, "bleed_mm": 0}
    cut = {"source": "shape", "shape": "ellipse", "offset_mm": 1}
    cut_spec = TemplateSpec.from_dict({"print_areas": [area], "cut_line": cut})
    plain = _request(inputs_for)
    request = Request(plain.design, cut_spec, "front", plain.inputs)
    write_output(fmt, request, tmp_path / "out.pdf")
    data = (tmp_path / "out.pdf").read_bytes()

    assert data == render_output(fmt, request)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    for number in reader.xref[0]:  # each object where the table says (strict: checked)
        assert reader.get_object(number) is not None
    (picture_,) = reader.pages[0].images
    assert picture_.image.size == (2244, 1890)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert [str(g.Name) for g in pdf.Root.OCProperties.OCGs] == ["CutContour"]
    problems = [p for p in pdfx_problems(data) if not p.startswith("no text")]  # a photo only
    assert (problems == []) is (fmt == "pdf-cmyk")
