"""In a real browser: form mode — the shopper fills the merchant's fields instead of a canvas.

The template (``FIELDS``) has each field kind: a required text with a per-character price, a
choice shown as buttons whose second option reveals a photo frame (conditional visibility) and
costs extra, a photo frame (ellipse), a clipart choice, colour swatches that recolour the name,
and a size dropdown whose options select the product's variant on the page. Stores and Luneo are
on different origins (tests/e2e/storefront_shim.py), as in test_widget.py and
test_woo_widget.py. Checked: the form on a phone (390 × 844, the preview stays in sight while
typing) and on a desktop (1366 × 900), typing redraws the preview, the live price, a required
field that blocks the cart with its message beside it and the focus on it, and the cart line:
Shopify's carries the readable properties and the signed ``_luneo_price`` and is priced by the
built Cart Transform function with the shop's config (the variant's price + the surcharge; an
edited ``_luneo_price`` leaves the base price), WooCommerce's form posts the design id.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from app.demo import DEMO_DOMAIN, MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import Design, EditorMode, Product, Shop, Template
from app.shopify.cart_transform import function_config
from app.shopify.surcharge_token import PRICE_PROPERTY, shop_key, sign, verify
from tests.conftest import SHOPIFY_API_SECRET
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.storefront_shim import (
    VARIANT_ID,
    CartRecorder,
    Storefront,
    WooStorefront,
    block_config,
    serve,
)
from tests.e2e.woo_shop import connect_woo_store

PRODUCT_ID = MUG_PRODUCT_ID.rsplit("/", 1)[1]
DRAFT_KEY = f"luneo:draft:shopify:{PRODUCT_ID}"
LARGE_VARIANT_ID = VARIANT_ID + 1  # the demo mug's 15 oz variant
WOO_PRODUCT_ID = "123"
WOO_STORE_KEY = "lpk_" + "f" * 32

FIELDS: list[dict[str, Any]] = [
    {
        "id": "style",
        "kind": "choice",
        "label": "Style",
        "display": "buttons",
        "required": True,
        "default": "name",
        "options": [
            {"value": "name", "label": "Name only"},
            {"value": "photo", "label": "Name and photo", "price": "5.00"},
        ],
    },
    {
        "id": "name",
        "kind": "text",
        "label": "Name",
        "area": "wrap",
        "required": True,
        "placeholder": "Your name",
        "max_chars": 12,
        "font": "Inter",
        "fonts": [],
        "color": "#1f2937",
        "colors": [],
        "size_mm": 20,
        "auto_fit": True,
        "align": "center",
        "box": {"x_mm": 70, "y_mm": 30, "width_mm": 120, "height_mm": 30, "rotation_deg": 0},
        "price": {"amount": "2.00", "per_character": "0.10"},
    },
    {
        "id": "photo",
        "kind": "photo",
        "label": "Photo",
        "area": "wrap",
        "required": True,
        "visible_when": {"field": "style", "in": ["photo"]},
        "shape": "ellipse",
        "min_dpi": 150,
        "box": {"x_mm": 10, "y_mm": 10, "width_mm": 50, "height_mm": 70, "rotation_deg": 0},
    },
    {
        "id": "badge",
        "kind": "clipart",
        "label": "Badge",
        "area": "wrap",
        "sets": ["love"],
        "default": None,
        "color": "#dc2626",
        "box": {"x_mm": 160, "y_mm": 60, "width_mm": 25, "height_mm": 25, "rotation_deg": 0},
    },
    {
        "id": "ink",
        "kind": "choice",
        "label": "Ink",
        "display": "swatches",
        "default": "navy",
        "options": [
            {
                "value": "navy",
                "label": "Navy",
                "swatch": "#1f2937",
                "color": {"fields": ["name"], "value": "#1f2937"},
            },
            {
                "value": "red",
                "label": "Red",
                "swatch": "#dc2626",
                "price": "1.00",
                "color": {"fields": ["name"], "value": "#dc2626"},
            },
        ],
    },  # fmt: skip
    {
        "id": "size",
        "kind": "choice",
        "label": "Size",
        "display": "dropdown",
        "default": "small",
        "options": [{"value": "small", "label": "11 oz"}, {"value": "large", "label": "15 oz"}],
    },
]


def _template_values(template: Template, product: Product, mode: EditorMode) -> None:
    """The fields above on ``template``, the size options naming the product's own variants."""
    fields = json.loads(json.dumps(FIELDS))
    variants = {v.title: v.id for v in product.variants}
    size = next(f for f in fields if f["id"] == "size")
    for option in size["options"]:
        option["variant_id"] = variants[option["label"]]
    template.fields = fields
    template.editor_mode = mode
    template.surcharge = Decimal("1.50")
    template.price_rules = []


