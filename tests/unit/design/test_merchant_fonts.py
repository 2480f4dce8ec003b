"""A merchant's own font (issue #21): what the upload check refuses, and that a template's shop
font is drawn and embedded in the print PDF like a curated one."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from app.design import RenderInputs, parse_design, print_pdf, render_print
from app.design.fonts import BUILD_DIR, FontRegistry, ShopFontFile, registry_for
from app.design.merchant_fonts import MAX_FONT_BYTES, FontRefused, check_font

from .conftest import assets, design, template, text

LOBSTER = BUILD_DIR / "lobster" / "lobster-latin-400-normal.ttf"
INTER = BUILD_DIR / "inter" / "inter-latin-400-normal.ttf"


def edited(path: Path, change: object) -> bytes:
    """The font at ``path`` with ``change(font)`` applied, as TTF bytes."""
    font = TTFont(str(path))
    change(font)  # type: ignore[operator]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def woff2(path: Path) -> bytes:
    font = TTFont(str(path))
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def test_a_ttf_and_a_woff2_pass_and_come_back_as_print_and_web_files() -> None:
    plain = check_font(LOBSTER.read_bytes())
    packed = check_font(woff2(LOBSTER))

    assert (plain.family, plain.weight, plain.italic) == ("Lobster", 400, False)
    assert plain.ttf[:4] == b"\x00\x01\x00\x00"
    assert plain.woff2[:4] == b"wOF2"
    assert packed.source_format == "woff2"
    assert packed.ttf[:4] == b"\x00\x01\x00\x00"


def _fs_type(value: int) -> object:
    def change(font: TTFont) -> None:
        font["OS/2"].fsType = value

    return change


@pytest.mark.parametrize(
    ("fs_type", "words"),
    [(0x0002, "restricted licence"), (0x0200, "bitmaps only"), (0x0100, "subsetting")],
)
def test_licence_flags_that_forbid_embedding_are_refused(fs_type: int, words: str) -> None:
    with pytest.raises(FontRefused, match=words):
        check_font(edited(LOBSTER, _fs_type(fs_type)))


def test_print_and_preview_embedding_flags_are_allowed() -> None:
    assert check_font(edited(LOBSTER, _fs_type(0x0004))).family == "Lobster"


def test_a_font_without_latin_letters_is_refused() -> None:
    def drop_q(font: TTFont) -> None:
        for table in font["cmap"].tables:
            table.cmap.pop(ord("q"), None)

    with pytest.raises(FontRefused, match=r"Latin letters \(q\)"):
        check_font(edited(LOBSTER, drop_q))


def test_a_bitmap_only_font_is_refused() -> None:
    def no_outlines(font: TTFont) -> None:
        del font["glyf"]
        del font["loca"]

    with pytest.raises(FontRefused, match="no outlines"):
        check_font(edited(LOBSTER, no_outlines))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"GIF89a not a font at all", "not a TTF"),
        (LOBSTER.read_bytes()[:5000], "damaged|could not be read"),
        (b"\x00\x01\x00\x00" + b"\xff" * 400, "damaged|could not be read"),
        (b"\x00\x01\x00\x00" + b"\x00" * MAX_FONT_BYTES, "larger than 10 MB"),
    ],
    ids=["empty", "garbage", "truncated", "bad-tables", "huge"],
)
def test_what_is_not_a_whole_font_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(FontRefused, match=words):
        check_font(data)


def _shop_font(tmp_path: Path) -> ShopFontFile:
    """Lobster's glyphs as a merchant's "Brand Script", in a file named like the cache's."""
    path = tmp_path / "0f0e0d.ttf"
    path.write_bytes(check_font(LOBSTER.read_bytes()).ttf)
    return ShopFontFile("Brand Script", path)


def test_the_registry_adds_a_templates_shop_fonts_and_never_replaces_a_curated_one(
    tmp_path: Path, fonts: FontRegistry
) -> None:
    shop = _shop_font(tmp_path)
    imposter = ShopFontFile("Inter", shop.path)
    registry = registry_for((shop, imposter), fonts)

    assert registry.face("Brand Script").files[0].path == shop.path
    assert registry.face("Brand Script").file_index("é") == 0
    assert registry.face("Inter").files[0].path != shop.path
    assert not fonts.has("Brand Script")  # the base registry is left as it was


def test_a_pdf_drawn_with_a_shop_font_embeds_it(tmp_path: Path, fonts: FontRegistry) -> None:
    shop = _shop_font(tmp_path)
    spec = dataclasses.replace(template(), shop_fonts=(shop,))
    doc = parse_design(design(text("Hello Brand", font="Brand Script")))
    inputs = RenderInputs(assets({}), fonts).for_template(spec)

    pdf = pikepdf.open(io.BytesIO(print_pdf(doc, spec, "front", inputs)))

    page_fonts = pdf.pages[0].Resources.Font
    embedded = {}
    for name in page_fonts.keys():  # noqa: SIM118 (pikepdf dictionaries)
        font = page_fonts[name]
        embedded[str(font.BaseFont).split("+")[-1]] = "/FontFile2" in font.FontDescriptor
    drawn = [name for name in embedded if name.startswith("Lobster-Regular")]
    assert drawn, embedded
    assert all(embedded[name] for name in drawn)
    assert render_print(doc, spec, "front", inputs).width > 0


def test_without_the_spec_the_shop_font_is_unknown(fonts: FontRegistry) -> None:
    doc = parse_design(design(text("Hello", font="Brand Script")))

    with pytest.raises(Exception, match="Brand Script|font"):
        print_pdf(doc, template(), "front", RenderInputs(assets({}), fonts))
