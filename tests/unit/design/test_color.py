"""CMYK output through a real ICC profile, and colour parsing."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

from PIL import Image, ImageCms

from app.design import RenderInputs, parse_design
from app.design.color import default_cmyk_profile, hex_rgb, profile_name
from app.design.outputs import Request, render_output

from .conftest import design, rect, template

Inputs = Callable[[Mapping[str, bytes]], RenderInputs]


def test_hex_colours() -> None:
    assert hex_rgb("#1f2937") == (31, 41, 55)
    assert hex_rgb("#fff") == (255, 255, 255)


def test_cmyk_tiff_has_profile_dpi_and_real_separations(inputs_for: Inputs) -> None:
    spec = template(width_mm=20, height_mm=10, dpi=200, bleed_mm=1)
    doc = parse_design(design(rect(0, 0, 10, 12, fill="#ff0000")))

    data = render_output("tiff", Request(doc, spec, "front", inputs_for({})))

    image = Image.open(io.BytesIO(data))
    assert image.mode == "CMYK"
    assert image.size == (round(22 * 200 / 25.4), round(12 * 200 / 25.4))
    assert [round(d) for d in image.info["dpi"]] == [200, 200]
    assert image.info["icc_profile"] == default_cmyk_profile()
    cyan, magenta, yellow, black = image.getpixel((20, 20))
    assert cyan < 20
    assert magenta > 200
    assert yellow > 200
    assert black < 20
    assert image.getpixel((150, 20)) == (0, 0, 0, 0)  # paper white: no ink


def test_the_default_cmyk_profile_is_a_real_public_domain_profile() -> None:
    profile = default_cmyk_profile()

    parsed = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    assert ImageCms.getProfileInfo(parsed)
    assert profile_name(profile) == "Chemical proof"
    assert "public domain" in ImageCms.getProfileCopyright(parsed)


def test_a_partner_profile_is_used_when_given(inputs_for: Inputs) -> None:
    partner = default_cmyk_profile()  # any CMYK profile's bytes; the built-in one will do
    spec = template(width_mm=10, height_mm=10, dpi=50, bleed_mm=0)

    data = render_output(
        "tiff", Request(parse_design(design()), spec, "front", inputs_for({}), cmyk_profile=partner)
    )

    assert Image.open(io.BytesIO(data)).info["icc_profile"] == partner