def _seed(app: Flask, mode: EditorMode, cart: CartRecorder) -> None:
    """The demo shop with the fields above; ``cart`` priced as the shop's checkout prices it:
    each variant's price, and the Cart Transform function with the shop's config metafield
    (as ``ensure_cart_transform`` writes it after install)."""
    with app.app_context(), get_db().session() as session:
        shop = seed_demo_shop(session, get_storage())
        session.flush()
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        template = session.scalars(select(Template).where(Template.product_id == mug.id)).one()
        _template_values(template, mug, mode)
        session.commit()
        cart.cart_transform_config = json.dumps(function_config(shop, app.config))
        cart.variant_prices = {int(v.external_id.rsplit("/", 1)[1]): v.price for v in mug.variants}


@pytest.fixture
def store(live_app: Flask, luneo_url: str, request: pytest.FixtureRequest) -> Storefront:
    store = Storefront(luneo_url, DEMO_DOMAIN, SHOPIFY_API_SECRET, block_config(PRODUCT_ID))
    _seed(live_app, getattr(request, "param", EditorMode.FORM), store.cart)
    return store


@pytest.fixture
def store_url(store: Storefront) -> Iterator[str]:
    yield from serve(store)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _photo(tmp_path: Path, size: tuple[int, int] = (1600, 1200)) -> Path:
    image = Image.new("RGB", size, "#2563eb")
    for x in range(0, size[0], 80):
        image.paste("#f59e0b", (x, 0, x + 40, size[1]))
    path = tmp_path / "portrait.jpg"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return path


def _draft(page: Page, key: str = DRAFT_KEY) -> dict[str, Any] | None:
    raw = page.evaluate(f"localStorage.getItem({json.dumps(key)})")
    return json.loads(raw) if raw else None


def _open(page: Page, url: str | None) -> None:
    """Open the editor on ``url`` (None: on the page already shown)."""
    if url is not None:
        page.goto(url)
    page.get_by_role("button", name="Customize").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_attribute("aria-busy", "false")
    expect(page.locator("[data-luneo-form]")).to_be_visible()


def _wait_for_draft(page: Page, condition: str, key: str = DRAFT_KEY) -> None:
    """Until the saved draft's document (``doc``) meets ``condition`` (drafts are written
    a moment after typing stops)."""
    page.wait_for_function(
        f"key => {{ const d = JSON.parse(localStorage.getItem(key) || 'null'); "
        f"const doc = d && d.document; return !!doc && ({condition}); }}",
        arg=key,
    )


def _field_layers(page: Page, key: str = DRAFT_KEY) -> dict[str, dict[str, Any]]:
    draft = _draft(page, key)
    assert draft is not None
    layers = draft["document"]["areas"]["wrap"]["layers"]
    return {layer["field"]: layer for layer in layers if layer.get("field")}


