"""Product presets for "Make customizable": real print sizes instead of a 100 × 100 mm square.

One preset is a product kind a merchant sells (an 11 oz mug, an A3 poster, a die-cut sticker)
with its print areas at their real size, bleed, safe margin and resolution, and where one fits,
the built-in 3D model (``app.design.models3d``: the area's UV rectangle on it) and a cut line
(``app.design.finishing``). ``service.make_customizable`` builds the template from one; the
merchant then changes anything in the editor. Every preset passes the render core's limits
(``app.design.limits``) — tests/unit/product_templates/test_presets.py renders each.

Sizes: mugs are the usual sublimation wraps (11 oz ≈ 200 × 85 mm, the built-in mug's area;
15 oz ≈ 216 × 95 mm); the t-shirt areas are a DTG platen's 300 × 400 mm (no bleed: garments are
not trimmed); posters are ISO A4/A3/A2 and the US 18 × 24" and 24 × 36" sizes; phone cases are
the printable back of a slim case, a little larger than the phone; stickers are 76 mm (3").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.design.models3d import MODELS

DEFAULT_PRESET = "custom"


@dataclass(frozen=True)
class AreaPreset:
    key: str
    name: str
    width_mm: Decimal
    height_mm: Decimal
    dpi: int = 300
    bleed_mm: Decimal = Decimal("3")
    safe_margin_mm: Decimal = Decimal("5")

    def values(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "width_mm": self.width_mm,
            "height_mm": self.height_mm,
            "dpi": self.dpi,
            "bleed_mm": self.bleed_mm,
            "safe_margin_mm": self.safe_margin_mm,
        }


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    group: str  # how the admin's list groups them
    summary: str  # one line for the merchant: size and what comes with it
    areas: tuple[AreaPreset, ...]
    model_3d: str | None = None  # a built-in model whose print area matches the first area
    cut_line: dict[str, Any] | None = None
    min_image_dpi: int = 150
    extra: dict[str, Any] = field(default_factory=dict)

    def uv_region(self, key: str) -> dict[str, float]:
        """The area's UV rectangle on the preset's 3D model (empty: not on the model)."""
        model = MODELS.get(self.model_3d or "")
        if model is None:
            return {}
        for region in model.describe()["areas"]:
            if region["key"] == key:
                return dict(region["uv_region"])
        return {}

    def describe(self) -> dict[str, Any]:
        """What the admin's products page shows for this preset."""
        return {
            "id": self.id,
            "name": self.name,
            "group": self.group,
            "summary": self.summary,
            "areas": [
                {
                    "key": a.key,
                    "name": a.name,
                    "width_mm": str(a.width_mm),
                    "height_mm": str(a.height_mm),
                }
                for a in self.areas
            ],
            "model_3d": self.model_3d,
            "cut": bool(self.cut_line),
        }


def _mm(value: str) -> Decimal:
    return Decimal(value)


def _inches(value: str) -> Decimal:
    return (Decimal(value) * Decimal("25.4")).quantize(Decimal("0.01"))


def _poster(id_: str, name: str, width: Decimal, height: Decimal, dpi: int) -> Preset:
    return Preset(
        id_,
        name,
        "Posters",
        f"{width:g} × {height:g} mm portrait, 3 mm bleed, {dpi} DPI",
        (AreaPreset("poster", "Poster", width, height, dpi, Decimal("3"), Decimal("10")),),
        min_image_dpi=min(150, dpi),
    )


def _phone(id_: str, name: str, width: str, height: str, model: str | None = None) -> Preset:
    return Preset(
        id_,
        name,
        "Phone cases",
        f"Case back {width} × {height} mm, 2 mm bleed; keep faces away from the camera corner",
        (AreaPreset("back", "Back", _mm(width), _mm(height), 300, Decimal("2"), Decimal("4")),),
        model_3d=model,
    )


def _sticker(id_: str, name: str, summary: str, cut: dict[str, Any]) -> Preset:
    size = _mm("76")
    return Preset(
        id_,
        name,
        "Stickers",
        summary,
        (AreaPreset("sticker", "Sticker", size, size, 300, Decimal("2"), Decimal("3")),),
        cut_line=cut,
    )


PRESETS: tuple[Preset, ...] = (
    Preset(
        "custom",
        "Custom size",
        "Other",
        "One 100 × 100 mm area at 300 DPI to set yourself",
        (AreaPreset("front", "Front", _mm("100"), _mm("100")),),
        min_image_dpi=100,
    ),
    Preset(
        "mug_11oz",
        "Mug 11 oz",
        "Mugs",
        "Wrap-around 200 × 85 mm, 2 mm bleed, with the 3D mug preview",
        (AreaPreset("wrap", "Wrap", _mm("200"), _mm("85"), 300, Decimal("2"), Decimal("5")),),
        model_3d="mug",
    ),
    Preset(
        "mug_15oz",
        "Mug 15 oz",
        "Mugs",
        "Wrap-around 216 × 95 mm, 2 mm bleed",
        (AreaPreset("wrap", "Wrap", _mm("216"), _mm("95"), 300, Decimal("2"), Decimal("5")),),
    ),
    Preset(
        "tshirt",
        "T-shirt front and back",
        "Apparel",
        "Front and back 300 × 400 mm at 300 DPI, no bleed, with the 3D t-shirt preview",
        (
            AreaPreset("front", "Front", _mm("300"), _mm("400"), 300, Decimal("0"), Decimal("10")),
            AreaPreset("back", "Back", _mm("300"), _mm("400"), 300, Decimal("0"), Decimal("10")),
        ),
        model_3d="tshirt_front",
    ),
    _poster("poster_a4", "Poster A4", _mm("210"), _mm("297"), 300),
    _poster("poster_a3", "Poster A3", _mm("297"), _mm("420"), 300),
    _poster("poster_a2", "Poster A2", _mm("420"), _mm("594"), 300),
    _poster("poster_18x24", 'Poster 18 × 24"', _inches("18"), _inches("24"), 300),
    _poster("poster_24x36", 'Poster 24 × 36"', _inches("24"), _inches("36"), 200),
    _phone("case_iphone_15", "Phone case iPhone 15 / 15 Pro", "75.5", "151.5", "phone_case"),
    _phone("case_iphone_15_pro_max", "Phone case iPhone 15 Plus / Pro Max", "81", "164"),
    _phone("case_galaxy_s24", "Phone case Samsung Galaxy S24", "75", "151"),
    _sticker(
        "sticker_round",
        "Sticker round 76 mm",
        "76 mm circle, cut on the circle, 2 mm bleed",
        {"source": "shape", "shape": "ellipse", "offset_mm": 0, "corner_mm": 0},
    ),
    _sticker(
        "sticker_square",
        "Sticker square 76 mm",
        "76 × 76 mm, cut with 3 mm rounded corners, 2 mm bleed",
        {"source": "shape", "shape": "rounded", "offset_mm": 0, "corner_mm": 3},
    ),
    _sticker(
        "sticker_die_cut",
        "Sticker die-cut",
        "Up to 76 × 76 mm, cut 2 mm around the design (white border)",
        {"source": "artwork", "shape": "rect", "offset_mm": 2, "corner_mm": 0},
    ),
)

BY_ID: dict[str, Preset] = {p.id: p for p in PRESETS}


def get(preset_id: str | None) -> Preset | None:
    """The preset with this id (None or "" is the custom square); None when unknown."""
    return BY_ID.get(preset_id or DEFAULT_PRESET)


def offered() -> list[dict[str, Any]]:
    return [p.describe() for p in PRESETS]
