"""In a real browser: the shopper tries the demo cap's design on, through a fake camera playing a
public-domain portrait (scikit-image's astronaut) and through a photo; the merchant previews the
placement on the admin's sample portrait.

MediaPipe's face mesh runs in headless Chromium on software WebGL, from the files Luneo serves
(/storefront/tryon/); every request the page makes goes to the store or to Luneo (no CDN), and
the try-on's own script is fetched only when the shopper opens it. The overlay must land where
the portrait's eyes are (tests/support/portrait.py: measured on the picture).
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.demo import CAP_PRODUCT_ID, DEMO_DOMAIN, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import Product, Template
from tests.conftest import SHOPIFY_API_SECRET
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.storefront_shim import Storefront, block_config, serve
from tests.support import portrait

PRODUCT_ID = CAP_PRODUCT_ID.rsplit("/", 1)[1]
GLASSES = {"kind": "glasses", "anchor": "eyes", "scale": 1.6, "offset_x": 0, "offset_y": 0}
TRACKING_TIMEOUT_MS = 90_000  # the first frame loads ~10 MB of Wasm and model, then warms up


@pytest.fixture(scope="module")
def camera_browser(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium whose camera plays the astronaut portrait (granted without a prompt), launched
    by the suite's one Playwright (a second ``sync_playwright()`` inside it refuses to start)."""
    video = portrait.write_y4m(tmp_path_factory.mktemp("camera") / "astronaut.y4m")
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    camera = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    yield camera
    camera.close()


@pytest.fixture
def shopper(camera_browser: Browser) -> Iterator[Page]:
    context = camera_browser.new_context(
        viewport={"width": 1280, "height": 900}, permissions=["camera"], accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def _seed(app: Flask, try_on: dict[str, Any] | None = None) -> int:
    """The demo shop; the cap's try-on settings replaced by ``try_on`` when given."""
    with app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())
        session.flush()
        cap = session.scalars(select(Product).where(Product.external_id == CAP_PRODUCT_ID)).one()
        if try_on is not None:
            template = session.scalars(select(Template).where(Template.product_id == cap.id)).one()
            template.try_on = try_on
        session.commit()
        return cap.id


def _store(app: Flask, luneo_url: str) -> Storefront:
    return Storefront(luneo_url, DEMO_DOMAIN, SHOPIFY_API_SECRET, block_config(PRODUCT_ID))


def _open_try_on(page: Page, store_url: str, requests: list[str]) -> int:
    """The cap's editor with a bold word on the front panel, then "Try it on"; returns how many
    requests were made before it was clicked."""
    page.goto(f"{store_url}/products/cap")
    page.get_by_role("button", name="Customize").click()
    expect(page.get_by_role("dialog")).to_have_attribute("aria-busy", "false")
    page.get_by_role("button", name="Add text").click()
    box = page.locator("[data-luneo-text]")
    box.fill("LUNEO")
    box.press("Tab")
    before = len(requests)
    page.locator("[data-tryon-open]").click()
    expect(page.locator("[data-tryon]")).to_be_visible()
    expect(page.locator("[data-tryon-status]")).to_contain_text("nothing is uploaded")
    return before


def _tracked(page: Page) -> list[list[float]]:
    canvas = page.locator("[data-tryon-canvas]")
    page.wait_for_function(
        "() => Number(document.querySelector('[data-tryon-canvas]').dataset.landmarks) > 0",
        timeout=TRACKING_TIMEOUT_MS,
    )
    assert canvas.get_attribute("data-landmarks") == "468"  # the whole face mesh
    boxes: list[list[float]] = json.loads(canvas.get_attribute("data-boxes") or "[]")
    return boxes


def _picture(page: Page) -> np.ndarray:
    url = page.locator("[data-tryon-canvas]").evaluate("c => c.toDataURL('image/png')")
    data = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