def _type_and_see_the_preview_change(page: Page, text: str) -> None:
    """Typing redraws the editor canvas and the mockup (their pixels change)."""
    name = page.get_by_role("textbox", name="Name *")
    stage = page.locator(".luneo-canvas")
    before = stage.evaluate("c => c.toDataURL()")
    mockup = page.locator(".luneo-mockup").evaluate("c => c.toDataURL()")
    name.press_sequentially(text, delay=20)
    page.wait_for_function(
        "b => document.querySelector('.luneo-canvas').toDataURL() !== b", arg=before
    )
    page.wait_for_function(
        "b => document.querySelector('.luneo-mockup').toDataURL() !== b", arg=mockup
    )


def test_form_mode_on_a_desktop_ends_in_a_priced_shopify_cart_line(
    store: Storefront, store_url: str, desktop: Page, tmp_path: Path, live_app: Flask
) -> None:
    page = desktop
    problems = watch(page)
    _open(page, f"{store_url}/products/mug")
    # The fields in the template's order; the photo frame only once its option is picked.
    labels = page.locator("[data-luneo-field]:visible").evaluate_all(
        "rows => rows.map(r => r.dataset.luneoField)"
    )
    assert labels == ["style", "name", "badge", "ink", "size"]
    name = page.get_by_role("textbox", name="Name *")
    expect(name).to_have_attribute("placeholder", "Your name")

    # A required field left empty blocks the cart: its message beside it, the focus on it.
    page.get_by_role("button", name="Add to cart").click()
    problem = page.locator("[data-luneo-problem='name']")
    expect(problem).to_have_text("Please fill this in.")
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    assert store.cart.calls == []

    # Typing fixes it there, redraws the preview, and the price follows (debounced quote).
    _type_and_see_the_preview_change(page, "Anna")
    expect(problem).to_be_hidden()
    expect(page.locator(".luneo-count").first).to_have_text("4/12")
    _wait_for_draft(page, "doc.fields.name === 'Anna'")
    layers = _field_layers(page)
    assert layers["name"]["text"] == "Anna"
    assert layers["name"]["font"] == "Inter"
    # surcharge 1.50 + field 2.00 + 4 letters × 0.10
    expect(page.locator("[data-luneo-total]")).to_have_text("Personalization: +$3.90")
    expect(page.locator("[data-luneo-add]")).to_have_text("Add to cart · +$3.90")

    # Conditional visibility, applied live: the photo frame appears with its option.
    page.get_by_role("radio", name="Name and photo (+$5.00)").check()
    expect(page.locator("[data-luneo-field='photo']")).to_be_visible()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("[data-luneo-problem='photo']")).to_have_text("Please fill this in.")
    expect(page.locator("[data-luneo-photo='photo']")).to_be_focused()
    page.locator("[data-luneo-photo='photo']").set_input_files(str(_photo(tmp_path)))
    frame = page.locator("[data-luneo-zoom='photo']")
    expect(frame).to_be_visible()
    _wait_for_draft(page, "!!(doc.fields.photo && doc.fields.photo.crop)")
    draft = _draft(page)
    assert draft is not None
    crop = draft["document"]["fields"]["photo"]["crop"]
    # The frame is 50 × 70 mm: the photo (4:3) covers it, centred.
    assert crop["height"] == 1
    assert crop["width"] == pytest.approx((50 / 70) / (1600 / 1200), abs=1e-4)
    frame.fill("2")  # zoom in: half the width and height of the photo in the frame
    _wait_for_draft(page, "doc.fields.photo.crop.height < 0.6")
    # Pan by keyboard too: the arrow keys on the frame move the photo in it.
    x0 = _draft(page)["document"]["fields"]["photo"]["crop"]["x"]  # type: ignore[index]
    page.locator("[data-luneo-frame='photo']").press("ArrowLeft")
    _wait_for_draft(page, f"doc.fields.photo.crop.x > {x0}")
    layers = _field_layers(page)
    assert layers["photo"]["clip"] == {"shape": "ellipse"}
    assert layers["photo"]["x_mm"] == 10

    # Clipart from the field's set, recoloured by the template; ink recolours the name.
    badge = page.locator("[data-luneo-field='badge']")
    badge.get_by_role("radio", name="Heart", exact=True).check()
    page.get_by_role("radio", name="Red (+$1.00)").check()
    _wait_for_draft(page, "doc.fields.ink === 'red' && doc.fields.badge === 'clipart:love/heart'")
    layers = _field_layers(page)
    assert layers["badge"]["src"] == "clipart:love/heart"
    assert layers["name"]["color"] == "#dc2626"
    # 1.50 + 2.00 + 0.40 + 5.00 (photo option) + 1.00 (red)
    expect(page.locator("[data-luneo-add]")).to_have_text("Add to cart · +$9.90")

    with page.expect_request(lambda r: r.url.endswith("/cart/add.js")) as cart_request:
        page.get_by_role("button", name="Add to cart · +$9.90").click()
    expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
    [item] = json.loads(cart_request.value.post_data or "{}")["items"]
    assert item["id"] == VARIANT_ID
    properties = item["properties"]
    design_id = properties["_luneo_design"]
    # Readable properties (what the theme's cart shows), the ids hidden by their underscore.
    assert properties["Name"] == "Anna"
    assert properties["Style"] == "Name and photo"
    assert properties["Photo"] == "Photo added"
    assert properties["Ink"] == "Red"
    assert properties["_luneo_preview"].startswith("http")
    with live_app.app_context(), get_db().session() as session:
        shop = session.scalars(select(Shop).where(Shop.domain == DEMO_DOMAIN)).one()
        key = shop_key(live_app.config["SECRET_KEY"], shop.domain)
        design = session.scalars(select(Design).where(Design.public_id == design_id)).one()
        document = design.document
    signed = verify(key, design_id, properties[PRICE_PROPERTY])
    assert signed is not None
    assert (signed.amount, signed.currency) == (Decimal("9.90"), "USD")
    assert document["fields"]["name"] == "Anna"
    assert document["fields"]["style"] == "photo"
    assert _draft(page) is None  # kept until the cart call succeeded, then gone
    # Shopify's cart prices the line with the Cart Transform function: the 11 oz mug's $18.00
    # + the $9.90 Luneo quoted and signed.
    assert store.cart.prices == [Decimal("27.90")]
    assert_clean(problems)


