"""The demo shop: a Shopify development store with a catalog, mug and T-shirt templates (the
mug seen from three sides, the shirt's prints following its folds) and one order.

``luneo dev`` and the development sign-in seed it so a fresh checkout has something real to
click through. Seeding is an upsert keyed by the shop's domain and the platform's external ids:
running it again leaves exactly the same rows (and the same mockup file).
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.addresses import normalize_address
from app.analytics.events import CounterKey, record
from app.config import DEFAULT_SCOPES
from app.db import utcnow
from app.design.fields import materialize, properties
from app.fulfilment import merchant, routing
from app.models import (
    AnalyticsCounter,
    Design,
    DesignStatus,
    EditorMode,
    EventKind,
    FileKind,
    LowDpiPolicy,
    Order,
    OrderItem,
    Partner,
    PartnerKind,
    Personalization,
    Platform,
    PrintArea,
    PrintAreaView,
    Product,
    ProductionJob,
    ProductionStatus,
    RoutingRule,
    Shop,
    ShopScope,
    StoredFile,
    Template,
    Variant,
)
from app.product_templates.pricing import quote_design
from app.product_templates.render_spec import template_spec_from_row
from app.storage import Storage, new_key

DEMO_DOMAIN = "luneo-demo.myshopify.com"
# Not a secret: the demo store does not exist; it is stored encrypted like any real token.
DEMO_ACCESS_TOKEN = "shpat_demo0000000000000000000000000"  # noqa: S105
DEMO_ORDER_ID = "gid://shopify/Order/5500000001001"
DEMO_LINE_ITEM_ID = "gid://shopify/LineItem/5600000001001"
MUG_PRODUCT_ID = "gid://shopify/Product/8100000000001"
DEMO_SHOP_NAME = "Luneo Demo Store"
DEMO_CURRENCY = "USD"
DEMO_ORDER_NAME = "#1001"
DEMO_ORDER_EMAIL = "sam.rivera@example.com"
DEMO_LINE_PRICE = Decimal("22.00")  # one 11 oz mug ($18.00) + its $4.00 surcharge: the total
DEMO_PRINT_ROOM_EMAIL = "print-room@luneo-demo.test"
MOCKUP_SIZE = (800, 600)
# Where the wrap sits on the mockup: around the body of an 11 oz mug (Ø 82 mm, 340 px wide on
# the picture, 4.15 px/mm), its 90 mm band 373 px tall; the wrap's middle faces the viewer (the
# handle at the back, peeking out on the right), so the picture shows what the print will.
MUG_DIAMETER_MM = 82
MOCKUP_PLACEMENT: dict[str, Any] = {
    "x": 230,
    "y": 140,
    "width": 340,
    "height": 373,
    "cylinder": {"circumference_mm": round(math.pi * MUG_DIAMETER_MM, 2), "offset_mm": 0},
}

# The same mug turned (no handle in sight): the part of the wrap 40 mm left or right of its
# middle faces the viewer.
MUG_VIEWS: tuple[tuple[str, float], ...] = (("Left side", -40.0), ("Right side", 40.0))

TSHIRT_PRODUCT_ID = "gid://shopify/Product/8100000000002"
CAP_PRODUCT_ID = "gid://shopify/Product/8100000000005"
SHIRT_MOCKUP_SIZE = (800, 800)
# The print follows the cotton's folds (app.design.displace): the photo is its own map.
SHIRT_FOLDS_PX = 90
# A chest print 280 x 350 mm, 1 px/mm on the 800 px shirt; the back the same on its picture;
# a close-up of the front doubles it.
SHIRT_FRONT_PLACEMENT: dict[str, Any] = {
    "x": 260,
    "y": 230,
    "width": 280,
    "height": 350,
    "displacement": {"strength_px": SHIRT_FOLDS_PX},
}
SHIRT_BACK_PLACEMENT: dict[str, Any] = {**SHIRT_FRONT_PLACEMENT, "y": 200}
SHIRT_CLOSE_UP = (200, 180)  # the close-up's top-left corner on the front picture, shown 2x
SHIRT_CLOSE_UP_PLACEMENT: dict[str, Any] = {
    "x": 2 * (260 - SHIRT_CLOSE_UP[0]),
    "y": 2 * (230 - SHIRT_CLOSE_UP[1]),
    "width": 560,
    "height": 700,
    "displacement": {"strength_px": 2 * SHIRT_FOLDS_PX},
}
SHIRT_TEMPLATE_VALUES: dict[str, Any] = {
    "name": "T-shirt front and back print",
    "is_active": True,
    "fonts": ["Inter", "Playfair Display", "Roboto Slab", "Caveat"],
    "colors": ["#1f2937", "#ffffff", "#dc2626", "#2563eb", "#16a34a", "#f59e0b"],
    "clipart_sets": ["love", "celebrations", "animals"],
    "max_layers": 12,
    "ai_enabled": True,
    "min_image_dpi": 150,
    "price_rules": [{"area": "back", "label": "Back print", "amount": "5.00"}],
    "model_3d": None,
}
SHIRT_AREAS: dict[str, dict[str, Any]] = {
    side: {
        "name": side.capitalize(),
        "position": position,
        "width_mm": Decimal("280.00"),
        "height_mm": Decimal("350.00"),
        "dpi": 300,
        "bleed_mm": Decimal("0.00"),
        "safe_margin_mm": Decimal("5.00"),
        "mockup_placement": placement,
    }
    for position, (side, placement) in enumerate(
        (("front", SHIRT_FRONT_PLACEMENT), ("back", SHIRT_BACK_PLACEMENT))
    )
}


@dataclass(frozen=True)
class VariantSpec:
    external_id: str
    title: str
    sku: str
    price: Decimal
    options: Mapping[str, str]


@dataclass(frozen=True)
class ProductSpec:
    external_id: str
    title: str
    handle: str
    product_type: str
    description: str
    variants: tuple[VariantSpec, ...]


def _variants(
    base_id: int, sku: str, option: str, prices: Mapping[str, str]
) -> tuple[VariantSpec, ...]:
    return tuple(
        VariantSpec(
            external_id=f"gid://shopify/ProductVariant/{base_id + n}",
            title=title,
            sku=f"{sku}-{title.upper().replace(' ', '')}",
            price=Decimal(price),
            options={option: title},
        )
        for n, (title, price) in enumerate(prices.items(), start=1)
    )


PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec(
        MUG_PRODUCT_ID,
        "Personalized Ceramic Mug",
        "personalized-ceramic-mug",
        "Mug",
        "Glossy white ceramic mug, printed all the way around. Dishwasher safe.",
        _variants(4410000000100, "MUG", "Size", {"11 oz": "18.00", "15 oz": "22.00"}),
    ),
    ProductSpec(
        TSHIRT_PRODUCT_ID,
        "Custom Cotton T-Shirt",
        "custom-cotton-t-shirt",
        "Apparel",
        "Soft organic cotton tee with a front print.",
        _variants(
            4410000000200, "TEE", "Size", {"S": "24.00", "M": "24.00", "L": "24.00", "XL": "26.00"}
        ),
    ),
    ProductSpec(
        "gid://shopify/Product/8100000000003",
        "Framed Art Poster",
        "framed-art-poster",
        "Wall art",
        "Museum-grade matte paper in a black oak frame.",
        _variants(4410000000300, "POSTER", "Size", {"A3": "39.00", "A2": "59.00"}),
    ),
    ProductSpec(
        "gid://shopify/Product/8100000000004",
        "Slim Phone Case",
        "slim-phone-case",
        "Accessories",
        "Impact-resistant slim case with a full-bleed print.",
        _variants(4410000000400, "CASE", "Model", {"iPhone 15": "29.00", "Pixel 8": "29.00"}),
    ),
    ProductSpec(
        CAP_PRODUCT_ID,
        "Embroidered Baseball Cap",
        "embroidered-baseball-cap",
        "Headwear",
        "Six-panel cotton cap with your words embroidered on the front.",
        _variants(4410000000500, "CAP", "Colour", {"Navy": "21.00", "Stone": "21.00"}),
    ),
)

# The cap: a front panel print the shopper can try on (issue #23): the design sits on the
# forehead, as wide as the face, a little above the landmark at the hairline.
CAP_TEMPLATE_VALUES: dict[str, Any] = {
    "name": "Cap front embroidery",
    "is_active": True,
    "fonts": ["Inter", "Playfair Display", "Roboto Slab", "Caveat"],
    "colors": ["#1f2937", "#ffffff", "#dc2626", "#2563eb"],
    "clipart_sets": ["love", "celebrations", "animals"],
    "max_layers": 6,
    "ai_enabled": False,
    "min_image_dpi": 150,
    "price_rules": [{"area": "front", "label": "Embroidery", "amount": "6.00"}],
    "model_3d": None,
    "try_on": {"kind": "hat", "anchor": "forehead", "scale": 0.9, "offset_x": 0, "offset_y": -0.2},
}
CAP_AREA_VALUES: dict[str, Any] = {
    "name": "Front panel",
    "position": 0,
    "width_mm": Decimal("110.00"),
    "height_mm": Decimal("50.00"),
    "dpi": 300,
    "bleed_mm": Decimal("0.00"),
    "safe_margin_mm": Decimal("4.00"),
    "mockup_placement": {},
}

TEMPLATE_VALUES: dict[str, Any] = {
    "name": "Mug wrap-around print",
    "is_active": True,
    "fonts": ["Inter", "Playfair Display", "Roboto Slab", "Caveat"],
    "colors": ["#1f2937", "#ffffff", "#dc2626", "#2563eb", "#16a34a", "#f59e0b"],
    "clipart_sets": ["love", "celebrations", "animals"],
    "max_layers": 12,
    "ai_enabled": True,
    "min_image_dpi": 150,
    "price_rules": [{"area": "wrap", "label": "Personalization", "amount": "4.00"}],
    "model_3d": "mug",
}

# What a merchant trying Luneo sees first: the shopper fills a form (a name priced per letter,
# an ink colour that recolours it, an optional photo) or, in "both" mode, designs freely; the
# template's surcharge replaces the canvas's area price (never both). Only the demo mug has it:
# TEMPLATE_VALUES alone is the plain canvas other stores' tests reuse.
FORM_VALUES: dict[str, Any] = {
    "editor_mode": EditorMode.BOTH,
    "low_dpi_policy": LowDpiPolicy.REFUSE,  # a blurry photo cannot reach the cart
    "surcharge": Decimal("3.00"),
    "price_rules": [],
    "fields": [
        {
            "id": "name",
            "kind": "text",
            "label": "Name",
            "area": "wrap",
            "placeholder": "Sam",
            "max_chars": 16,
            "font": "Playfair Display",
            "fonts": [],
            "color": "#1f2937",
            "colors": [],
            "size_mm": 20,
            "auto_fit": True,
            "align": "center",
            "box": {"x_mm": 55, "y_mm": 14, "width_mm": 135, "height_mm": 30, "rotation_deg": 0},
            "price": {"amount": "0.40", "per_character": "0.20"},
        },
        {
            "id": "ink",
            "kind": "choice",
            "label": "Ink",
            "display": "swatches",
            "default": "charcoal",
            "options": [
                {
                    "value": value,
                    "label": label,
                    "swatch": color,
                    **({"price": price} if price else {}),
                    "color": {"fields": ["name"], "value": color},
                }
                for value, label, color, price in (
                    ("charcoal", "Charcoal", "#1f2937", None),
                    ("red", "Red", "#dc2626", None),
                    ("blue", "Blue", "#2563eb", None),
                    ("gold", "Gold", "#f59e0b", "1.00"),
                )
            ],
        },
        {
            "id": "photo",
            "kind": "photo",
            "label": "Photo",
            "help": "Optional: a round photo beside the name.",
            "area": "wrap",
            "shape": "ellipse",
            "min_dpi": 150,
            "box": {"x_mm": 10, "y_mm": 10, "width_mm": 40, "height_mm": 55, "rotation_deg": 0},
            "price": {"amount": "3.00"},
        },
    ],
}

PRINT_AREA_VALUES: dict[str, Any] = {
    "name": "Wrap-around",
    "position": 0,
    "width_mm": Decimal("200.00"),
    "height_mm": Decimal("90.00"),
    "dpi": 300,
    "bleed_mm": Decimal("3.00"),
    "safe_margin_mm": Decimal("5.00"),
    "mockup_placement": MOCKUP_PLACEMENT,
}

# What the shopper sent for the demo order: the form's name and ink, and a free greeting under
# them (the template is in "both" mode). Stored materialized, as the storefront stores a save.
DESIGN_DOCUMENT: dict[str, Any] = {
    "version": 1,
    "fields": {"name": "Sam", "ink": "charcoal"},
    "areas": {
        "wrap": {
            "layers": [
                {
                    "id": "text-1",
                    "type": "text",
                    "text": "Happy Birthday!",
                    "font": "Inter",
                    "size_mm": 10,
                    "color": "#1f2937",
                    "x_mm": 122.5,
                    "y_mm": 56,
                    "align": "center",
                },
                {
                    "id": "shape-1",
                    "type": "shape",
                    "shape": "rect",
                    "fill": "#f59e0b",
                    "x_mm": 82.5,
                    "y_mm": 72,
                    "width_mm": 80,
                    "height_mm": 3,
                },
            ]
        }
    },
}

SHIPPING_ADDRESS: dict[str, Any] = {
    "name": "Sam Rivera",
    "address1": "123 Example Street",
    "address2": "Apt 4",
    "city": "Springfield",
    "province": "OR",
    "zip": "97477",
    "country": "US",
    "phone": "+1 555 010 0199",
}


# ---------------------------------------------------------------- upsert helpers


def _assign(row: object, values: Mapping[str, Any]) -> None:
    """Set only what differs, so a second seed issues no UPDATE and keeps ``updated_at``."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _upsert_shop(session: Session) -> Shop:
    stmt = select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == DEMO_DOMAIN)
    shop = session.scalars(stmt).one_or_none()
    if shop is None:
        shop = Shop(platform=Platform.SHOPIFY, domain=DEMO_DOMAIN)
        session.add(shop)
    values = {
        "name": DEMO_SHOP_NAME,
        "email": "merchant@example.com",
        "currency": DEMO_CURRENCY,
        "plan": "pro",  # the demo shows every feature a paying merchant gets
        "scopes": DEFAULT_SCOPES,  # what installing the app grants (shopify.app.toml)
        "access_token": DEMO_ACCESS_TOKEN,
        "is_development": True,
        "needs_reauth": False,
        "extra": {"demo": True, "note": "Seeded by Luneo for local development; not a real store."},
    }
    _assign(shop, values)
    if not shop.is_installed:
        shop.installed_at, shop.uninstalled_at = utcnow(), None
    session.flush()
    return shop