def _changed(picture: np.ndarray) -> np.ndarray:
    """Where the picture differs from the portrait by more than the camera's colour round trip."""
    original = portrait.astronaut().astype(np.int16)
    assert picture.shape == original.shape
    return np.abs(picture - original).max(axis=2) > 80


def _only_store_and_luneo(requests: list[str], store_url: str, luneo_url: str) -> None:
    foreign = [u for u in requests if not u.startswith((store_url, luneo_url, "data:", "blob:"))]
    assert foreign == [], foreign


def test_the_camera_shows_the_design_as_glasses_between_the_eyes(
    live_app: Flask, luneo_url: str, shopper: Page
) -> None:
    _seed(live_app, GLASSES)
    problems = watch(shopper)
    requests: list[str] = []
    shopper.on("request", lambda r: requests.append(r.url))
    # Every camera stream the page opens, to see it stopped when the editor closes.
    shopper.add_init_script(
        "window.__streams = []; const gum = navigator.mediaDevices.getUserMedia"
        ".bind(navigator.mediaDevices); navigator.mediaDevices.getUserMedia = async (c) => {"
        " const s = await gum(c); window.__streams.push(s); return s; };"
    )
    for store_url in serve(_store(live_app, luneo_url)):
        before = _open_try_on(shopper, store_url, requests)
        assert not any("luneo-tryon" in u or "/tryon/" in u for u in requests[:before])
        shopper.locator("[data-tryon-camera]").click()

        boxes = _tracked(shopper)
        shopper.wait_for_function(
            "() => Number(document.querySelector('[data-tryon-canvas]').dataset.frames) >= 3",
            timeout=TRACKING_TIMEOUT_MS,
        )
        picture = _picture(shopper)
        _only_store_and_luneo(requests, store_url, luneo_url)
        assert any("/storefront/tryon/face_mesh" in u for u in requests)
        live = "window.__streams.flatMap((s) => s.getTracks()).map((t) => t.readyState)"
        assert shopper.evaluate(live) == ["live"]
        shopper.get_by_role("button", name="Close the editor").click()
        shopper.get_by_role("alertdialog").get_by_role("button", name="Close").click()
        expect(shopper.locator("[data-tryon]")).to_have_count(0)
        assert shopper.evaluate(live) == ["ended"]  # the camera is off with the editor
    assert_clean(problems)

    assert len(boxes) == 1
    x, y, width, height, angle = boxes[0]
    bx, by = portrait.BETWEEN_EYES
    assert abs(x - bx) <= 8, x
    assert abs(y - by) <= 8, y
    eyes = portrait.EYE_LEFT[0] - portrait.EYE_RIGHT[0]
    # 1.6 x the outer eye corners' span (~1.4 x the pupils'), level with the eyes.
    assert 1.6 * eyes <= width <= 3.2 * eyes, width
    assert abs(angle) < 0.15
    assert height == pytest.approx(width * 50 / 110, rel=0.02)  # the front panel's proportions
    changed = _changed(picture)
    inside = np.zeros_like(changed)
    inside[
        int(y - height / 2) - 2 : int(y + height / 2) + 3,
        int(x - width / 2) - 2 : int(x + width / 2) + 3,
    ] = True
    assert changed[inside].sum() > 20  # the word is drawn over the eyes …
    assert changed[~inside].mean() < 0.002  # … and nowhere else