def test_a_photo_too_small_for_its_frame_is_shown_beside_it_and_fixed_there(
    store: Storefront, store_url: str, desktop: Page, tmp_path: Path
) -> None:
    """The server's preflight finding (``fields.photo``) in plain words next to the frame."""
    page = desktop
    problems = watch(page)
    _open(page, f"{store_url}/products/mug")
    page.get_by_role("textbox", name="Name *").fill("Anna")
    page.get_by_role("radio", name="Name and photo (+$5.00)").check()
    upload = page.locator("[data-luneo-photo='photo']")
    upload.set_input_files(str(_photo(tmp_path, (150, 100))))
    # The form warns at once (about 36 dpi in a 50 × 70 mm frame)…
    expect(page.locator("[data-luneo-frame-dpi='photo']")).to_contain_text("too small to print")
    # …and the server refuses it for the cart (the demo mug's low_dpi_policy is "refuse": a
    # 422 naming the photo), in the same words, beside the frame.
    page.get_by_role("button", name="Add to cart").click()
    problem = page.locator("[data-luneo-problem='photo']")
    expect(problem).to_contain_text("This photo is too small to print sharply in the frame")
    expect(problem).to_contain_text("needs 150")
    expect(upload).to_be_focused()
    assert store.cart.calls == []
    assert _draft(page) is not None  # the shopper's work is kept in the browser

    # A larger photo, there, and the retry goes through with the same design.
    upload.set_input_files(str(_photo(tmp_path, (1600, 1200))))
    expect(problem).to_be_hidden()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
    [call] = store.cart.calls
    assert call["items"][0]["properties"]["_luneo_design"].startswith("d_")
    assert_clean(problems)


