"""What every widget browser test asserts besides its story: nothing failed in the page.

A request blocked by CORS shows in the console ("... has been blocked by CORS policy") and as a
failed request, never as an exception of the page's scripts, so all three are collected.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Flask
from PIL import Image
from playwright.sync_api import ConsoleMessage, Page
from playwright.sync_api import Request as BrowserRequest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from app.demo import MOCKUP_SIZE, render_mug_mockup
from tests.support.workers import run_jobs

# Points of the demo mug's mockup off the print area: inside the rim, the handle, the backdrop
# above and below. Flat artwork (no mockup) is white there and has another size altogether.
MUG_POINTS = ((400, 128), (670, 325), (50, 50), (700, 560))
# How drawPicture (render.js) shows a picture that did not load: slate at 35 % over white.
PLACEHOLDER = (218, 223, 230)  # 255 - 0.35 × (255 - (148, 163, 184))


def watch(page: Page) -> list[str]:
    """Console errors, uncaught script errors and failed requests, collected as they happen."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text} ({message.location.get('url', '')})")

    def failed(request: BrowserRequest) -> None:
        problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", failed)
    return problems


CANVAS_PIXELS = """(c, points) => {
    const ctx = c.getContext('2d');
    c.toDataURL();
    const rgb = points.map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)]);
    return {width: c.width, height: c.height, rgb};
}"""

# Shares of the editor canvas that are the placeholder of a picture that did not load, and
# that are strongly coloured (a loaded photo or AI image).
COVERAGE = """(grey) => {
    const c = document.querySelector('.luneo-canvas');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const near = (i) => [0, 1, 2].every((k) => Math.abs(data[i + k] - grey[k]) <= 3);
    let placeholder = 0, coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (near(i)) placeholder++;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
    }
    const n = data.length / 4;
    return {placeholder: placeholder / n, coloured: coloured / n};
}"""


def assert_clean(problems: list[str]) -> None:
    """Nothing went wrong in the page (see ``watch``)."""
    assert not problems, "the page reported problems:\n" + "\n".join(problems)


def canvas_pixels(page: Page, selector: str, points: list[tuple[int, int]]) -> dict[str, Any]:
    """A canvas's size and the RGB of some of its pixels, read as a page script would: this
    throws (SecurityError) when a cross-origin picture was drawn on it without CORS."""
    result: dict[str, Any] = page.locator(selector).evaluate(CANVAS_PIXELS, points)
    return result


def assert_mockup_shows_the_mug(page: Page) -> None:
    """The 2D preview is the product photo with the artwork on it, not the flat artwork."""
    mockup = Image.open(io.BytesIO(render_mug_mockup())).convert("RGB")
    k = min(1, 640 / MOCKUP_SIZE[0])  # drawMockup's scale
    size = (round(MOCKUP_SIZE[0] * k), round(MOCKUP_SIZE[1] * k))
    points = [(round(x * k), round(y * k)) for x, y in MUG_POINTS]
    try:
        page.wait_for_function(
            "w => document.querySelector('.luneo-mockup').width === w", arg=size[0], timeout=10_000
        )
    except PlaywrightTimeoutError:
        raise AssertionError("the 2D preview shows flat artwork, not the mug's mockup") from None
    drawn = canvas_pixels(page, ".luneo-mockup", points)
    assert (drawn["width"], drawn["height"]) == size
    for point, rgb in zip(MUG_POINTS, drawn["rgb"], strict=True):
        expected = mockup.getpixel(point)
        assert all(abs(a - b) <= 6 for a, b in zip(rgb, expected, strict=True)), (point, rgb)


def picture_coverage(page: Page) -> dict[str, float]:
    """How much of the editor canvas is a missing picture's placeholder and how much is
    strongly coloured; reading it at all proves the canvas untainted."""
    result: dict[str, float] = page.evaluate(COVERAGE, list(PLACEHOLDER))
    return result


def wait_for_pictures(page: Page, coloured: float) -> dict[str, float]:
    """Wait until at least ``coloured`` of the editor canvas is drawn pictures and none is a
    placeholder (a grey box: blocked by CORS, or failed to load)."""
    drawn = f"grey => {{ const c = ({COVERAGE})(grey); return c.coloured >= {coloured}"
    drawn += " && c.placeholder < 0.01; }"
    try:
        page.wait_for_function(drawn, arg=list(PLACEHOLDER), timeout=15_000)
    except PlaywrightTimeoutError:
        raise AssertionError(f"pictures not drawn: {picture_coverage(page)}") from None
    return picture_coverage(page)


def generate_ai_image(
    page: Page, app: Flask, draft_key: str, is_generation_url: Callable[[str], bool]
) -> None:
    """With the AI tab open: ask for images, run the ``ai`` queue, choose the first of the
    variants, and wait until the draft holds it and it is drawn (not a grey box) beside the
    mug's mockup, canvases readable."""
    page.locator("[data-luneo-prompt]").fill("a fox reading under a tree, watercolour")
    with page.expect_response(
        lambda r: is_generation_url(r.url) and r.request.method == "POST"
    ) as started:
        page.get_by_role("button", name="Generate").click()
    assert started.value.status == 202
    run_jobs(app, "ai")
    page.locator(".luneo-ai-choices [data-variant='0']").click()
    page.wait_for_function(
        "key => (JSON.parse(localStorage.getItem(key) || 'null')?.document.areas.wrap?.layers"
        " || []).some(l => l.type === 'image' && l.src.startsWith('shops/'))",
        arg=draft_key,
        timeout=20_000,
    )
    wait_for_pictures(page, coloured=0.1)
    assert_mockup_shows_the_mug(page)