def test_a_photo_the_shopper_picks_gets_the_cap_and_can_be_saved(
    live_app: Flask, luneo_url: str, shopper: Page, tmp_path: Path
) -> None:
    _seed(live_app)  # the demo cap: a hat on the forehead
    photo = portrait.write_png(tmp_path / "me.png")
    problems = watch(shopper)
    requests: list[str] = []
    shopper.on("request", lambda r: requests.append(r.url))
    for store_url in serve(_store(live_app, luneo_url)):
        _open_try_on(shopper, store_url, requests)
        shopper.locator("[data-tryon-file]").set_input_files(str(photo))

        boxes = _tracked(shopper)
        picture = _picture(shopper)
        with shopper.expect_download() as download:
            shopper.locator("[data-tryon-save]").click()
        saved = Path(download.value.path())
        _only_store_and_luneo(requests, store_url, luneo_url)
        uploads = [u for u in requests if "/uploads" in u]
    assert_clean(problems)

    assert uploads == []  # the photo never left the page
    x, y, width, _, _ = boxes[0]
    assert portrait.EYE_RIGHT[0] - 15 <= x <= portrait.EYE_LEFT[0] + 15
    assert y < portrait.FRINGE_BOTTOM  # on the forehead, above the eyes
    assert 1.5 * (portrait.EYE_LEFT[0] - portrait.EYE_RIGHT[0]) < width
    assert _changed(picture)[: portrait.EYE_RIGHT[1] - 5].sum() > 20
    assert not _changed(picture)[portrait.EYE_RIGHT[1] + 40 :].any()  # the mouth and below
    with Image.open(saved) as image:
        assert (image.format, image.size) == ("PNG", (512, 512))
        assert np.array_equal(np.asarray(image.convert("RGB"), dtype=np.int16), picture)


def test_a_store_whose_policy_forbids_eval_still_gets_the_try_on(
    live_app: Flask, luneo_url: str, shopper: Page, tmp_path: Path
) -> None:
    """MediaPipe's Wasm glue evaluates strings. A theme whose Content-Security-Policy allows no
    'unsafe-eval' (as Luneo's own signed pages) still tracks: MediaPipe runs in Luneo's sandboxed
    tracker frame, the only page that allows it; the store's page only has to allow that frame."""
    _seed(live_app, GLASSES)
    photo = portrait.write_png(tmp_path / "me.png")
    problems = watch(shopper)
    store = _store(live_app, luneo_url)
    store.csp = (
        f"default-src 'self' {luneo_url}; script-src 'self' {luneo_url}; "
        f"style-src 'self' {luneo_url} 'unsafe-inline'; img-src 'self' {luneo_url} data: blob:; "
        f"connect-src 'self' {luneo_url} data: blob:; font-src 'self' {luneo_url} data:; "
        f"frame-src {luneo_url}; worker-src 'self' {luneo_url} blob:"
    )
    requests: list[str] = []
    shopper.on("request", lambda r: requests.append(r.url))
    for store_url in serve(store):
        _open_try_on(shopper, store_url, requests)
        shopper.locator("[data-tryon-file]").set_input_files(str(photo))
        boxes = _tracked(shopper)
        frame = shopper.locator("iframe[data-tryon-tracker]")
        assert frame.get_attribute("sandbox") == "allow-scripts"
        assert frame.get_attribute("src") == f"{luneo_url}/storefront/tryon/frame.html"
        _only_store_and_luneo(requests, store_url, luneo_url)
    assert_clean(problems)  # no policy violation reported, on the page or in the frame
    x, y, _, _, _ = boxes[0]
    assert abs(x - portrait.BETWEEN_EYES[0]) <= 8
    assert abs(y - portrait.BETWEEN_EYES[1]) <= 8