def test_a_size_option_selects_the_variant_on_the_page(
    store: Storefront, store_url: str, desktop: Page
) -> None:
    """The option names the variant by Luneo's id; the template document maps it to Shopify's,
    which the theme's form and the cart line get — also when the option comes back with a
    draft on a freshly loaded page (the theme's picker back on its first variant)."""
    page = desktop
    problems = watch(page)
    _open(page, f"{store_url}/products/mug")
    page.get_by_role("textbox", name="Name *").fill("Anna")
    page.get_by_role("combobox", name="Size").select_option(label="15 oz")
    variant = page.locator("form[action='/cart/add'] [name=id]")
    expect(variant).to_have_value(str(LARGE_VARIANT_ID), timeout=2000)
    _wait_for_draft(page, "doc.fields.size === 'large'")
    assert_clean(problems)
    page.reload()
    problems.clear()  # what the reload cut short (previews, clipart) is not a problem
    expect(variant).to_have_value(str(VARIANT_ID))
    _open(page, f"{store_url}/products/mug")
    expect(page.get_by_role("combobox", name="Size")).to_have_value("large")
    expect(variant).to_have_value(str(LARGE_VARIANT_ID))
    with page.expect_request(lambda r: r.url.endswith("/cart/add.js")) as cart_request:
        page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
    [item] = json.loads(cart_request.value.post_data or "{}")["items"]
    assert item["id"] == LARGE_VARIANT_ID
    assert item["properties"]["Size"] == "15 oz"
    assert store.cart.prices == [Decimal("25.90")]  # the 15 oz mug's $22.00 + $3.90
    assert_clean(problems)


def test_the_size_choice_starts_on_the_variant_the_page_shows(
    store: Storefront, store_url: str, desktop: Page
) -> None:
    """The shopper picked 15 oz in the theme's picker before opening the editor: the form's
    size starts there (not on the template's default), so the cart line's variant and its
    "Size" property agree."""
    page = desktop
    problems = watch(page)
    page.goto(f"{store_url}/products/mug")
    page.locator("form[action='/cart/add'] [name=id]").evaluate(
        f"input => {{ input.value = '{LARGE_VARIANT_ID}'; }}"
    )
    _open(page, None)
    expect(page.get_by_role("combobox", name="Size")).to_have_value("large")
    page.get_by_role("textbox", name="Name *").fill("Anna")
    page.get_by_role("button", name="Add to cart · +$3.90").click()
    expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
    [call] = store.cart.calls
    [item] = call["items"]
    assert (item["id"], item["properties"]["Size"]) == (LARGE_VARIANT_ID, "15 oz")
    assert store.cart.prices == [Decimal("25.90")]
    assert_clean(problems)


def _lowered(token: str, _design_id: str, _key: bytes) -> str:
    """The shopper's edit: the amount in the token made 0.01, the signature left as it was."""
    version, _amount, currency, digest = token.split(":")
    return f"{version}:0.01:{currency}:{digest}"


def _forged(_token: str, design_id: str, _key: bytes) -> str:
    """A token signed with a key that is not the shop's (a guessed or another shop's one)."""
    return sign(b"\x00" * 32, design_id, Decimal("0.01"), "USD")


