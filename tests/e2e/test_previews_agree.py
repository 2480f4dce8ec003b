"""In a real browser: the editor's 2D mockup bends the mug's wrap as the print will sit on it
(and as the server's preview image does), and its 3D view opens facing the print.

The demo mug's mockup wraps its 200 mm area around an 82 mm body (``app.design.warp``): a
marker 20 mm right of the middle shows where the sine of its angle puts it, not where the old
squeezed-flat placement did. In 3D, the camera starts facing the wrap (``model_view``'s orbit),
and the design covers only the printable band.
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.demo import DEMO_DOMAIN, MOCKUP_PLACEMENT, MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import Product, Template
from tests.conftest import SHOPIFY_API_SECRET
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.storefront_shim import Storefront, block_config, serve
from tests.support.demo import plain_canvas

PRODUCT_ID = MUG_PRODUCT_ID.rsplit("/", 1)[1]
DRAFT_KEY = f"luneo:draft:shopify:{PRODUCT_ID}"
RED = "#dc2626"  # one of the demo template's colours


def _seed(app: Flask) -> int:
    with app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())
        session.flush()
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        template = session.scalars(select(Template).where(Template.product_id == mug.id)).one()
        plain_canvas(template)
        session.commit()
        return template.id


@pytest.fixture
def template_id(live_app: Flask) -> int:
    return _seed(live_app)


@pytest.fixture
def store(template_id: int, luneo_url: str) -> Storefront:
    return Storefront(luneo_url, DEMO_DOMAIN, SHOPIFY_API_SECRET, block_config(PRODUCT_ID))


@pytest.fixture
def store_url(store: Storefront) -> Iterator[str]:
    yield from serve(store)


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _document(text: str, x_mm: float, size_mm: float) -> dict[str, Any]:
    layer = {
        "id": "marker",
        "type": "text",
        "text": text,
        "font": "Inter",
        "size_mm": size_mm,
        "color": RED,
        "x_mm": x_mm,
        "y_mm": 45,
        "align": "center",
    }
    return {"version": 1, "areas": {"wrap": {"layers": [layer]}}}


def _open_with(page: Page, store_url: str, template_id: int, document: dict[str, Any]) -> None:
    """The product page, with the shopper's draft holding ``document``; then the editor."""
    page.goto(f"{store_url}/products/mug")
    draft = {"template_id": template_id, "document": document}
    page.evaluate(f"localStorage.setItem({json.dumps(DRAFT_KEY)}, {json.dumps(json.dumps(draft))})")
    page.get_by_role("button", name="Customize").click()
    expect(page.get_by_role("dialog")).to_have_attribute("aria-busy", "false")


def _red_x(pixels: np.ndarray) -> float | None:
    red = (pixels[..., 0] > 150) & (pixels[..., 1] < 100) & (pixels[..., 2] < 100)
    xs = np.nonzero(red)[1]
    return float(xs.mean()) if xs.size else None


def _canvas_pixels(page: Page, selector: str) -> np.ndarray:
    url = page.locator(selector).evaluate("canvas => canvas.toDataURL('image/png')")
    raw = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(raw)).convert("RGB")).astype(int)


def test_the_2d_mockup_bends_the_wrap_as_the_preview_image_does(
    desktop: Page, store_url: str, template_id: int, luneo_url: str
) -> None:
    page = desktop
    problems = watch(page)
    _open_with(page, store_url, template_id, _document("H", 120, 20))
    # the mockup picture loads, then the canvas is redrawn with it
    expect(page.locator("canvas.luneo-mockup")).not_to_have_attribute("data-revision", "0")
    page.wait_for_function(
        "() => { const c = document.querySelector('canvas.luneo-mockup');"
        " return c.width === 640 && Number(c.dataset.revision) > 1; }"
    )

    pixels = _canvas_pixels(page, "canvas.luneo-mockup")
    scale = pixels.shape[1] / 800  # the canvas draws the 800 px mockup at 640 px
    shown = _red_x(pixels)

    place = MOCKUP_PLACEMENT
    angle = (120 - 100) / place["cylinder"]["circumference_mm"] * math.tau
    expected = place["x"] + (math.sin(angle) + 1) / 2 * place["width"]
    squeezed = place["x"] + 120 / 200 * place["width"]
    assert shown is not None
    assert shown / scale == pytest.approx(expected, abs=3)
    assert abs(shown / scale - squeezed) > 15
    # the server's preview image of the same design puts it in the same place
    answer = page.request.post(
        f"{store_url}/apps/luneo/previews",
        data=json.dumps(
            {"template_id": template_id, "area": "wrap", "document": _document("H", 120, 20)}
        ),
        headers={"Content-Type": "application/json", "Accept": "image/png"},
    )
    assert answer.status == 200, answer.text()
    server = np.asarray(Image.open(io.BytesIO(answer.body())).convert("RGB")).astype(int)
    server_x = _red_x(server)
    assert server_x is not None
    assert server_x * 800 / server.shape[1] == pytest.approx(shown / scale, abs=3)
    assert_clean(problems)


def test_the_3d_view_opens_facing_the_print(
    desktop: Page, store_url: str, template_id: int
) -> None:
    page = desktop
    problems = watch(page)
    _open_with(page, store_url, template_id, _document("HHH", 100, 30))
    page.get_by_role("button", name="3D").click()
    viewer = page.locator("model-viewer")
    expect(viewer).to_have_count(1)
    assert viewer.get_attribute("camera-orbit") == "-90deg 75deg auto"
    page.wait_for_function("() => document.querySelector('model-viewer').loaded", timeout=30000)
    viewer.scroll_into_view_if_needed()  # model-viewer draws only what is on screen

    # the texture is painted after load (debounced): the print shows up, in the middle of the
    # view from left to right (where on the mug's height depends on the camera's framing)
    shown, before = None, None
    # until the camera has reached its orbit (it eases towards it), the print is there and the
    # view has settled (two frames agree); a loaded machine paints late, so up to a minute
    for _ in range(240):
        theta = viewer.evaluate("v => v.getCameraOrbit().theta * 180 / Math.PI")
        url = viewer.evaluate("v => v.toDataURL('image/png')")
        frame = np.asarray(
            Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")
        ).astype(int)
        shown = _red_x(frame)
        settled = abs(theta + 90) < 0.5
        if settled and shown is not None and before is not None and abs(shown - before) < 1:
            break
        before = shown
        page.wait_for_timeout(250)
    assert shown is not None, "the print is not facing the viewer"
    assert shown == pytest.approx(frame.shape[1] / 2, abs=frame.shape[1] * 0.1)
    assert_clean(problems)