def test_the_admin_preview_places_the_box_on_the_sample_portrait(
    live_app: Flask, live_server: str, shopper: Page
) -> None:
    page = shopper  # the merchant, in the same browser
    cap_id = _seed(live_app, GLASSES)
    problems = watch(page)
    page.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page.goto(f"{live_server}/dev/")
    page.locator("form[action$='/dev/sign-in'] button").first.click()
    page.wait_for_url(f"{live_server}/admin/")
    page.goto(f"{live_server}/admin/products/{cap_id}/template")
    settings = page.locator("[data-tryon-settings]")
    expect(settings.get_by_label("Try it on as")).to_have_value("glasses")
    expect(settings.get_by_label("Anchored on")).to_have_value("eyes")

    settings.get_by_role("button", name="Preview on the sample portrait").click()
    canvas = settings.locator("[data-tryon-preview-canvas]")
    page.wait_for_function(
        "() => document.querySelector('[data-tryon-preview-canvas]').dataset.boxes",
        timeout=TRACKING_TIMEOUT_MS,
    )
    x, y, width, _ = json.loads(canvas.get_attribute("data-boxes") or "")[0]
    assert abs(x - portrait.BETWEEN_EYES[0]) <= 8
    assert abs(y - portrait.BETWEEN_EYES[1]) <= 8

    settings.get_by_label("Size").fill("0.8")
    page.wait_for_function(
        f"() => JSON.parse(document.querySelector('[data-tryon-preview-canvas]')"
        f".dataset.boxes)[0][2] < {width * 0.6}",
        timeout=TRACKING_TIMEOUT_MS,
    )
    settings.get_by_label("Try it on as").select_option("hat")
    expect(settings.get_by_label("Anchored on")).to_have_value("forehead")
    page.locator("[data-save]").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    assert_clean(problems)
    with live_app.app_context(), get_db().session() as session:
        template = session.scalars(select(Template).where(Template.product_id == cap_id)).one()
        assert template.try_on == {
            "kind": "hat",
            "anchor": "forehead",
            "scale": 0.8,
            "offset_x": 0.0,
            "offset_y": 0.0,
        }


def test_a_ring_runs_the_hand_tracker_and_says_when_there_is_no_hand(
    live_app: Flask, luneo_url: str, shopper: Page, tmp_path: Path
) -> None:
    """The hand tracker loads from Luneo and runs on the photo; the portrait shows no hand, so
    nothing is drawn and the shopper is told what to show."""
    _seed(live_app, {"kind": "ring", "anchor": "ring_finger", "scale": 0.3})
    photo = portrait.write_png(tmp_path / "me.png")
    problems = watch(shopper)
    requests: list[str] = []
    shopper.on("request", lambda r: requests.append(r.url))
    for store_url in serve(_store(live_app, luneo_url)):
        _open_try_on(shopper, store_url, requests)
        shopper.locator("[data-tryon-file]").set_input_files(str(photo))
        canvas = shopper.locator("[data-tryon-canvas]")
        expect(canvas).to_have_attribute("data-landmarks", "0", timeout=TRACKING_TIMEOUT_MS)
        expect(shopper.locator("[data-tryon-status]")).to_have_text(
            "No hand found: show the back of your hand to the camera."
        )
        picture = _picture(shopper)
        _only_store_and_luneo(requests, store_url, luneo_url)
        assert any("/storefront/tryon/hands_solution" in u for u in requests)
        assert not any("/storefront/tryon/face_mesh" in u for u in requests)
    assert_clean(problems)
    assert canvas.get_attribute("data-boxes") == "[]"
    assert not _changed(picture).any()


def test_the_merchant_tries_the_settings_on_a_photo_with_the_shoppers_panel(
    live_app: Flask, live_server: str, shopper: Page, tmp_path: Path
) -> None:
    cap_id = _seed(live_app, GLASSES)
    photo = portrait.write_png(tmp_path / "merchant.png")
    problems = watch(shopper)
    shopper.route("https://cdn.shopify.com/**", lambda route: route.abort())
    shopper.goto(f"{live_server}/dev/")
    shopper.locator("form[action$='/dev/sign-in'] button").first.click()
    shopper.wait_for_url(f"{live_server}/admin/")
    shopper.goto(f"{live_server}/admin/products/{cap_id}/template")
    settings = shopper.locator("[data-tryon-settings]")

    settings.get_by_role("button", name="Try it with your camera or a photo").click()
    expect(settings.locator("[data-tryon]")).to_be_visible()
    settings.locator("[data-tryon-file]").set_input_files(str(photo))

    boxes = _tracked(shopper)
    assert_clean(problems)
    x, y, _, _, _ = boxes[0]
    assert abs(x - portrait.BETWEEN_EYES[0]) <= 8
    assert abs(y - portrait.BETWEEN_EYES[1]) <= 8
