"""In a real browser: the development sign-in opens the demo shop's admin, on desktop and phone."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Browser, Page, expect

from app.demo import seed_demo_shop
from app.extensions import get_db, get_storage


def _seed(app: Flask) -> None:
    with app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())


def test_dev_sign_in_opens_the_demo_dashboard(
    live_app: Flask, live_server: str, page: Page
) -> None:
    _seed(live_app)

    page.goto(f"{live_server}/dev/")
    expect(page.get_by_text("Development only").first).to_be_visible()
    page.locator("form[action$='/dev/sign-in'] button").first.click()

    page.wait_for_url(f"{live_server}/admin/")
    expect(page.get_by_role("heading", name="Luneo Demo Store")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Products synced")
    page.get_by_role("link", name="Orders", exact=True).click()
    expect(page.get_by_role("link", name="#1001")).to_be_visible()


def test_admin_fits_a_phone_screen(live_app: Flask, live_server: str, browser: Browser) -> None:
    _seed(live_app)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()

    page.goto(f"{live_server}/dev/")
    page.locator("form[action$='/dev/sign-in'] button").first.click()
    page.wait_for_url(f"{live_server}/admin/")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()


def test_signed_out_admin_says_how_to_open_luneo(live_server: str, page: Page) -> None:
    response = page.goto(f"{live_server}/admin/")

    assert response is not None
    assert response.status == 401
    expect(page.locator("main")).to_contain_text("store admin")
