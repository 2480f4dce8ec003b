"""A merchant's clipart (issue #21): SVGs made safe by an allow-list, attacks refused or
stripped, PNGs checked for print size."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from app.design import FontRegistry, RenderInputs, parse_design, print_pdf
from app.design.merchant_clipart import (
    MAX_SVG_ELEMENTS,
    ClipartRefused,
    check_png,
    sanitise_svg,
)
from app.design.svg_paths import vector_art

from .conftest import assets, design, template

HEART = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    b'<path d="M12 21 3 12a5 5 0 0 1 9-6 5 5 0 0 1 9 6z" fill="#dc2626"/></svg>'
)


def svg(body: str, root: str = 'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"') -> bytes:
    return f"<svg {root}>{body}</svg>".encode()


def test_a_plain_svg_is_kept_and_stays_simple_enough_for_outlines() -> None:
    clean = sanitise_svg(HEART)

    assert (clean.width, clean.height, clean.removed) == (24, 24, ())
    assert vector_art(clean.data) is not None


@pytest.mark.parametrize(
    ("body", "gone", "reported"),
    [
        ('<script>alert(1)</script><path d="M0 0h1v1z"/>', b"alert", "<script>"),
        ('<path d="M0 0h1v1z" onload="alert(1)" onclick="x()"/>', b"alert", "onload handler"),
        (
            '<image xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://evil.test/x.png"'
            ' width="5" height="5"/><path d="M0 0h1v1z"/>',
            b"evil.test",
            "a picture outside the file",
        ),
        (
            '<use xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://evil.test/a.svg#x"/>'
            '<path d="M0 0h1v1z"/>',
            b"evil.test",
            "a link outside the file",
        ),
        (
            '<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.test"/>'
            '</body></foreignObject><path d="M0 0h1v1z"/>',
            b"evil.test",
            "<foreignObject>",
        ),
        ('<path d="M0 0h1v1z" fill="url(https://evil.test/#g)"/>', b"evil.test", "outside"),
        (
            '<path d="M0 0h1v1z" style="fill:url(https://evil.test/a);stroke:#000"/>',
            b"evil.test",
            "outside",
        ),
        (
            '<image href="data:text/html;base64,PHNjcmlwdD4=" width="5" height="5"/>'
            '<path d="M0 0h1v1z"/>',
            b"text/html",
            "a picture outside the file",
        ),
        (
            '<style>@import url(https://evil.test/x.css)</style><path d="M0 0h1v1z"/>',
            b"evil",
            "<style>",
        ),
        (
            '<a href="https://evil.test"><path d="M0 0h1v1z"/></a><rect width="2" height="2"/>',
            b"evil",
            "<a>",
        ),
    ],
    ids=[
        "script",
        "handlers",
        "xlink-http-image",
        "use-outside",
        "foreignObject",
        "url-outside",
        "style-url",
        "data-html",
        "style-sheet",
        "link",
    ],
)
def test_what_could_run_or_reach_outside_is_stripped_and_reported(
    body: str, gone: bytes, reported: str
) -> None:
    clean = sanitise_svg(svg(body))

    assert gone not in clean.data
    assert any(reported in r for r in clean.removed), clean.removed
    assert b"<path" in clean.data or b"<rect" in clean.data


def test_a_local_use_a_gradient_and_an_embedded_png_are_kept() -> None:
    body = (
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient>'
        '<path id="p" d="M0 0h4v4z"/></defs><use href="#p" fill="url(#g)"/>'
        '<image href="data:image/png;base64,iVBORw0KGgo=" width="2" height="2"/>'
    )
    clean = sanitise_svg(svg(body))

    assert clean.removed == ()
    assert b'href="#p"' in clean.data
    assert b"url(#g)" in clean.data
    assert b"data:image/png" in clean.data


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><title>&xxe;</title></svg>',
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><title>&lol3;</title></svg>',
    ],
    ids=["xxe", "billion-laughs"],
)
def test_entities_are_refused_before_parsing(data: bytes) -> None:
    with pytest.raises(ClipartRefused, match="DOCTYPE or entities"):
        sanitise_svg(data)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"<svg", "could not be read"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "not an SVG"),
        (svg('<path d="M0 0h1v1z"/>', 'xmlns="http://www.w3.org/2000/svg"'), "no viewBox"),
        (svg("<script>x</script>"), "Nothing drawable"),
        (svg('<rect width="1" height="1"/>' * (MAX_SVG_ELEMENTS + 1)), "more than 5000"),
        (svg("x" * (1024 * 1024 + 1)), "larger than 1024 KB"),
    ],
    ids=["empty", "truncated", "html", "no-size", "nothing-left", "too-many", "too-big"],
)
def test_what_is_not_a_usable_svg_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(ClipartRefused, match=words):
        sanitise_svg(data)


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (200, 0, 0, 255)).save(out, "PNG")
    return out.getvalue()


def test_png_size_rule_refuses_small_warns_medium_and_keeps_large() -> None:
    with pytest.raises(ClipartRefused, match="at least 1000 pixels"):
        check_png(png((999, 400)))
    medium = check_png(png((1200, 800)))
    large = check_png(png((2400, 1000)))

    assert "about 10 cm" in medium.warnings[0]
    assert large.warnings == ()
    assert (large.width, large.height) == (2400, 1000)


def test_a_broken_png_is_refused() -> None:
    with pytest.raises(ClipartRefused):
        check_png(png((1200, 1200))[:300])
    with pytest.raises(ClipartRefused, match="not a PNG"):
        check_png(b"GIF89a....")


# ---------------------------------------------------------------- in print


def _print_page(data: bytes, fonts: FontRegistry) -> Any:
    ref = "clipart:shop-7/heart"
    layer = {"type": "clipart", "src": ref, "x_mm": 5, "y_mm": 5, "width_mm": 20, "height_mm": 20}
    inputs = RenderInputs(assets({ref: data}), fonts)
    pdf = print_pdf(parse_design(design(layer)), template(), "front", inputs)
    return PdfReader(io.BytesIO(pdf)).pages[0]


def test_a_simple_shop_svg_prints_as_outlines(fonts: FontRegistry) -> None:
    page = _print_page(sanitise_svg(HEART).data, fonts)

    assert list(page.images) == []
    assert b".862745 .14902 .14902 rg" in page.get_contents().get_data()  # #dc2626, filled


def test_a_richer_shop_svg_and_a_png_print_as_pictures(fonts: FontRegistry) -> None:
    gradient = sanitise_svg(
        svg(
            '<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/>'
            '<stop offset="1" stop-color="#00f"/></linearGradient></defs>'
            '<rect width="24" height="24" fill="url(#g)"/>'
        )
    )

    for data in (gradient.data, png((1200, 1200))):
        page = _print_page(data, fonts)
        assert len(list(page.images)) == 1
