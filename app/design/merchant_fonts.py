"""A merchant's own font file: checked once on upload, then drawn like a curated family.

``check_font`` reads the bytes with fontTools and refuses what the print could not use: not a
font (or a damaged one), a licence that forbids embedding (OS/2 ``fsType`` bit 0x0002,
*restricted licence*, or 0x0200, *bitmap embedding only*), no outlines (a bitmap-only font),
PostScript (CFF) outlines (the PDF writer embeds TrueType outlines only: such a font is refused
with the advice to upload its TTF), no glyph for some basic Latin letter, or more than
``MAX_FONT_BYTES``. WOFF and WOFF2 are unpacked. A font that passes comes back as the TrueType
bytes the renderer and the PDF embed, the WOFF2 bytes the widget loads, and what it says about
itself (family name, weight, italic).

The check ends by loading the font into reportlab exactly as ``pdf.py`` will, so a file that
passes here embeds in a print PDF.
"""

from __future__ import annotations

import io
import string
from dataclasses import dataclass

from fontTools.ttLib import TTFont, TTLibError  # type: ignore[import-untyped]

MAX_FONT_BYTES = 10 * 1024 * 1024  # 10 MB: a full family's face is far smaller
MAX_GLYPHS = 65_535
# fsType bits (OpenType OS/2): 0x0002 restricted licence (no embedding at all), 0x0200 bitmap
# embedding only, 0x0100 no subsetting (the PDF writer always embeds a subset): all refused.
# Installable (0), preview & print (0x0004) and editable (0x0008) allow embedding in a print PDF.
FS_RESTRICTED = 0x0002
FS_NO_SUBSETTING = 0x0100
FS_BITMAP_ONLY = 0x0200
LATIN_LETTERS = string.ascii_letters
FAMILY_NAME_MAX = 60


class FontRefused(ValueError):
    """Why a file cannot be used as a font; ``message`` is for the merchant."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFont:
    family: str  # the name the font gives itself (typographic family, else family)
    weight: int  # OS/2 usWeightClass, 100..900
    italic: bool
    glyphs: int
    ttf: bytes  # TrueType (sfnt) bytes: what the renderer reads and the PDF embeds
    woff2: bytes  # the same font compressed for browsers
    source_format: str  # "ttf", "otf", "woff", "woff2"


_SIGNATURES = {
    b"\x00\x01\x00\x00": "ttf",
    b"true": "ttf",
    b"OTTO": "otf",
    b"wOFF": "woff",
    b"wOF2": "woff2",
}


def check_font(data: bytes) -> CheckedFont:
    """The font in ``data`` ready for print and web, or FontRefused saying why not."""
    if not data:
        raise FontRefused("The file is empty.")
    if len(data) > MAX_FONT_BYTES:
        raise FontRefused(f"The file is larger than {MAX_FONT_BYTES // (1024 * 1024)} MB.")
    source = _SIGNATURES.get(data[:4])
    if source is None:
        raise FontRefused("This is not a TTF, OTF, WOFF or WOFF2 font file.")
    font = _parse(data)
    try:
        return _checked(font, source)
    finally:
        font.close()


def _parse(data: bytes) -> TTFont:
    try:
        font = TTFont(io.BytesIO(data), lazy=False, recalcBBoxes=False, recalcTimestamp=False)
        # Decompile every table now: a truncated or damaged file fails here, not at print time.
        for tag in font.keys():  # noqa: SIM118 (TTFont is not iterable)
            font[tag]  # noqa: B018 (reading the table is the check)
    except (TTLibError, AssertionError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise FontRefused(f"The font file is damaged or incomplete ({_short(exc)}).") from None
    except Exception as exc:  # fontTools raises plain struct/zlib/brotli errors on garbage
        raise FontRefused(f"The font file could not be read ({_short(exc)}).") from None
    return font


def _checked(font: TTFont, source: str) -> CheckedFont:
    if "OS/2" not in font:
        raise FontRefused(
            "The font has no OS/2 table, so its licence for embedding cannot be checked."
        )
    os2 = font["OS/2"]
    fs_type = int(getattr(os2, "fsType", 0))
    if fs_type & FS_RESTRICTED:
        raise FontRefused(
            "The font's licence flags forbid embedding it in files (restricted licence), "
            "so it cannot be printed. Ask its foundry for a version that allows embedding."
        )
    if fs_type & FS_BITMAP_ONLY:
        raise FontRefused("The font's licence flags allow embedding bitmaps only, not outlines.")
    if fs_type & FS_NO_SUBSETTING:
        raise FontRefused("The font's licence flags forbid subsetting it, which print files need.")
    if "CFF " in font or "CFF2" in font:
        raise FontRefused(
            "This font has PostScript (CFF) outlines, which print files cannot embed yet. "
            "Upload the TrueType (.ttf) version of the font."
        )
    if "glyf" not in font or "loca" not in font:
        raise FontRefused("The font has no outlines (a bitmap-only font cannot be printed).")
    glyphs = len(font.getGlyphOrder())
    if glyphs > MAX_GLYPHS:
        raise FontRefused("The font has too many glyphs.")
    cmap = font.getBestCmap() or {}
    missing = [c for c in LATIN_LETTERS if ord(c) not in cmap]
    if missing:
        raise FontRefused(
            "The font has no glyph for some Latin letters ("
            + "".join(missing[:10])
            + ("…" if len(missing) > 10 else "")
            + "), so most text could not be printed with it."
        )
    ttf = _save(font, None)
    _embeds(ttf)
    return CheckedFont(
        family=_family_name(font),
        weight=max(100, min(900, int(getattr(os2, "usWeightClass", 400) or 400))),
        italic=bool(int(getattr(os2, "fsSelection", 0)) & 0x01),
        glyphs=glyphs,
        ttf=ttf,
        woff2=_save(font, "woff2"),
        source_format=source,
    )


def _save(font: TTFont, flavor: str | None) -> bytes:
    font.flavor = flavor
    out = io.BytesIO()
    try:
        font.save(out, reorderTables=False)
    except Exception as exc:
        raise FontRefused(f"The font could not be converted ({_short(exc)}).") from None
    return out.getvalue()


def _embeds(ttf: bytes) -> None:
    """Load it as the PDF writer will: reportlab checks the tables and the embedding rights."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

    try:
        TTFontFile(io.BytesIO(ttf), validate=1)
    except (TTFError, Exception) as exc:  # reportlab raises plain errors on odd tables too
        raise FontRefused(f"The font cannot be embedded in a print file ({_short(exc)}).") from None


def _family_name(font: TTFont) -> str:
    names = font.get("name")
    for name_id in (16, 1):
        record = names.getDebugName(name_id) if names is not None else None
        if record and record.strip():
            return " ".join(record.split())[:FAMILY_NAME_MAX]
    return ""


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:120]