def _upsert_variant(scope: ShopScope, product: Product, spec: VariantSpec, position: int) -> None:
    variant = scope.get_by(Variant, external_id=spec.external_id)
    if variant is None:
        variant = Variant(shop_id=scope.shop_id, external_id=spec.external_id)
        product.variants.append(variant)
    values = {"title": spec.title, "sku": spec.sku, "price": spec.price, "currency": DEMO_CURRENCY}
    _assign(variant, {**values, "position": position, "options": dict(spec.options)})


def _upsert_product(scope: ShopScope, spec: ProductSpec) -> Product:
    product = scope.get_by(Product, external_id=spec.external_id)
    if product is None:
        product = scope.add(Product(external_id=spec.external_id, synced_at=utcnow()))
    values = {
        "title": spec.title,
        "handle": spec.handle,
        "vendor": DEMO_SHOP_NAME,
        "product_type": spec.product_type,
        "description": spec.description,
    }
    _assign(product, values)
    for position, variant in enumerate(spec.variants):
        _upsert_variant(scope, product, variant, position)
    scope.session.flush()
    return product


# ---------------------------------------------------------------- mockup


def _shade(t: float) -> tuple[int, int, int]:
    """Cylinder lighting across the mug (``t`` from 0 at the left edge to 1 at the right)."""
    light = 0.80 + 0.20 * math.sin(math.pi * min(1.0, t * 1.1))
    return (round(250 * light), round(250 * light), round(253 * light))


