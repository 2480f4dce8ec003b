"""The curated font families and where their files are on this machine.

The files come from npm's ``@fontsource/*`` packages (the same files the storefront widget can
serve, so the browser preview and the print use one set of glyphs). ``scripts/install-assets``
installs them and writes ``build/manifest.json``: per face, one TTF per unicode subset (as
Fontsource splits them) plus each file's character coverage. Text picks, per character, the
first subset file that has it, exactly as the browser does with the CSS ``unicode-range``s.
"""

from __future__ import annotations

import bisect
import json
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont, features

from app.design.errors import FontsNotInstalled

FONTS_DIR = Path(__file__).parent / "fonts"
BUILD_DIR = FONTS_DIR / "build"
MANIFEST = "manifest.json"
# Where the glyph advances are measured: large enough that hinting rounds nothing that matters.
REFERENCE_PX = 1000


@dataclass(frozen=True)
class Family:
    name: str  # the id stored in templates and design documents
    package: str  # @fontsource/<package>
    category: str
    licence: str


FAMILIES: tuple[Family, ...] = (
    Family("Inter", "inter", "sans", "OFL-1.1"),
    Family("Roboto", "roboto", "sans", "Apache-2.0"),
    Family("Open Sans", "open-sans", "sans", "OFL-1.1"),
    Family("Montserrat", "montserrat", "sans", "OFL-1.1"),
    Family("Oswald", "oswald", "sans", "OFL-1.1"),
    Family("Lora", "lora", "serif", "OFL-1.1"),
    Family("Merriweather", "merriweather", "serif", "OFL-1.1"),
    Family("Playfair Display", "playfair-display", "serif", "OFL-1.1"),
    Family("Roboto Slab", "roboto-slab", "serif", "OFL-1.1"),
    Family("Bebas Neue", "bebas-neue", "display", "OFL-1.1"),
    Family("Lobster", "lobster", "display", "OFL-1.1"),
    Family("Pacifico", "pacifico", "handwriting", "OFL-1.1"),
    Family("Caveat", "caveat", "handwriting", "OFL-1.1"),
    Family("Dancing Script", "dancing-script", "handwriting", "OFL-1.1"),
    Family("Roboto Mono", "roboto-mono", "mono", "OFL-1.1"),
)
# The faces installed per family (where the family has them): regular, bold and their italics.
WEIGHTS = (400, 700)
STYLES = ("normal", "italic")


class UnknownFont(LookupError):
    pass


@dataclass(frozen=True)
class ShopFontFile:
    """A merchant's own font (``app.design.merchant_fonts`` checked it on upload), resolved by
    the service that builds the template spec to a TrueType file on this machine: the render
    core reads files, never the database or storage."""

    family: str  # the id templates and design documents name, unique within its shop
    path: Path
    weight: int = 400
    style: str = "normal"


@dataclass(frozen=True)
class SubsetFile:
    path: Path
    ranges: tuple[tuple[int, int], ...]  # sorted, inclusive codepoint ranges

    def covers(self, codepoint: int) -> bool:
        i = bisect.bisect_right(self.ranges, (codepoint, 0x10FFFF)) - 1
        return i >= 0 and self.ranges[i][0] <= codepoint <= self.ranges[i][1]


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    style: str
    files: tuple[SubsetFile, ...]
    ascent: float  # em fractions, from the primary file's metrics (as FreeType reads them)
    descent: float

    def file_index(self, char: str) -> int | None:
        """The first subset file that has this character; None when no file has it."""
        code = ord(char)
        return next((i for i, f in enumerate(self.files) if f.covers(code)), None)

    def pil(self, index: int, size_px: float) -> ImageFont.FreeTypeFont:
        return pil_font(str(self.files[index].path), round(size_px, 3))


