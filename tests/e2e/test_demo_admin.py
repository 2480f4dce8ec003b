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


def test_the_order_page_shows_the_produced_model_in_3d(
    live_app: Flask, live_server: str, page: Page
) -> None:
    from sqlalchemy import select

    from app.models import ProductionJob
    from app.production.pipeline import produce_job

    _seed(live_app)
    with live_app.app_context(), get_db().session() as session:
        for job_id in session.scalars(select(ProductionJob.id)).all():
            produce_job(session, get_storage(), job_id)
    viewer_requests: list[str] = []
    page.on("request", lambda r: viewer_requests.append(r.url) if "luneo-viewer" in r.url else None)

    page.goto(f"{live_server}/dev/")
    page.locator("form[action$='/dev/sign-in'] button").first.click()
    page.wait_for_url(f"{live_server}/admin/")
    page.get_by_role("link", name="Orders", exact=True).click()
    page.get_by_role("link", name="#1001").click()
    assert viewer_requests == []  # the viewer (~290 KB gz) loads only when asked for

    # the preview on the mockup opens large, and closes with Escape
    page.get_by_role("button", name="Enlarge the preview: Wrap-around").click()
    dialog = page.get_by_role("dialog", name="Preview: Wrap-around")
    expect(dialog).to_be_visible()
    large = dialog.get_by_role("img", name="Preview: Wrap-around")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=large.element_handle()
    )
    assert (large.bounding_box() or {}).get("width", 0) > 400
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.get_by_role("button", name="View in 3D").click()

    viewer = page.locator("model-viewer")
    expect(viewer).to_have_count(1)
    assert viewer.get_attribute("src")  # the signed GLB link
    assert viewer.get_attribute("ios-src")  # the USDZ, for AR Quick Look on iOS
    # it opens facing the print: the mug's wrap is opposite its handle (+X)
    assert viewer.get_attribute("camera-orbit") == "-90deg 75deg auto"
    loaded = page.evaluate(
        """() => new Promise((resolve) => {
            const v = document.querySelector('model-viewer');
            if (v.loaded) return resolve(true);
            v.addEventListener('load', () => resolve(true));
            v.addEventListener('error', () => resolve(false));
            setTimeout(() => resolve(v.loaded), 15000);
        })"""
    )
    assert loaded, "the GLB did not load in the viewer"
    assert page.locator("[data-model-error]").is_hidden()