@pytest.mark.parametrize("tamper", [_lowered, _forged])
def test_a_tampered_price_leaves_the_shopify_line_at_the_base_price(
    store: Storefront, store_url: str, desktop: Page, live_app: Flask, tamper: Any
) -> None:
    """The request the browser sends to ``/cart/add.js`` edited on its way: the function finds
    no valid signature, so the line stays at the variant's price (and the order sync holds it)."""
    page = desktop
    _open(page, f"{store_url}/products/mug")
    page.get_by_role("textbox", name="Name *").fill("Anna")
    expect(page.locator("[data-luneo-add]")).to_have_text("Add to cart · +$3.90")
    with live_app.app_context():
        key = shop_key(live_app.config["SECRET_KEY"], DEMO_DOMAIN)

    def edit(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        properties = body["items"][0]["properties"]
        design_id = properties["_luneo_design"]
        properties[PRICE_PROPERTY] = tamper(properties[PRICE_PROPERTY], design_id, key)
        route.continue_(post_data=json.dumps(body))

    page.route("**/cart/add.js", edit)
    page.get_by_role("button", name="Add to cart · +$3.90").click()
    expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
    [call] = store.cart.calls
    properties = call["items"][0]["properties"]
    assert verify(key, properties["_luneo_design"], properties[PRICE_PROPERTY]) is None
    assert store.cart.prices == [Decimal("18.00")]


def test_form_mode_on_a_phone_keeps_the_preview_in_sight(
    store: Storefront, store_url: str, phone: Page
) -> None:
    page = phone
    problems = watch(page)
    _open(page, f"{store_url}/products/mug")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    name = page.get_by_role("textbox", name="Name *")
    name.scroll_into_view_if_needed()
    name.click()
    _type_and_see_the_preview_change(page, "Léa")
    # The preview (the sticky print area) and the field being typed in are both on screen.
    stage = page.locator(".luneo-canvas").bounding_box()
    field = name.bounding_box()
    assert stage is not None
    assert field is not None
    assert stage["y"] >= 0
    assert stage["y"] + stage["height"] <= field["y"]
    assert field["y"] + field["height"] <= 844
    # Too long: the input stops at max_chars, the counter says so.
    name.fill("A" * 20)
    expect(name).to_have_value("A" * 12)
    expect(page.locator(".luneo-count").first).to_have_text("12/12")
    # Keyboard: the swatches are one radio group, arrows move the choice.
    navy = page.get_by_role("radio", name="Navy")
    navy.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Red (+$1.00)")).to_be_checked()
    assert_clean(problems)


def test_the_fields_come_back_with_the_draft(
    store: Storefront, store_url: str, desktop: Page
) -> None:
    page = desktop
    problems = watch(page)
    _open(page, f"{store_url}/products/mug")
    page.get_by_role("textbox", name="Name *").fill("Zoé")
    page.get_by_role("radio", name="Red (+$1.00)").check()
    _wait_for_draft(page, "doc.fields.name === 'Zoé' && doc.fields.ink === 'red'")
    # Leave once the page is quiet: a reload aborts what is still loading (the quote, fonts),
    # which the watch would report as failed requests.
    expect(page.locator("[data-luneo-add]")).to_have_text("Add to cart · +$4.80")
    page.wait_for_load_state("networkidle")
    page.reload()
    _open(page, f"{store_url}/products/mug")
    expect(page.locator(".luneo-status")).to_have_text(
        "We restored the design you were working on."
    )
    expect(page.get_by_role("textbox", name="Name *")).to_have_value("Zoé")
    expect(page.get_by_role("radio", name="Red (+$1.00)")).to_be_checked()
    expect(page.locator("[data-luneo-add]")).to_have_text("Add to cart · +$4.80")
    assert _field_layers(page)["name"]["color"] == "#dc2626"
    assert_clean(problems)


def test_the_form_passes_axe(store_url: str, desktop: Page) -> None:
    from tests.support.axe import describe, violations

    page = desktop
    problems = watch(page)
    _open(page, f"{store_url}/products/mug")
    page.get_by_role("radio", name="Name and photo (+$5.00)").check()
    page.get_by_role("button", name="Add to cart").click()  # problems shown next to fields
    expect(page.locator("[data-luneo-problem='name']")).to_be_visible()
    found = violations(page, "[role='dialog']")
    assert not found, f"form mode:\n{describe(found)}"
    assert_clean(problems)


@pytest.mark.parametrize("store", [EditorMode.BOTH], indirect=True)
def test_both_modes_save_one_document(store: Storefront, store_url: str, desktop: Page) -> None:
    page = desktop
    problems = watch(page)
    _open(page, f"{store_url}/products/mug")
    page.get_by_role("textbox", name="Name *").fill("Sam")
    page.get_by_role("tab", name="Free design").click()
    expect(page.locator("[data-luneo-form]")).to_be_hidden()
    page.get_by_role("button", name="Add text").click()
    page.locator("[data-luneo-text]").fill("Happy birthday")
    page.locator("[data-luneo-text]").press("Tab")
    page.get_by_role("tab", name="Fill in").click()
    expect(page.get_by_role("textbox", name="Name *")).to_have_value("Sam")
    _wait_for_draft(page, "doc.areas.wrap.layers.length === 2")
    draft = _draft(page)
    assert draft is not None
    layers = draft["document"]["areas"]["wrap"]["layers"]
    # Field layers first, the shopper's free layers on top; one document for both.
    assert [(la.get("field"), la["text"]) for la in layers] == [
        ("name", "Sam"),
        (None, "Happy birthday"),
    ]
    assert draft["document"]["fields"]["name"] == "Sam"
    with page.expect_request(lambda r: r.url.endswith("/cart/add.js")):
        page.get_by_role("button", name="Add to cart · +$3.80").click()
    expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
    assert_clean(problems)


# ---------------------------------------------------------------- WooCommerce


@pytest.fixture
def woo_store(luneo_url: str) -> WooStorefront:
    return WooStorefront(luneo_url, WOO_STORE_KEY, WOO_PRODUCT_ID)


@pytest.fixture
def woo_url(woo_store: WooStorefront, live_app: Flask) -> Iterator[str]:
    for url in serve(woo_store):
        connect_woo_store(live_app, url, WOO_STORE_KEY, WOO_PRODUCT_ID, mockup=True)
        with live_app.app_context(), get_db().session() as session:
            template = session.scalars(
                select(Template).join(Product).where(Product.external_id == WOO_PRODUCT_ID)
            ).one()
            fields = [f for f in FIELDS if f["id"] != "size"]  # a simple product: no variants
            template.fields = json.loads(json.dumps(fields))
            template.editor_mode = EditorMode.FORM
            template.surcharge = Decimal("1.50")
            template.price_rules = []
            session.commit()
        yield url


def test_form_mode_on_woocommerce_posts_the_design(
    woo_store: WooStorefront, woo_url: str, desktop: Page, live_app: Flask
) -> None:
    page = desktop
    problems = watch(page)
    _open(page, f"{woo_url}/product/mug/")
    key = f"luneo:draft:woocommerce:{WOO_PRODUCT_ID}"
    page.get_by_role("textbox", name="Name *").fill("Noé")
    # The shop's currency (EUR) in the page's locale (en-US).
    expect(page.locator("[data-luneo-add]")).to_have_text("Add to cart · +€3.80")
    _wait_for_draft(page, "doc.fields.name === 'Noé'", key)
    assert _field_layers(page, key)["name"]["text"] == "Noé"
    with page.expect_request(lambda r: r.url == f"{woo_url}/product/mug/" and r.method == "POST"):
        page.get_by_role("button", name="Add to cart · +€3.80").click()
    expect(page.get_by_text("“Mug” has been added to your cart.")).to_be_visible()
    [form] = woo_store.cart_posts
    [design_id] = form["luneo_design"]
    # Only the design id was posted; the store priced the line from Luneo's answer, server to
    # server: the mug's €18.00 + the €3.80 surcharge.
    assert set(form) == {"luneo_design", "luneo_summary", "quantity", "add-to-cart"}
    assert woo_store.line_prices() == [Decimal("21.80")]
    page.goto(f"{woo_url}/cart/")
    expect(page.get_by_text("+€3.80")).to_be_visible()
    expect(page.get_by_text("Noé")).to_be_visible()
    with live_app.app_context(), get_db().session() as session:
        design = session.scalars(select(Design).where(Design.public_id == design_id)).one()
        assert design.document["fields"]["name"] == "Noé"
    assert_clean([p for p in problems if not p.endswith("net::ERR_ABORTED")])
