"""In a real browser (issue #21): the AI page's style rows (add one, its problem shown under its
cell, saved) and uploading a font of the shop's own on the Fonts & clipart page."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from app.demo import seed_demo_shop
from app.design.fonts import BUILD_DIR
from app.extensions import get_db, get_storage


def _signed_in(app: Flask, server: str, page: Page, path: str) -> None:
    with app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())
    page.goto(f"{server}/dev/")
    page.locator("form[action$='/dev/sign-in'] button").first.click()
    page.wait_for_url(f"{server}/admin/")
    page.goto(f"{server}{path}")


def test_a_style_row_is_added_checked_and_saved(
    live_app: Flask, live_server: str, page: Page
) -> None:
    _signed_in(live_app, live_server, page, "/admin/ai")
    rows = page.locator("[data-style-row]")
    before = rows.count()

    page.get_by_role("button", name="Add a style").click()
    new_row = rows.nth(before)
    new_row.get_by_label("Label").fill("Neon sign")
    page.get_by_role("button", name="Save").click()

    expect(new_row.locator('[data-error-for="prefix"]')).to_have_text(
        "Give the words put before the shopper's prompt."
    )
    new_row.get_by_label("Prompt prefix").fill("A glowing neon sign of")
    page.get_by_role("button", name="Save").click()
    expect(page.locator('[data-cell="label"][value="Neon sign"]')).to_have_count(1)
    expect(page.get_by_text("Images are made offline (development preview).")).to_be_visible()


def test_the_owner_uploads_a_font_from_the_page(
    live_app: Flask, live_server: str, page: Page
) -> None:
    _signed_in(live_app, live_server, page, "/admin/assets")
    font = BUILD_DIR / "lobster" / "lobster-latin-400-normal.ttf"

    page.get_by_label("Font file").set_input_files(str(font))
    page.get_by_role("textbox", name="Name shoppers see (optional").fill("Brand Script")
    page.get_by_role("button", name="Upload font").click()
    expect(page.locator('[data-error-for="licence"]')).to_contain_text("licence allows embedding")
    page.get_by_label("I confirm my store holds a licence").check()
    page.get_by_role("button", name="Upload font").click()

    expect(page.locator("[data-font-row]")).to_contain_text("Brand Script")
