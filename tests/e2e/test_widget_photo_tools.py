"""In a real browser: a shopper flips, greys, crops and cuts out a photo, and recolours clipart.

The editor's canvas must show what the print will be, and the saved design must carry the
edits: the server's preview of the saved design is checked too.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import get_db, get_storage
from app.models import Design, PrintArea, StoredFile
from tests.conftest import SHOPIFY_API_SECRET
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.storefront_shim import Storefront, block_config, serve
from tests.e2e.test_widget import DRAFT_KEY, PRODUCT_ID, _draft, _open_editor, _seed
from tests.support.workers import run_jobs

BACKDROP = (240, 240, 240)

# The count and centre x (canvas px) of opaque, strongly red pixels on a canvas (the dashed
# bleed guide is red too, but translucent).
RED_PIXELS = """(selector) => {
    const c = document.querySelector(selector);
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0, sum = 0;
    for (let i = 0; i < data.length; i += 4) {
        const red = data[i] > 170 && data[i + 1] < 70 && data[i + 2] < 70;
        if (red && data[i + 3] > 200) { n++; sum += (i / 4) % c.width; }
    }
    return {n, x: n ? sum / n : null};
}"""


@pytest.fixture
def store(live_app: Flask, luneo_url: str) -> Storefront:
    from app.demo import DEMO_DOMAIN

    _seed(live_app)
    return Storefront(luneo_url, DEMO_DOMAIN, SHOPIFY_API_SECRET, block_config(PRODUCT_ID))


@pytest.fixture
def store_url(store: Storefront) -> Iterator[str]:
    yield from serve(store)


def _subject_photo(tmp_path: Path) -> Path:
    """A red square left of centre on a plain light backdrop, large enough to print cropped."""
    image = Image.new("RGB", (1800, 1200), BACKDROP)
    image.paste((220, 20, 20), (300, 300, 750, 900))
    path = tmp_path / "mug-photo.png"
    image.save(path, "PNG")
    return path


def _photo_layer(page: Page) -> dict[str, Any]:
    draft = _draft(page)
    assert draft is not None
    return next(la for la in draft["document"]["areas"]["wrap"]["layers"] if la["type"] == "image")


def _wait_layer(page: Page, condition: str) -> None:
    page.wait_for_function(
        "key => { const l = (JSON.parse(localStorage.getItem(key) || 'null')?.document.areas.wrap"
        f"?.layers || []).find(l => l.type === 'image'); return !!l && ({condition}); }}",
        arg=DRAFT_KEY,
    )


def _red(page: Page, selector: str = ".luneo-canvas") -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(RED_PIXELS, selector)
    return result


def test_photo_tools_edit_the_preview_and_the_saved_design(
    store: Storefront, store_url: str, page: Page, tmp_path: Path, live_app: Flask
) -> None:
    problems = watch(page)
    _open_editor(page, store_url)
    page.get_by_role("tab", name="Photo").click()
    page.locator("[data-luneo-upload]").set_input_files(str(_subject_photo(tmp_path)))
    expect(page.locator(".luneo-status")).to_have_text("Photo added.")
    expect(page.locator("[data-luneo-photo-tools]")).to_be_visible()
    page.wait_for_function(f"() => ({RED_PIXELS})('.luneo-canvas').n > 50")
    original = _photo_layer(page)
    before = _red(page)

    # Flip: the red square lands mirrored about the photo's centre, on the canvas too.
    page.locator("[data-luneo-flip-x]").click()
    _wait_layer(page, "l.flip_x === true")
    expect(page.locator("[data-luneo-flip-x]")).to_have_attribute("aria-pressed", "true")
    # the canvas redraws on the next frame: wait for it (a loaded machine paints late)
    page.wait_for_function(
        f"x => ({RED_PIXELS})('.luneo-canvas').x > x + 20", arg=before["x"], timeout=10_000
    )
    flipped = _red(page)
    assert flipped["n"] == pytest.approx(before["n"], rel=0.1)
    assert flipped["x"] > before["x"] + 20

    # Black & white: nothing red is left on the editor's canvas nor on the mockup.
    page.locator("[data-luneo-grayscale]").click()
    _wait_layer(page, "l.filters && l.filters.grayscale === true")
    page.wait_for_function(f"() => ({RED_PIXELS})('.luneo-canvas').n === 0")
    page.wait_for_function(f"() => ({RED_PIXELS})('.luneo-mockup').n === 0")

    # Free crop: the right half of the picture goes; the box takes the kept part's proportions.
    page.locator('[data-luneo-crop="right"]').fill("50")
    _wait_layer(page, "l.crop && l.crop.width === 0.5")
    cropped = _photo_layer(page)
    assert cropped["crop"] == {"x": 0, "y": 0, "width": 0.5, "height": 1}
    assert cropped["width_mm"] / cropped["height_mm"] == pytest.approx(300 / 400, rel=0.02)

    # Remove background: a new picture; undo brings the original back, redo the cut-out.
    page.locator("[data-luneo-remove-bg]").click()
    expect(page.locator("[data-luneo-remove-bg-status]")).to_contain_text("Background removed")
    cut = _photo_layer(page)
    assert cut["src"] != original["src"]
    page.locator("[data-luneo-remove-bg-undo]").click()
    _wait_layer(page, f"l.src === {json.dumps(original['src'])}")
    page.get_by_role("button", name="Redo").click()
    _wait_layer(page, f"l.src === {json.dumps(cut['src'])}")

    with page.expect_request(lambda r: r.url.endswith("/cart/add.js")) as cart_request:
        page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
    design_id = json.loads(cart_request.value.post_data or "{}")["items"][0]["properties"][
        "_luneo_design"
    ]
    with live_app.app_context(), get_db().session() as session:
        design = session.scalars(select(Design).where(Design.public_id == design_id)).one()
        [layer] = design.document["areas"]["wrap"]["layers"]
        preview = session.get(StoredFile, design.preview_file_id)
        assert preview is not None
        with get_storage().open(preview.key) as stream:
            server_preview = Image.open(io.BytesIO(stream.read())).convert("RGB")
    assert layer["flip_x"] is True
    assert layer["filters"] == {"grayscale": True}
    assert layer["crop"] == {"x": 0, "y": 0, "width": 0.5, "height": 1}
    assert layer["src"] == cut["src"]
    # The server's preview of the saved design: grey, no red, like the editor's.
    red, green, blue = (band.load() for band in server_preview.split())
    width, height = server_preview.size
    reds = [
        (x, y)
        for y in range(height)
        for x in range(width)
        if red[x, y] > 170 and green[x, y] < 70 and blue[x, y] < 70  # type: ignore[index,operator]
    ]
    assert reds == []
    assert_clean(problems)


def test_a_busy_photo_gets_a_clear_message_and_stays(
    store: Storefront, store_url: str, page: Page, tmp_path: Path, live_app: Flask
) -> None:
    problems = watch(page)
    _open_editor(page, store_url)
    noise = Image.effect_noise((300, 200), 120).convert("RGB")
    path = tmp_path / "busy.png"
    noise.save(path, "PNG")
    page.get_by_role("tab", name="Photo").click()
    page.locator("[data-luneo-upload]").set_input_files(str(path))
    expect(page.locator(".luneo-status")).to_have_text("Photo added.")
    src = _photo_layer(page)["src"]

    with page.expect_response(lambda r: r.url.endswith("/uploads/background-removal")) as answer:
        page.locator("[data-luneo-remove-bg]").click()
    assert answer.value.status == 422
    expect(page.locator("[data-luneo-remove-bg-status]")).to_contain_text("too many colours")
    assert _photo_layer(page)["src"] == src

    # The product offers AI images: the store's provider may try. Offline (the development
    # provider) it cannot either, and says so; the photo stays as it was.
    ask_ai = page.locator("[data-luneo-remove-bg-ai]")
    expect(ask_ai).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/ai/background-removals")) as queued:
        ask_ai.click()
    assert queued.value.status == 202
    run_jobs(live_app, "ai")
    expect(page.locator("[data-luneo-remove-bg-status]")).to_contain_text(
        "too many colours", timeout=15_000
    )
    assert _photo_layer(page)["src"] == src
    # The refused call is the one expected failure; nothing else went wrong.
    assert [p for p in problems if "background-removal" not in p] == []


def test_clipart_takes_a_colour_and_flips(store: Storefront, store_url: str, page: Page) -> None:
    problems = watch(page)
    _open_editor(page, store_url)
    page.get_by_role("tab", name="Clipart").click()
    page.get_by_role("button", name="Heart", exact=True).click()
    tools = page.locator("[data-luneo-clipart-tools]")
    expect(tools).to_be_visible()
    swatch = tools.locator("[data-clip-color]").first
    if swatch.count():
        swatch.click()
        chosen = swatch.get_attribute("data-clip-color")
    else:
        tools.locator("[data-clip-color-input]").fill("#16a34a")
        chosen = "#16a34a"
    page.locator("[data-luneo-clip-flip-x]").click()
    page.wait_for_function(
        "([key, color]) => (JSON.parse(localStorage.getItem(key) || 'null')?.document.areas.wrap"
        "?.layers || []).some(l => l.type === 'clipart' && l.flip_x === true && l.color === color)",
        arg=[DRAFT_KEY, chosen],
    )
    assert_clean(problems)


def test_a_crop_to_the_frame_keeps_the_boxs_proportions(
    store: Storefront, store_url: str, page: Page, tmp_path: Path
) -> None:
    problems = watch(page)
    _open_editor(page, store_url)
    page.get_by_role("tab", name="Photo").click()
    page.locator("[data-luneo-upload]").set_input_files(str(_subject_photo(tmp_path)))
    expect(page.locator(".luneo-status")).to_have_text("Photo added.")
    box = _photo_layer(page)

    page.locator('[data-luneo-crop-mode="frame"]').click()
    page.locator("[data-luneo-crop-zoom]").fill("2")
    _wait_layer(page, "l.crop && l.crop.width < 0.6")

    layer = _photo_layer(page)
    crop = layer["crop"]
    # In the photo's pixels (1800 x 1200) the kept part has the box's proportions, half as wide
    # as the largest such part, centred; the box itself did not change.
    ratio = box["width_mm"] / box["height_mm"]
    assert (crop["width"] * 1800) / (crop["height"] * 1200) == pytest.approx(ratio, rel=0.01)
    assert crop["width"] == pytest.approx(0.5, abs=0.01)
    assert crop["x"] == pytest.approx((1 - crop["width"]) / 2, abs=0.01)
    assert (layer["width_mm"], layer["height_mm"]) == (box["width_mm"], box["height_mm"])
    assert_clean(problems)


# A side's handle of the selected picture in page pixels: the stage's own placement of the area
# (storefront_widget/src/editor/stage.js: padding 18 px, the area plus bleed fitted) and the
# picture's box, unrotated here.
HANDLE = """([layer, area, side]) => {
    const c = document.querySelector('.luneo-canvas');
    const r = c.getBoundingClientRect();
    const b = area.bleed_mm, w = area.width_mm, h = area.height_mm;
    const s = Math.min((r.width - 36) / (w + 2 * b), (r.height - 36) / (h + 2 * b));
    const ox = r.left + (r.width - w * s) / 2, oy = r.top + (r.height - h * s) / 2;
    const mx = layer.x_mm + layer.width_mm / 2, my = layer.y_mm + layer.height_mm / 2;
    const x = {left: layer.x_mm, right: layer.x_mm + layer.width_mm}[side] ?? mx;
    const y = {top: layer.y_mm, bottom: layer.y_mm + layer.height_mm}[side] ?? my;
    return [ox + x * s, oy + y * s, s];
}"""

# The left and right ends (canvas px) of the opaque strong red on the editor's canvas.
RED_SPAN = """() => {
    const c = document.querySelector('.luneo-canvas');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i] > 170 && data[i + 1] < 70 && data[i + 2] < 70 && data[i + 3] > 200) {
            const x = (i / 4) % c.width; lo = Math.min(lo, x); hi = Math.max(hi, x);
        }
    }
    return [lo, hi];
}"""


def test_a_photo_is_cropped_by_dragging_its_sides_on_the_canvas(
    store: Storefront, store_url: str, page: Page, tmp_path: Path, live_app: Flask
) -> None:
    problems = watch(page)
    with live_app.app_context(), get_db().session() as session:
        wrap = session.scalars(select(PrintArea).where(PrintArea.key == "wrap")).first()
        assert wrap is not None
        area = {
            "width_mm": float(wrap.width_mm),
            "height_mm": float(wrap.height_mm),
            "bleed_mm": float(wrap.bleed_mm),
        }
    _open_editor(page, store_url)
    page.get_by_role("tab", name="Photo").click()
    page.locator("[data-luneo-upload]").set_input_files(str(_subject_photo(tmp_path)))
    expect(page.locator(".luneo-status")).to_have_text("Photo added.")
    page.wait_for_function(f"() => ({RED_PIXELS})('.luneo-canvas').n > 50")
    box = _photo_layer(page)
    red_before = page.evaluate(RED_SPAN)

    toggle = page.locator("[data-luneo-crop-canvas]")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-luneo-crop-canvas-hint]")).to_be_visible()

    # The left side's bar, dragged a quarter of the box to the right: the picture's left quarter
    # goes (it holds part of the red square), what stays does not move.
    x, y, scale = page.evaluate(HANDLE, [box, area, "left"])
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + box["width_mm"] * scale / 8, y, steps=4)
    page.mouse.move(x + box["width_mm"] * scale / 4, y, steps=4)
    page.mouse.up()
    _wait_layer(page, "l.crop && l.crop.x > 0.2")
    layer = _photo_layer(page)
    assert layer["crop"]["x"] == pytest.approx(0.25, abs=0.02)
    assert layer["crop"]["width"] == pytest.approx(0.75, abs=0.02)
    assert layer["width_mm"] == pytest.approx(box["width_mm"] * 0.75, rel=0.02)
    right = box["x_mm"] + box["width_mm"]
    assert layer["x_mm"] + layer["width_mm"] == pytest.approx(right, abs=0.2)
    assert layer["height_mm"] == pytest.approx(box["height_mm"])

    # Press Enter: cropping ends; the canvas shows the cropped picture, the red square cut on
    # its left and its right end where it was.
    page.locator(".luneo-canvas").press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-luneo-crop-canvas-hint]")).to_be_hidden()
    page.wait_for_function(f"lo => ({RED_SPAN})()[0] > lo + 5", arg=red_before[0])
    red_after = page.evaluate(RED_SPAN)
    assert red_after[1] == pytest.approx(red_before[1], abs=3)

    # The sliders show the same crop (the keyboard way to it), and undo puts the picture back.
    expect(page.locator('[data-luneo-crop="left"]')).to_have_value("25")
    page.get_by_role("button", name="Undo").click()
    _wait_layer(page, "!l.crop")
    assert_clean(problems)


def test_an_ai_cutout_replaces_the_photo_and_undo_brings_it_back(
    store: Storefront, store_url: str, page: Page, tmp_path: Path
) -> None:
    """The provider's answer is stood in for here (the offline development provider cannot cut
    out a busy background); the widget's side of the exchange is real: queued, polled, placed."""
    problems = watch(page)
    _open_editor(page, store_url)
    page.get_by_role("tab", name="Photo").click()
    page.locator("[data-luneo-upload]").set_input_files(str(_subject_photo(tmp_path)))
    expect(page.locator(".luneo-status")).to_have_text("Photo added.")
    draft = _draft(page)
    assert draft is not None
    cutout_src = _photo_layer(page)["src"]
    cutout_url = draft["document"]["meta"]["urls"][cutout_src]
    busy = tmp_path / "busy.png"
    Image.effect_noise((300, 200), 120).convert("RGB").save(busy, "PNG")
    page.locator("[data-luneo-upload]").set_input_files(str(busy))
    page.wait_for_function(
        "key => JSON.parse(localStorage.getItem(key)).document.areas.wrap.layers.length === 2",
        arg=DRAFT_KEY,
    )
    layers = _draft(page)["document"]["areas"]["wrap"]["layers"]  # type: ignore[index]
    original = layers[1]["src"]
    polls: list[str] = []
    page.route(
        "**/ai/background-removals*",
        lambda route: route.fulfill(
            status=202, json={"id": "g_test", "status": "queued", "progress": 0, "message": ""}
        ),
    )

    def poll(route: Any) -> None:
        polls.append(route.request.url)
        image = {"src": cutout_src, "url": cutout_url, "width_px": 1800, "height_px": 1200}
        route.fulfill(json={"id": "g_test", "status": "succeeded", "progress": 100, "image": image})

    page.route("**/ai/generations/g_test*", poll)

    page.locator("[data-luneo-remove-bg]").click()
    expect(page.locator("[data-luneo-remove-bg-status]")).to_contain_text("too many colours")
    page.locator("[data-luneo-remove-bg-ai]").click()
    expect(page.locator("[data-luneo-remove-bg-status]")).to_contain_text("redrawn")

    assert len(polls) >= 1
    current = _draft(page)["document"]["areas"]["wrap"]["layers"][1]  # type: ignore[index]
    assert current["src"] == cutout_src
    page.locator("[data-luneo-remove-bg-undo]").click()
    page.wait_for_function(
        "([key, src]) => JSON.parse(localStorage.getItem(key)).document.areas.wrap.layers[1].src"
        " === src",
        arg=[DRAFT_KEY, original],
    )
    assert [p for p in problems if "background-removal" not in p] == []
