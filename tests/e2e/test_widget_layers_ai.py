"""In a real browser (issue #19): AI variants to choose from, a repeated prompt, Regenerate; the
layers list (thumbnails, names, hide, lock, delete, drag and buttons to reorder), tapping a
layer on the canvas, and new pictures landing under the texts.

The demo mug's Shopify product page, as in test_widget.py (whose fixtures these tests use).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import get_db
from app.models import Design
from tests.e2e.browser_checks import (
    COVERAGE,
    PLACEHOLDER,
    assert_clean,
    wait_for_pictures,
    watch,
)
from tests.e2e.storefront_shim import Storefront
from tests.e2e.test_widget import (  # noqa: F401 (store, store_url: the fixtures)
    DRAFT_KEY,
    _add_text,
    _draft,
    _open_editor,
    _photo,
    _pinch_out,
    _upload,
    phone,
    store,
    store_url,
)
from tests.support.axe import describe, violations
from tests.support.workers import run_jobs

PROMPT = "a fox reading under a tree"
CHOICES = ".luneo-ai-choices [data-variant]"


def _layers(page: Page) -> list[dict[str, Any]]:
    draft = _draft(page)
    assert draft is not None
    layers: list[dict[str, Any]] = draft["document"]["areas"]["wrap"]["layers"]
    return layers


def _choice_sources(page: Page) -> list[str]:
    expect(page.locator(CHOICES + ":enabled")).to_have_count(4)
    sources: list[str] = page.locator(CHOICES + " img").evaluate_all(
        "imgs => imgs.map(i => new URL(i.src).pathname)"
    )
    return sources


def _rows(page: Page) -> list[str]:
    names: list[str] = page.locator(".luneo-layers .luneo-layer").evaluate_all(
        "buttons => buttons.map(b => b.textContent)"
    )
    return names


def _tap(page: Page, x_mm: float, y_mm: float) -> None:
    """A click on the canvas at a point of the print area (millimetres from its top-left)."""
    stage = page.evaluate(
        "() => { const s = window.LuneoEditor.open().stage; return [s.ox, s.oy, s.scale]; }"
    )
    box = page.locator(".luneo-canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + stage[0] + x_mm * stage[2], box["y"] + stage[1] + y_mm * stage[2])


def test_ai_variants_a_repeated_prompt_and_regenerate(
    store: Storefront,  # noqa: F811 (the fixture)
    store_url: str,  # noqa: F811
    page: Page,
    live_app: Flask,
) -> None:
    # Two sets of four new pictures and a cached repeat (which counts once) in a minute.
    live_app.config["AI_RATE_LIMIT_PER_MINUTE"] = 9
    problems = watch(page)
    _open_editor(page, store_url)
    _add_text(page, "Hello")
    page.get_by_role("tab", name="AI image").click()
    page.locator("[data-luneo-prompt]").fill(PROMPT)

    with page.expect_request(lambda r: r.url.endswith("/ai/generations")) as asked:
        page.get_by_role("button", name="Generate", exact=True).click()
    assert "fresh" not in json.loads(asked.value.post_data or "{}")
    # While the pictures are being made: four tiles waiting, and the set's progress.
    expect(page.locator(CHOICES)).to_have_count(4)
    expect(page.locator(CHOICES + ":disabled")).to_have_count(4)
    expect(page.locator("#luneo-panel-ai progress")).to_be_visible()
    expect(page.locator("#luneo-panel-ai [role=status]")).to_contain_text("Creating 4 images")
    run_jobs(live_app, "ai")
    first = _choice_sources(page)
    assert len(set(first)) == 4
    expect(page.locator("#luneo-panel-ai progress")).to_be_hidden()

    # The shopper picks the second: it goes under the text already there.
    page.get_by_role("button", name="Use image 2 of 4").click()
    page.wait_for_function(
        "key => JSON.parse(localStorage.getItem(key)).document.areas.wrap.layers.length === 2",
        arg=DRAFT_KEY,
    )
    layers = _layers(page)
    assert [layer["type"] for layer in layers] == ["image", "text"]
    assert "/" + layers[0]["src"] in first[1]

    # The same prompt again works: the same four, from the cache, with no job to run.
    with page.expect_response(lambda r: r.url.endswith("/ai/generations")) as repeated:
        page.get_by_role("button", name="Generate", exact=True).click()
    assert repeated.value.status == 202
    assert [v["status"] for v in repeated.value.json()["variants"]] == ["succeeded"] * 4
    assert _choice_sources(page) == first

    # Regenerate asks for new pictures, not the cache's.
    with page.expect_request(lambda r: r.url.endswith("/ai/generations")) as again:
        page.get_by_role("button", name="Regenerate").click()
    body = json.loads(again.value.post_data or "{}")
    assert (body["prompt"], body["fresh"]) == (PROMPT, True)
    expect(page.locator(CHOICES + ":disabled")).to_have_count(4)
    run_jobs(live_app, "ai")
    regenerated = _choice_sources(page)
    assert not set(regenerated) & set(first)

    page.get_by_role("tab", name="Layers").click()
    assert _rows(page) == ["Hello", f"AI image: {PROMPT}"]
    found = violations(page, ".luneo-modal")
    assert not found, describe(found)
    assert_clean(problems)


def test_the_layers_list_and_the_canvas(
    store: Storefront,  # noqa: F811 (the fixture)
    store_url: str,  # noqa: F811
    page: Page,
    tmp_path: Path,
    live_app: Flask,
) -> None:
    problems = watch(page)
    _open_editor(page, store_url)
    _add_text(page, "Top text")
    page.get_by_role("tab", name="Clipart").click()
    page.get_by_role("button", name="Heart", exact=True).click()
    _upload(page, _photo(tmp_path))

    # Pictures added after the text went under it; the list shows the top first.
    assert [layer["type"] for layer in _layers(page)] == ["clipart", "image", "text"]
    page.get_by_role("tab", name="Layers").click()
    assert _rows(page) == ["Top text", "Photo", "Heart"]
    drawn = page.locator(".luneo-layers .luneo-thumb").evaluate_all(
        """cs => cs.map(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return n;
        })"""
    )
    assert len(drawn) == 3
    assert all(n > 20 for n in drawn), drawn  # each thumbnail shows its layer
    found = violations(page, "#luneo-panel-layers")
    assert not found, describe(found)

    # Tapping the canvas selects the topmost layer there: the text, or above it the photo.
    text = _layers(page)[2]
    _tap(page, text["x_mm"], text["y_mm"] + text["size_mm"] * 0.6)
    expect(page.locator(f'[data-layer="{text["id"]}"]')).to_have_attribute("aria-pressed", "true")
    photo = _layers(page)[1]
    _tap(page, photo["x_mm"] + photo["width_mm"] / 2, photo["y_mm"] + 3)
    expect(page.locator(f'[data-layer="{photo["id"]}"]')).to_have_attribute("aria-pressed", "true")

    # Hidden: kept in the design, not drawn, and a tap goes through it.
    page.get_by_role("button", name="Hide — Top text").click()
    expect(page.get_by_role("button", name="Hide — Top text")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert _layers(page)[2]["hidden"] is True
    _tap(page, text["x_mm"], text["y_mm"] + text["size_mm"] * 0.6)
    expect(page.locator(f'[data-layer="{photo["id"]}"]')).to_have_attribute("aria-pressed", "true")

    # Locked: a drag on the canvas does not move it.
    page.get_by_role("button", name="Lock — Photo").click()
    assert _layers(page)[1]["locked"] is True
    before = _layers(page)[1]
    stage = page.evaluate(
        "() => { const s = window.LuneoEditor.open().stage; return [s.ox, s.oy, s.scale]; }"
    )
    box = page.locator(".luneo-canvas").bounding_box()
    assert box is not None
    x = box["x"] + stage[0] + (photo["x_mm"] + photo["width_mm"] / 2) * stage[2]
    y = box["y"] + stage[1] + (photo["y_mm"] + 3) * stage[2]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 10, steps=5)
    page.mouse.up()
    after = _layers(page)[1]
    assert (after["x_mm"], after["y_mm"]) == (before["x_mm"], before["y_mm"])

    # Reorder: drag Heart's handle onto the text's row, then one step down with the button.
    heart = _layers(page)[0]["id"]
    handle = page.locator(f'[data-row="{heart}"] [data-luneo-drag]')
    target = page.locator(f'[data-row="{text["id"]}"]').bounding_box()
    assert target is not None
    handle.hover()
    page.mouse.down()
    page.mouse.move(target["x"] + 60, target["y"] + target["height"] / 2, steps=6)
    page.mouse.up()
    assert _rows(page) == ["Heart", "Top text (hidden, not printed)", "Photo"]
    assert [layer["type"] for layer in _layers(page)] == ["image", "text", "clipart"]
    page.get_by_role("button", name="Move down — Heart").click()
    assert [layer["type"] for layer in _layers(page)] == ["image", "clipart", "text"]

    # Delete from the list.
    page.get_by_role("button", name="Delete — Photo").click()
    assert [layer["type"] for layer in _layers(page)] == ["clipart", "text"]

    # Saved as it is: the hidden text stays in the design (and is not printed: unit tests).
    with page.expect_request(lambda r: r.url.endswith("/cart/add.js")) as cart_request:
        page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".luneo-status")).to_have_text("Added to cart.")
    design_id = json.loads(cart_request.value.post_data or "{}")["items"][0]["properties"][
        "_luneo_design"
    ]
    with live_app.app_context(), get_db().session() as session:
        design = session.scalars(select(Design).where(Design.public_id == design_id)).one()
        saved = design.document["areas"]["wrap"]["layers"]
    assert [(layer["type"], layer.get("hidden", False)) for layer in saved] == [
        ("clipart", False),
        ("text", True),
    ]
    assert_clean(problems)


def test_a_repeated_prompt_mends_a_picture_whose_link_expired(
    store: Storefront,  # noqa: F811 (the fixture)
    store_url: str,  # noqa: F811
    page: Page,
    live_app: Flask,
) -> None:
    """The cached repeat that failed: a draft's AI image whose signed link expired is drawn as
    a grey box; asking for the same prompt again answered the same picture (the cache) and the
    editor kept the dead link, so the new layer was a grey box too."""
    problems = watch(page)
    _open_editor(page, store_url)
    page.get_by_role("tab", name="AI image").click()
    page.locator("[data-luneo-prompt]").fill(PROMPT)
    with page.expect_response(lambda r: r.url.endswith("/ai/generations")):
        page.get_by_role("button", name="Generate", exact=True).click()
    run_jobs(live_app, "ai")
    [first, *_] = _choice_sources(page)
    page.get_by_role("button", name="Use image 1 of 4").click()
    page.wait_for_function(
        "key => JSON.parse(localStorage.getItem(key)).document.areas.wrap.layers.length === 1",
        arg=DRAFT_KEY,
    )
    # Back after the link expired (its signature no longer checks): the picture cannot load.
    page.evaluate(
        """key => {
            const draft = JSON.parse(localStorage.getItem(key));
            const urls = draft.document.meta.urls;
            for (const src of Object.keys(urls))
                urls[src] = urls[src].replace(/signature=[^&]+/, 'signature=expired');
            localStorage.setItem(key, JSON.stringify(draft));
        }""",
        DRAFT_KEY,
    )
    page.reload()
    _open_editor(page, store_url)
    page.wait_for_function(f"grey => ({COVERAGE})(grey).placeholder > 0.05", arg=list(PLACEHOLDER))

    page.get_by_role("tab", name="AI image").click()
    page.locator("[data-luneo-prompt]").fill(PROMPT)
    page.get_by_role("button", name="Generate", exact=True).click()
    assert _choice_sources(page)[0] == first  # the same picture, from the cache
    page.get_by_role("button", name="Use image 1 of 4").click()

    wait_for_pictures(page, coloured=0.1)  # both layers drawn, no grey box left
    draft = _draft(page)
    assert draft is not None
    [url] = draft["document"]["meta"]["urls"].values()
    assert "signature=expired" not in url  # the design keeps the working link
    # The page reported only the dead link's failure.
    assert_clean([p for p in problems if "403" not in p and "signature=expired" not in p])


def test_on_a_phone_a_locked_layer_resists_a_pinch_and_the_list_fits(
    store: Storefront,  # noqa: F811 (the fixture)
    store_url: str,  # noqa: F811
    phone: Page,  # noqa: F811
) -> None:
    problems = watch(phone)
    _open_editor(phone, store_url)
    _add_text(phone, "Anna")
    phone.get_by_role("tab", name="Layers").click()
    phone.get_by_role("button", name="Lock — Anna").click()
    assert _layers(phone)[0]["locked"] is True

    size = _pinch_out(phone)

    assert size["after"] == size["before"]
    # The row's controls fit the 360 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    row = phone.locator(".luneo-layers li").bounding_box()
    assert row is not None
    assert row["x"] + row["width"] <= 360
    assert_clean(problems)
