"""The fixed choices and limits of the template editor, in one place.

The font list is the curated, open-licence set a merchant may allow on a template: the editor
offers exactly these and the API refuses anything else, so a design never names a font the
renderer and the widget do not both have. Limits here are the editor's validation rules.
"""

from __future__ import annotations

from decimal import Decimal

from app.design.fonts import FAMILIES

# The renderer's curated families (app.design.fonts) are the only ones a template may allow.
FONT_FAMILIES: frozenset[str] = frozenset(f.name for f in FAMILIES)

# What "Make customizable" starts a template with; the merchant edits it from there.
DEFAULT_FONTS: tuple[str, ...] = ("Inter", "Playfair Display", "Pacifico")
DEFAULT_CLIPART_SETS: tuple[str, ...] = ("love", "celebrations", "nature")
DEFAULT_COLORS: tuple[str, ...] = ("#000000", "#ffffff", "#dc2626", "#2563eb", "#16a34a")
DEFAULT_AREA = {
    "key": "front",
    "name": "Front",
    "width_mm": Decimal("100.00"),
    "height_mm": Decimal("100.00"),
    "dpi": 300,
    "bleed_mm": Decimal("3.00"),
    "safe_margin_mm": Decimal("5.00"),
}

# Print areas.
AREA_KEY_PATTERN = r"[a-z0-9_-]{1,64}"
MAX_AREAS = 20
MAX_SIZE_MM = Decimal("2000")
MIN_DPI, MAX_DPI = 72, 1200
MAX_BLEED_MM = Decimal("50")
MAX_SAFE_MARGIN_MM = Decimal("50")
MAX_MOCKUP_COORDINATE = 20_000  # mockup pixels; far beyond any mockup we accept

# Template-wide settings.
MAX_NAME_LENGTH = 255
MAX_COLORS = 64
MIN_LAYERS, MAX_LAYERS = 1, 100
MIN_IMAGE_DPI, MAX_IMAGE_DPI = 50, 1200
MAX_PRICE_RULES = 50
MAX_PRICE_AMOUNT = Decimal("100000")
MAX_RULE_TEXT = 100

# Mockup uploads.
MOCKUP_MAX_BYTES = 10 * 1024 * 1024
MOCKUP_MAX_PIXELS = 40_000_000  # a decompression-bomb guard: a mockup is a web-size picture
# Pillow's format name -> what we store. MPO is how Pillow names many phone cameras' JPEGs.
MOCKUP_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
}

# ISO 4217 currencies without minor units: their prices are whole numbers.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV"}
    | {"XAF", "XOF", "XPF"}
)


def currency_places(currency: str) -> int:
    """Decimal places of prices in this currency (2 for most, 0 for JPY and its kind)."""
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