def _body_mask(size: tuple[int, int], box: tuple[int, int, int, int], curve: int) -> Image.Image:
    left, top, right, bottom = box
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((left, bottom - 2 * curve, right, bottom), fill=255)
    draw.rectangle((left, top, right, bottom - curve), fill=255)
    return mask


def render_mug_mockup(size: tuple[int, int] = MOCKUP_SIZE, *, handle: bool = True) -> bytes:
    """A plain white mug on a soft background, as PNG (drawn at 2× then scaled down: smooth);
    without ``handle``, as seen from a side where the handle is behind it."""
    scale = 2
    width, height = size[0] * scale, size[1] * scale
    canvas = Image.new("RGB", (width, height), (243, 244, 246))
    draw = ImageDraw.Draw(canvas)
    for y in range(height):  # soft vertical gradient
        tone = round(247 - 18 * y / height)
        draw.line([(0, y), (width, y)], fill=(tone, tone, tone + 3))

    def s(*values: int) -> tuple[int, ...]:
        return tuple(v * scale for v in values)

    # the body is MOCKUP_PLACEMENT's: 340 px for 82 mm across, 394 px for 95 mm high
    left, top, right, bottom, curve, rim = s(230, 130, 570, 524, 22, 24)
    shadow = Image.new("L", (width, height), 0)
    ImageDraw.Draw(shadow).ellipse(s(210, 500, 630, 550), fill=120)
    canvas.paste((150, 153, 160), (0, 0), shadow.filter(ImageFilter.GaussianBlur(18 * scale)))

    if handle:
        handle_box = (right - 50 * scale, top + 90 * scale, right + 105 * scale, top + 300 * scale)
        draw.ellipse(handle_box, outline=(214, 216, 221), width=36 * scale)
        hl, ht, hr, hb = handle_box
        highlight = (hl + 11 * scale, ht + 11 * scale, hr - 11 * scale, hb - 11 * scale)
        draw.ellipse(highlight, outline=(228, 229, 233), width=14 * scale)

    body = Image.new("RGB", (width, height))
    body_draw = ImageDraw.Draw(body)
    for x in range(left, right + 1):
        body_draw.line([(x, top), (x, bottom)], fill=_shade((x - left) / (right - left)))
    canvas.paste(body, (0, 0), _body_mask((width, height), (left, top, right, bottom), curve))

    draw.ellipse(
        (left, top - rim, right, top + rim),
        fill=(232, 233, 236),
        outline=(210, 212, 217),
        width=2 * scale,
    )
    inset = 14 * scale
    draw.ellipse(
        (left + inset, top - rim + inset // 2, right - inset, top + rim - inset // 2),
        fill=(199, 202, 209),
    )

    return _png(canvas.resize(size, Image.Resampling.LANCZOS))


@functools.cache  # drawn the same every time: once per process
def render_shirt_mockup(side: str = "front") -> bytes:
    """A white cotton T-shirt laid flat, with soft diagonal folds across the chest, as PNG: the
    folds are light and shade a displacement map reads (drawn at 2x, then scaled down)."""
    scale = 2
    width, height = SHIRT_MOCKUP_SIZE[0] * scale, SHIRT_MOCKUP_SIZE[1] * scale
    canvas = Image.new("RGB", (width, height), (236, 238, 241))

    def s(*values: float) -> list[tuple[float, float]]:
        return [(values[i] * scale, values[i + 1] * scale) for i in range(0, len(values), 2)]

    outline = s(250, 90, 330, 70, 400, 95, 470, 70, 550, 90, 720, 170, 670, 330, 600, 300,
                600, 760, 200, 760, 200, 300, 130, 330, 80, 170)  # fmt: skip
    shape = Image.new("L", (width, height), 0)
    ImageDraw.Draw(shape).polygon(outline, fill=255)
    shadow = shape.filter(ImageFilter.GaussianBlur(14 * scale))
    canvas.paste((200, 203, 209), (6 * scale, 10 * scale), shadow)
    ys, xs = np.mgrid[0:height, 0:width] / scale
    folds = (
        np.sin((xs * 0.6 + ys) / 26.0) * 10
        + np.sin((xs - ys * 0.3) / 47.0 + 1.3) * 4
        + np.sin(ys / 61.0) * 3
    )
    tone = np.clip(238 + folds, 0, 255)
    cloth = np.stack([tone, tone, tone + 2], axis=-1).clip(0, 255).astype(np.uint8)
    canvas.paste(Image.fromarray(cloth), (0, 0), shape)
    draw = ImageDraw.Draw(canvas)
    neck = s(330, 70, 470, 120) if side == "front" else s(330, 62, 470, 92)
    draw.chord(neck[0] + neck[1], 0, 180, fill=(214, 217, 222))
    image = canvas.resize(SHIRT_MOCKUP_SIZE, Image.Resampling.LANCZOS)
    return _png(image)


@functools.cache
def _shirt_close_up() -> bytes:
    """The front's chest at twice the size: the merchant's own close-up photo, as it were."""
    with Image.open(io.BytesIO(render_shirt_mockup("front"))) as front:
        left, top = SHIRT_CLOSE_UP
        crop = front.crop((left, top, left + 400, top + 400))
        return _png(crop.resize(SHIRT_MOCKUP_SIZE, Image.Resampling.LANCZOS))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _ensure_picture(
    scope: ShopScope, storage: Storage, file_id: int | None, png: bytes, name: str
) -> StoredFile:
    """``png`` as a MOCKUP StoredFile (the row ``file_id`` when there is one); rewritten only
    when missing from storage or changed."""
    digest = hashlib.sha256(png).hexdigest()
    stored = scope.get(StoredFile, file_id) if file_id else None
    if stored is not None and stored.sha256 == digest and storage.exists(stored.key):
        return stored
    key = stored.key if stored is not None else new_key(scope.shop_id, FileKind.MOCKUP.value, "png")
    written = storage.put(key, png, "image/png")
    if stored is None:
        stored = scope.add(StoredFile(key=key, kind=FileKind.MOCKUP))
    values = {"content_type": written.content_type, "size": written.size, "sha256": written.sha256}
    _assign(stored, {**values, "original_name": name})
    scope.session.flush()
    return stored


def _upsert_views(
    scope: ShopScope,
    storage: Storage,
    area: PrintArea,
    views: list[tuple[str, dict[str, Any], bytes, str]],
) -> None:
    """The area's views are exactly ``views``: (name, placement, picture PNG, file name)."""
    rows = list(area.views)
    for position, (name, placement, png, file_name) in enumerate(views):
        if position == len(rows):
            rows.append(PrintAreaView(shop_id=scope.shop_id, name=name, placement=placement))
        row = rows[position]
        picture = _ensure_picture(scope, storage, row.mockup_file_id, png, file_name)
        values = {"position": position, "name": name, "placement": placement}
        _assign(row, {**values, "mockup_file_id": picture.id})
    area.views = rows[: len(views)]
    scope.session.flush()


# ---------------------------------------------------------------- template, design, order


def _upsert_template(scope: ShopScope, storage: Storage, mug: Product) -> Template:
    template = scope.get_by(Template, product_id=mug.id)
    if template is None:
        template = scope.add(Template(product_id=mug.id, name=TEMPLATE_VALUES["name"]))
    _assign(template, {**TEMPLATE_VALUES, **FORM_VALUES})
    area = next((a for a in template.print_areas if a.key == "wrap"), None)
    if area is None:
        area = PrintArea(shop_id=scope.shop_id, key="wrap", **PRINT_AREA_VALUES)
        template.print_areas.append(area)
    _assign(area, PRINT_AREA_VALUES)
    scope.session.flush()
    mockup = _ensure_picture(
        scope, storage, area.mockup_file_id, render_mug_mockup(), "demo-mug-mockup.png"
    )
    _assign(area, {"mockup_file_id": mockup.id})
    side = render_mug_mockup(handle=False)  # from a side, the handle is behind the mug
    cylinder = MOCKUP_PLACEMENT["cylinder"]
    views = [
        (name, {**MOCKUP_PLACEMENT, "cylinder": {**cylinder, "offset_mm": offset}}, side, file)
        for (name, offset), file in zip(
            MUG_VIEWS, ("demo-mug-left.png", "demo-mug-right.png"), strict=True
        )
    ]
    _upsert_views(scope, storage, area, views)
    return template


def _upsert_shirt_template(scope: ShopScope, storage: Storage, shirt: Product) -> Template:
    """The T-shirt: a front and a back print that follow the cotton's folds, and a close-up."""
    template = scope.get_by(Template, product_id=shirt.id)
    if template is None:
        template = scope.add(Template(product_id=shirt.id, name=SHIRT_TEMPLATE_VALUES["name"]))
    _assign(template, SHIRT_TEMPLATE_VALUES)
    for key, values in SHIRT_AREAS.items():
        area = next((a for a in template.print_areas if a.key == key), None)
        if area is None:
            area = PrintArea(shop_id=scope.shop_id, key=key, **values)
            template.print_areas.append(area)
        _assign(area, values)
        scope.session.flush()
        png = render_shirt_mockup(key)
        mockup = _ensure_picture(scope, storage, area.mockup_file_id, png, f"demo-shirt-{key}.png")
        _assign(area, {"mockup_file_id": mockup.id})
        if key == "front":
            close_up = ("Close-up", SHIRT_CLOSE_UP_PLACEMENT, _shirt_close_up(), "close-up.png")
            _upsert_views(scope, storage, area, [close_up])
    scope.session.flush()
    return template


def _upsert_cap_template(scope: ShopScope, cap: Product) -> Template:
    """The cap: one front panel, offered for virtual try-on (no mockup picture)."""
    template = scope.get_by(Template, product_id=cap.id)
    if template is None:
        template = scope.add(Template(product_id=cap.id, name=CAP_TEMPLATE_VALUES["name"]))
    _assign(template, CAP_TEMPLATE_VALUES)
    area = next((a for a in template.print_areas if a.key == "front"), None)
    if area is None:
        area = PrintArea(shop_id=scope.shop_id, key="front", **CAP_AREA_VALUES)
        template.print_areas.append(area)
    _assign(area, CAP_AREA_VALUES)
    scope.session.flush()
    return template


def _upsert_design(scope: ShopScope, template: Template, existing_id: int | None) -> Design:
    """The design already on the demo line item, or a new one (its public id stays random)."""
    design = scope.get(Design, existing_id) if existing_id is not None else None
    if design is None:
        design = scope.add(Design())
    values = {
        "template_id": template.id,
        "product_id": template.product_id,
        "schema_version": 1,
        "document": materialize(template_spec_from_row(template), DESIGN_DOCUMENT),
        "status": DesignStatus.ORDERED,
    }
    _assign(design, values)
    scope.session.flush()
    return design


def _upsert_order(scope: ShopScope, template: Template, mug: Product) -> OrderItem:
    order = scope.get_by(Order, external_id=DEMO_ORDER_ID)
    if order is None:
        order = scope.add(Order(external_id=DEMO_ORDER_ID, placed_at=utcnow()))
    values = {
        "name": DEMO_ORDER_NAME,
        "email": DEMO_ORDER_EMAIL,
        "currency": DEMO_CURRENCY,
        "total_price": DEMO_LINE_PRICE,
        "financial_status": "paid",
        "fulfillment_status": "",
        "shipping_address": normalize_address(SHIPPING_ADDRESS),
    }
    _assign(order, values)
    item = next((i for i in order.items if i.external_id == DEMO_LINE_ITEM_ID), None)
    design = _upsert_design(scope, template, item.design_id if item is not None else None)
    if item is None:
        item = OrderItem(shop_id=scope.shop_id, external_id=DEMO_LINE_ITEM_ID)
        order.items.append(item)
    variant = mug.variants[0]
    # Charged at checkout by the Cart Transform (variant price + surcharge), as Luneo quoted it.
    surcharge = quote_design(template, design.document, DEMO_CURRENCY).total
    shown = properties(template_spec_from_row(template), design.document)
    _assign(
        item,
        {
            "product_id": mug.id,
            "variant_id": variant.id,
            "design_id": design.id,
            "title": f"{mug.title} - {variant.title}",
            "sku": variant.sku,
            "quantity": 1,
            "unit_price": DEMO_LINE_PRICE,
            "properties": {**shown, "_luneo_design": design.public_id},
            "surcharge": surcharge,
            "expected_surcharge": surcharge,
            "personalization": Personalization.DESIGNED,
        },
    )
    scope.session.flush()
    return item


def _ensure_production_job(scope: ShopScope, item: OrderItem) -> ProductionJob:
    """Queued on first seed; later seeds leave its status alone (a worker may have moved it)."""
    job = scope.get_by(ProductionJob, order_item_id=item.id)
    if job is None:
        job = scope.add(ProductionJob(order_item_id=item.id, status=ProductionStatus.QUEUED))
    _assign(job, {"design_id": item.design_id})
    scope.session.flush()
    return job


def _ensure_print_room(scope: ShopScope) -> Partner:
    """The demo shop prints in-house: a partner whose catch-all rule routes every job to it, so
    the demo order reaches the partner portal once its files are ready."""
    session = scope.session
    stmt = select(Partner).where(Partner.email == DEMO_PRINT_ROOM_EMAIL)
    partner = session.scalars(stmt).first()
    if partner is None:
        kind = PartnerKind.IN_HOUSE.value
        created = merchant.create_partner(
            session, scope.shop_id, kind, "Demo print room", DEMO_PRINT_ROOM_EMAIL
        )
        partner = created.partner
    if scope.get_by(RoutingRule, partner_id=partner.id) is None:
        merchant.add_rule(session, scope.shop_id, {"partner_id": partner.id, "priority": 100})
    routing.route_waiting(session, scope.shop_id)  # a job rendered before the rule existed
    return partner


# A year of plausible analytics for the demo's templates: a weekly rhythm (weekends busier), a
# slow rise over the year, and the funnel's usual losses at each step.
ANALYTICS_DAYS = 365
DEMO_FONTS = (("Inter", 5), ("Playfair Display", 3), ("Caveat", 2), ("Roboto Slab", 1))
DEMO_CLIPART = (("clipart:love/heart", 4), ("clipart:celebrations/balloons", 2))
DEMO_COLOURS = (("#1f2937", 5), ("#dc2626", 3), ("#2563eb", 2), ("#f59e0b", 2))
DEMO_PREFLIGHT = (("image_dpi_low", 3, 1), ("outside_safe_area", 1, 1))


def _demo_day(rng: random.Random, template_id: int, age: int, busy: float) -> Counter[CounterKey]:
    """One day's counters of one template (``age`` days ago)."""
    weekday = (utcnow().date() - timedelta(days=age)).weekday()
    trend = 1.0 + 0.6 * (ANALYTICS_DAYS - age) / ANALYTICS_DAYS
    opened = int(busy * trend * (1.35 if weekday >= 5 else 1.0) * rng.uniform(0.7, 1.3))
    started = int(opened * rng.uniform(0.55, 0.7))
    carted = int(started * rng.uniform(0.35, 0.5))
    ordered = int(carted * rng.uniform(0.55, 0.75))
    day: Counter[CounterKey] = Counter()
    for kind, n in (
        (EventKind.EDITOR_OPENED, opened),
        (EventKind.DESIGN_STARTED, started),
        (EventKind.ADDED_TO_CART, carted),
        (EventKind.ORDERED, ordered),
        (EventKind.AI_IMAGE_USED, ordered // 6),
    ):
        day[(template_id, kind, "")] = n
    for kind, choices in (
        (EventKind.FONT, DEMO_FONTS),
        (EventKind.CLIPART, DEMO_CLIPART),
        (EventKind.COLOUR, DEMO_COLOURS),
    ):
        for _ in range(ordered):
            key = rng.choices([c[0] for c in choices], [c[1] for c in choices])[0]
            day[(template_id, kind, key)] += 1
    for code, fixed, ignored in DEMO_PREFLIGHT:
        seen = carted // 4
        day[(template_id, EventKind.PREFLIGHT_FIXED, code)] = seen * fixed // (fixed + ignored)
        day[(template_id, EventKind.PREFLIGHT_IGNORED, code)] = seen * ignored // (fixed + ignored)
    return day


def _seed_analytics(scope: ShopScope, templates: list[tuple[Template, float]]) -> None:
    """The demo's counters for the last ``ANALYTICS_DAYS`` days, replaced on every seed (the
    same numbers for the same day: the random numbers are seeded by template and age)."""
    scope.session.execute(delete(AnalyticsCounter).where(AnalyticsCounter.shop_id == scope.shop_id))
    today = utcnow().date()
    for age in range(ANALYTICS_DAYS):
        counts: Counter[CounterKey] = Counter()
        for template, busy in templates:
            rng = random.Random(f"{template.name}:{age}")  # noqa: S311 - demo numbers
            counts.update(_demo_day(rng, template.id, age, busy))
        record(scope.session, scope.shop_id, today - timedelta(days=age), counts)


def seed_demo_shop(session: Session, storage: Storage) -> Shop:
    """Create or refresh the demo shop and everything in it; flushes, the caller commits."""
    shop = _upsert_shop(session)
    scope = ShopScope(session, shop.id)
    products = {spec.external_id: _upsert_product(scope, spec) for spec in PRODUCTS}
    mug = products[MUG_PRODUCT_ID]
    template = _upsert_template(scope, storage, mug)
    shirt = _upsert_shirt_template(scope, storage, products[TSHIRT_PRODUCT_ID])
    _upsert_cap_template(scope, products[CAP_PRODUCT_ID])
    item = _upsert_order(scope, template, mug)
    _ensure_production_job(scope, item)
    _ensure_print_room(scope)
    _seed_analytics(scope, [(template, 40.0), (shirt, 25.0)])
    return shop