class FontRegistry:
    """Family id + weight/style -> a Face; CSS-like nearest-weight matching within a family."""

    def __init__(self, faces: list[Face]) -> None:
        self._faces: dict[str, list[Face]] = {}
        for face in faces:
            self._faces.setdefault(face.family, []).append(face)

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(self._faces)

    def has(self, family: str) -> bool:
        return family in self._faces

    def face(self, family: str, weight: int = 400, style: str = "normal") -> Face:
        faces = self._faces.get(family)
        if not faces:
            raise UnknownFont(family)
        return min(faces, key=lambda f: (f.style != style, abs(f.weight - weight), f.weight))

    def with_shop_fonts(self, files: tuple[ShopFontFile, ...]) -> FontRegistry:
        """This registry plus a shop's own fonts (each one face, one file covering what its
        cmap has). A shop font never replaces a curated family of the same name."""
        extra = [shop_face(f) for f in files if f.family not in self._faces]
        if not extra:
            return self
        return FontRegistry([face for faces in self._faces.values() for face in faces] + extra)

    @classmethod
    def load(cls, directory: Path | None = None) -> FontRegistry:
        where = directory or Path(os.environ.get("LUNEO_FONTS_DIR", BUILD_DIR))
        manifest = where / MANIFEST
        if not manifest.is_file():
            raise FontsNotInstalled(str(where))
        data = json.loads(manifest.read_text(encoding="utf-8"))
        faces = [_face(where, raw) for raw in data["faces"]]
        missing = [str(f.path) for face in faces for f in face.files if not f.path.is_file()]
        if missing:
            raise FontsNotInstalled(f"{where} (missing {missing[0]})")
        return cls(faces)


def _face(where: Path, raw: dict[str, Any]) -> Face:
    files = tuple(
        SubsetFile(where / f["path"], tuple((int(a), int(b)) for a, b in f["ranges"]))
        for f in raw["files"]
    )
    return Face(
        raw["family"], int(raw["weight"]), raw["style"], files, raw["ascent"], raw["descent"]
    )


@cache
def default_registry() -> FontRegistry:
    return FontRegistry.load()


@lru_cache(maxsize=256)
def shop_face(file: ShopFontFile) -> Face:
    """A shop font's one face: coverage from its cmap, ascent/descent from hhea (as the curated
    build records them, ``font_build.py``)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(str(file.path), lazy=True) as font:
        upem = font["head"].unitsPerEm
        hhea = font["hhea"]
        ranges: list[tuple[int, int]] = []
        for code in sorted(font.getBestCmap() or {}):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
        ascent, descent = hhea.ascent / upem, -hhea.descent / upem
    return Face(
        file.family,
        file.weight,
        file.style,
        (SubsetFile(file.path, tuple(ranges)),),
        ascent,
        descent,
    )


def registry_for(
    shop_fonts: tuple[ShopFontFile, ...], base: FontRegistry | None = None
) -> FontRegistry:
    """The curated registry (or ``base``) with a template's shop fonts added: what every render
    of that template draws text with (``TemplateSpec.shop_fonts``)."""
    registry = base or default_registry()
    return registry.with_shop_fonts(shop_fonts) if shop_fonts else registry


@lru_cache(maxsize=512)
def pil_font(path: str, size_px: float) -> ImageFont.FreeTypeFont:
    """Pillow font with Raqm (HarfBuzz) layout when present: kerning from GPOS, as browsers do."""
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    return ImageFont.truetype(path, size=size_px, layout_engine=engine)


@lru_cache(maxsize=65536)
def advance_em(path: str, text: str) -> float:
    """Advance width of ``text`` (one or two characters) in ems, kerning included."""
    return pil_font(path, REFERENCE_PX).getlength(text) / REFERENCE_PX


def web_font_path(family: Family, root: Path = FONTS_DIR) -> Path | None:
    """The family's regular Latin WOFF2 from its @fontsource package (the browser's copy)."""
    name = f"{family.package}-latin-400-normal.woff2"
    path = root / "node_modules" / "@fontsource" / family.package / "files" / name
    return path if path.is_file() else None
