"""In a real browser: the shopper switches between the product's views (the demo mug from the
front, its left and its right side) and the live preview shows the design where each picture
puts it, on a desktop and on a phone, and axe finds nothing serious with the views showing."""

from __future__ import annotations

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

from app.demo import DEMO_DOMAIN, MOCKUP_PLACEMENT, MUG_VIEWS
from tests.conftest import SHOPIFY_API_SECRET
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.storefront_shim import Storefront, block_config, serve
from tests.e2e.test_previews_agree import (
    PRODUCT_ID,
    _canvas_pixels,
    _document,
    _open_with,
    _red_x,
    _seed,
)
from tests.support.axe import describe, violations

CANVAS = "canvas.luneo-mockup"


@pytest.fixture
def template_id(live_app: Flask) -> int:
    return _seed(live_app)


@pytest.fixture
def store_url(template_id: int, luneo_url: str) -> Iterator[str]:
    yield from serve(
        Storefront(luneo_url, DEMO_DOMAIN, SHOPIFY_API_SECRET, block_config(PRODUCT_ID))
    )


@pytest.fixture(params=[(1366, 900), (390, 844)], ids=["desktop", "phone"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    width, height = request.param
    phone = width < 760
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=phone, is_mobile=phone
    )
    yield context.new_page()
    context.close()


def _redrawn(page: Page, view: int, after: int) -> int:
    """Wait until the preview shows ``view`` with its picture loaded; its new revision."""
    page.wait_for_function(
        f"() => {{ const c = document.querySelector('{CANVAS}');"
        f" return c.dataset.view === '{view}' && c.width === 640"
        f" && Number(c.dataset.revision) > {after}; }}"
    )
    return int(page.locator(CANVAS).get_attribute("data-revision") or 0)


def _expected_x(offset_mm: float) -> float:
    """Where a mark in the wrap's middle shows on a view facing ``offset_mm`` from it."""
    cylinder = MOCKUP_PLACEMENT["cylinder"]
    angle = -offset_mm / cylinder["circumference_mm"] * math.tau
    return MOCKUP_PLACEMENT["x"] + (math.sin(angle) + 1) / 2 * MOCKUP_PLACEMENT["width"]


def test_the_shopper_switches_views_and_the_preview_follows(
    page: Page, store_url: str, template_id: int
) -> None:
    problems = watch(page)
    _open_with(page, store_url, template_id, _document("H", 100, 16))
    if page.viewport_size and page.viewport_size["width"] < 760:
        page.get_by_role("button", name="Enlarge the preview").click()
    views = page.get_by_role("group", name="Views of the product")
    expect(views).to_be_visible()
    chips = views.get_by_role("button")
    expect(chips).to_have_text(["Wrap-around", *(name for name, _ in MUG_VIEWS)])
    expect(chips.first).to_have_attribute("aria-pressed", "true")

    revision = _redrawn(page, 0, 1)
    front = _red_x(_canvas_pixels(page, CANVAS))
    assert front is not None
    scale = 640 / 800  # the 800 px mockup is drawn 640 px wide
    assert front / scale == pytest.approx(_expected_x(0), abs=3)

    for index, (name, offset) in enumerate(MUG_VIEWS, start=1):
        views.get_by_role("button", name=name).click()
        expect(views.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "true")
        expect(chips.first).to_have_attribute("aria-pressed", "false")
        revision = _redrawn(page, index, revision)
        shown = _red_x(_canvas_pixels(page, CANVAS))
        assert shown is not None, f"{name}: the mark is not on the preview"
        assert shown / scale == pytest.approx(_expected_x(offset), abs=3), name
        assert abs(shown - front) > 20  # the view did change what the shopper sees

    found = violations(page, "[role='dialog']")
    assert not found, describe(found)
    assert_clean(problems)


# ---------------------------------------------------------------- the shirt's folds


def _shirt(app: Flask) -> int:
    from sqlalchemy import select

    from app.demo import TSHIRT_PRODUCT_ID
    from app.extensions import get_db
    from app.models import Product, Template

    _seed(app)
    with app.app_context(), get_db().session() as session:
        shirt = session.scalars(
            select(Product).where(Product.external_id == TSHIRT_PRODUCT_ID)
        ).one()
        return session.scalars(select(Template.id).where(Template.product_id == shirt.id)).one()


def _left_edges(pixels: Any) -> Any:
    red = (pixels[..., 0] > 150) & (pixels[..., 1] < 110) & (pixels[..., 2] < 110)
    rows = [row for row in range(red.shape[0]) if red[row].any()]
    return np.array(rows), np.array([np.nonzero(red[row])[0][0] for row in rows])


def test_the_shirt_print_follows_the_folds_in_the_editor_as_on_the_server(
    live_app: Flask, luneo_url: str, browser: Browser
) -> None:
    from app.demo import SHIRT_FRONT_PLACEMENT, TSHIRT_PRODUCT_ID

    template = _shirt(live_app)
    shirt_id = TSHIRT_PRODUCT_ID.rsplit("/", 1)[1]
    store = Storefront(luneo_url, DEMO_DOMAIN, SHOPIFY_API_SECRET, block_config(shirt_id))
    # a tall letter (the widget draws text, photos and clipart): its left stem is the edge
    mark = {
        "id": "mark",
        "type": "text",
        "text": "H",
        "font": "Inter",
        "size_mm": 260,
        "color": "#dc2626",
        "x_mm": 140,
        "y_mm": 60,
        "align": "center",
    }
    document = {"version": 1, "areas": {"front": {"layers": [mark]}}}
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    problems = watch(page)
    for url in serve(store):
        page.goto(f"{url}/products/shirt")
        draft = {"template_id": template, "document": document}
        key = f"luneo:draft:shopify:{shirt_id}"
        page.evaluate(f"localStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(draft))})")
        page.get_by_role("button", name="Customize").click()
        expect(page.get_by_role("dialog")).to_have_attribute("aria-busy", "false")
        _redrawn(page, 0, 1)
        live = _canvas_pixels(page, CANVAS)
        answer = page.request.post(
            f"{url}/apps/luneo/previews",
            data=json.dumps({"template_id": template, "area": "front", "document": document}),
            headers={"Content-Type": "application/json", "Accept": "image/png"},
        )
        assert answer.status == 200, answer.text()
        server = np.asarray(Image.open(io.BytesIO(answer.body())).convert("RGB")).astype(int)
    context.close()

    # both in mockup pixels: the editor draws the 800 px shirt 640 px wide, the server 800
    live_rows, live_x = _left_edges(live)
    server_rows, server_x = _left_edges(server)
    live_x, live_rows = live_x / 0.8, live_rows / 0.8
    assert np.ptp(server_x) >= 4, "the folds do not move the print on the server"
    assert np.ptp(live_x) >= 4, "the folds do not move the print in the editor"
    assert SHIRT_FRONT_PLACEMENT["x"] < server_x.min() < server_x.max() < 400
    # the same folds move the same edge: row by row, within two pixels of each other
    shared = np.interp(server_rows, live_rows, live_x)
    inside = (server_rows > live_rows.min() + 5) & (server_rows < live_rows.max() - 5)
    assert np.median(np.abs(shared[inside] - server_x[inside])) < 2
    assert_clean(problems)
