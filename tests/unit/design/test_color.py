"""CMYK output through real press characterisations (FOGRA39, GRACoL 2006), and colour parsing."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import numpy as np
import pytest
from PIL import Image, ImageCms

from app.design import RenderInputs, parse_design
from app.design.color import (
    BUILTIN_CMYK,
    builtin_cmyk,
    cmyk_profile_problem,
    default_cmyk_profile,
    hex_rgb,
    profile_name,
    srgb_profile,
)
from app.design.outputs import Request, render_output
from app.design.vips import blank

from .conftest import design, rect, template
from .delta_e import ciede2000, lab

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


def test_the_default_cmyk_profile_is_fogra39_built_from_freely_licensed_data() -> None:
    profile = default_cmyk_profile()

    parsed = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    assert profile == builtin_cmyk("fogra39").icc
    assert profile_name(profile).startswith("FOGRA39 (ISO 12647-2")
    assert "zlib licence" in ImageCms.getProfileCopyright(parsed)
    assert cmyk_profile_problem(profile) is None
    assert builtin_cmyk("fogra39").identifier == "FOGRA39"


@pytest.mark.parametrize("name", list(BUILTIN_CMYK))
def test_the_built_in_profiles_reproduce_printable_colours(name: str) -> None:
    """sRGB -> CMYK -> sRGB twice (relative colorimetric + BPC, as the outputs convert): the
    second trip starts from colours the press can print, so what is lost is the profile's own
    error (medium-quality tables)."""
    srgb = ImageCms.ImageCmsProfile(io.BytesIO(srgb_profile()))
    press = ImageCms.ImageCmsProfile(io.BytesIO(builtin_cmyk(name).icc))
    flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
    relative = ImageCms.Intent.RELATIVE_COLORIMETRIC
    forth = ImageCms.buildTransform(srgb, press, "RGB", "CMYK", relative, flags=flags)
    back = ImageCms.buildTransform(press, srgb, "CMYK", "RGB", relative, flags=flags)
    colours = np.random.default_rng(7).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    printable = np.asarray(back.apply(forth.apply(Image.fromarray(colours))))

    again = np.asarray(back.apply(forth.apply(Image.fromarray(printable))))

    delta = ciede2000(lab(printable), lab(again))
    assert delta.mean() < 1.5
    assert np.percentile(delta, 95) < 3


def test_only_a_cmyk_output_profile_is_a_print_condition() -> None:
    assert cmyk_profile_problem(b"not a profile") == "not an ICC profile"
    assert "not a CMYK output profile" in (cmyk_profile_problem(srgb_profile()) or "")


def test_a_partner_profile_is_used_when_given(inputs_for: Inputs) -> None:
    # libvips's own CMYK profile stands in for a partner's
    partner = bytes(
        blank(1, 1, (255, 255, 255, 255))
        .extract_band(0, n=3)
        .icc_transform("cmyk")
        .get("icc-profile-data")
    )
    spec = template(width_mm=10, height_mm=10, dpi=50, bleed_mm=0)

    data = render_output(
        "tiff", Request(parse_design(design()), spec, "front", inputs_for({}), cmyk_profile=partner)
    )

    assert Image.open(io.BytesIO(data)).info["icc_profile"] == partner


def test_ciede2000_matches_sharmas_published_pairs() -> None:
    pairs = np.array(
        [
            [[50, 2.6772, -79.7751], [50, 0, -82.7485]],
            [[50, -1.3802, -84.2814], [50, 0, -82.7485]],
            [[50, 2.5, 0], [73, 25, -18]],
            [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387]],
        ]
    )
    expected = [2.0425, 1.0000, 27.1492, 1.2644]
    assert ciede2000(pairs[:, 0], pairs[:, 1]) == pytest.approx(expected, abs=1e-4)
