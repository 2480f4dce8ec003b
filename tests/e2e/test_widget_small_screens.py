"""In a real browser, on a phone (390 x 844) and a desktop zoomed to 200 % (683 x 450 CSS px):
the preview stays in sight while the tools scroll, every tool tab can be reached, a message
about what just happened goes when the shopper moves on, closing with changes asks first, the
icons need no emoji font, the title does not say "Personalize Personalized …", and axe finds
nothing serious at phone width.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.conftest import SHOPIFY_API_SECRET
from tests.e2e.browser_checks import assert_clean, watch
from tests.e2e.storefront_shim import Storefront, block_config, serve
from tests.e2e.test_widget import PRODUCT_ID, _add_text, _open_editor, _photo, _seed, _upload

TOOLS = ("Text", "Photo", "Clipart", "AI image", "Layers")


@pytest.fixture
def store(live_app: Flask, luneo_url: str) -> Storefront:
    from app.demo import DEMO_DOMAIN

    _seed(live_app)
    return Storefront(luneo_url, DEMO_DOMAIN, SHOPIFY_API_SECRET, block_config(PRODUCT_ID))


@pytest.fixture
def store_url(store: Storefront) -> Iterator[str]:
    yield from serve(store)


def _context(browser: Browser, width: int, height: int, **extra: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": height}, **extra)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    yield from _context(browser, 390, 844, has_touch=True, is_mobile=True)


@pytest.fixture
def zoomed(browser: Browser) -> Iterator[Page]:
    """A 1366 x 900 desktop at 200 % zoom: what the page lays out in."""
    yield from _context(browser, 683, 450, device_scale_factor=2)


def _in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    assert viewport is not None
    return (
        box is not None
        and box["height"] > 40
        and box["y"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
    )


def test_on_a_phone_the_preview_stays_in_sight_while_the_tools_scroll(
    store_url: str,
    phone: Page,
) -> None:
    page = phone
    problems = watch(page)
    _open_editor(page, store_url)
    _add_text(page, "Happy birthday")
    assert _in_view(page, ".luneo-preview")

    # the tools far down the panel: the preview is still there, over the canvas's corner
    page.get_by_role("tab", name="Layers").click()
    page.locator(".luneo-layers").scroll_into_view_if_needed()
    assert _in_view(page, ".luneo-preview")
    assert _in_view(page, ".luneo-canvas") or page.locator(".luneo-canvas").is_visible()

    # tapped, it grows (and offers 3D); tapped again, it is small again
    enlarge = page.get_by_role("button", name="Enlarge the preview")
    enlarge.click()
    expect(page.get_by_role("button", name="Make the preview small again")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.get_by_role("button", name="3D")).to_be_visible()
    page.get_by_role("button", name="Make the preview small again").click()
    expect(page.get_by_role("button", name="3D")).to_be_hidden()
    assert_clean(problems)


def test_at_200_percent_zoom_every_tool_tab_can_be_reached(
    store_url: str,
    zoomed: Page,
) -> None:
    page = zoomed
    problems = watch(page)
    _open_editor(page, store_url)
    for name in (*TOOLS, "Text"):
        tab = page.get_by_role("tab", name=name)
        tab.click()  # fails when anything (a sticky canvas) covers it
        expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("button", name="Add to cart")).to_be_visible()
    page.get_by_role("button", name="Add to cart").scroll_into_view_if_needed()
    assert_clean(problems)


def test_a_message_about_what_just_happened_goes_when_the_shopper_moves_on(
    store_url: str,
    phone: Page,
    tmp_path: Path,
) -> None:
    page = phone
    _open_editor(page, store_url)
    _upload(page, _photo(tmp_path))  # "Photo added."

    page.get_by_role("tab", name="Text").click()

    expect(page.locator(".luneo-status")).to_have_text("")


def test_closing_with_changes_asks_first_and_without_changes_does_not(
    store_url: str,
    phone: Page,
) -> None:
    page = phone
    _open_editor(page, store_url)
    page.get_by_role("button", name="Close the editor").click()
    expect(page.get_by_role("dialog")).to_have_count(0)  # nothing changed: no question

    page.get_by_role("button", name="Customize").click()
    expect(page.get_by_role("dialog")).to_have_attribute("aria-busy", "false")
    _add_text(page, "Ada")
    page.get_by_role("button", name="Close the editor").click()
    ask = page.get_by_role("alertdialog", name="Close without adding to the cart?")
    expect(ask).to_contain_text("It stays saved in this browser")
    ask.get_by_role("button", name="Keep editing").click()
    expect(ask).to_have_count(0)
    expect(page.locator("[data-luneo-text]")).to_have_value("Ada")
    page.get_by_role("button", name="Close the editor").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_icons_need_no_emoji_font_and_the_title_is_the_products_own(
    store_url: str,
    phone: Page,
) -> None:
    page = phone
    _open_editor(page, store_url)
    _add_text(page, "Ada")
    delete = page.get_by_role("button", name="Delete", exact=True)
    expect(delete.locator("svg[data-icon='trash']")).to_have_count(1)
    assert delete.inner_text().strip() == ""
    page.get_by_role("tab", name="Layers").click()
    row_icons = page.locator(".luneo-layers .luneo-icon svg")
    assert row_icons.count() >= 3  # hide, lock, delete
    emoji = page.evaluate(
        "() => [...document.querySelectorAll('[role=dialog] button')]"
        ".map((b) => b.textContent).filter((t) => /\\p{Extended_Pictographic}/u.test(t))"
    )
    assert emoji == []
    # the demo's product is called "Personalized Ceramic Mug": no "Personalize" before it
    expect(page.get_by_role("heading", level=2)).to_have_text("Personalized Ceramic Mug")


def test_the_editor_passes_axe_at_phone_width(
    store_url: str,
    phone: Page,
) -> None:
    from tests.support.axe import describe, violations

    page = phone
    _open_editor(page, store_url)
    _add_text(page, "Happy birthday Anna")
    for tab in TOOLS:
        page.get_by_role("tab", name=tab).click()
        found = violations(page, "[role='dialog']")
        assert not found, f"phone, {tab} panel:\n{describe(found)}"
    page.get_by_role("button", name="Enlarge the preview").click()
    found = violations(page, "[role='dialog']")
    assert not found, f"phone, enlarged preview:\n{describe(found)}"
