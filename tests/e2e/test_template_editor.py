"""In a real browser: the demo shop's template editor previews, saves and reloads a print area."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from playwright.sync_api import Browser, Locator, Page, Route, expect
from sqlalchemy import select

from app.demo import DEMO_DOMAIN, MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import PrintArea, Product
from tests.support.shopify import session_token


def _seed(app: Flask) -> int:
    """The demo shop; returns the mug's product id (its template has the wrap area)."""
    with app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())
        session.flush()
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        return mug.id


def _stored_width(app: Flask) -> str:
    with app.app_context(), get_db().session() as session:
        area = session.scalars(select(PrintArea).where(PrintArea.key == "wrap")).one()
        return str(area.width_mm)


def _stored_placement(app: Flask) -> dict[str, object]:
    with app.app_context(), get_db().session() as session:
        area = session.scalars(select(PrintArea).where(PrintArea.key == "wrap")).one()
        return dict(area.mockup_placement)


def _offline_cdn(route: Route) -> None:
    route.abort()


def _sign_in(page: Page, live_server: str) -> None:
    page.route("https://cdn.shopify.com/**", _offline_cdn)
    page.goto(f"{live_server}/dev/")
    page.locator("form[action$='/dev/sign-in'] button").first.click()
    page.wait_for_url(f"{live_server}/admin/")


def _area_width(page: Page) -> Locator:
    """The print area's width (template fields have widths of their own)."""
    return page.get_by_role("region", name="Print areas").get_by_label("Width (mm)")


def _trim(page: Page) -> dict[str, float]:
    trim = page.locator("[data-preview-svg] [data-box='trim']")
    expect(trim).to_be_visible()
    return {k: float(trim.get_attribute(k) or "nan") for k in ("x", "y", "width", "height")}


def test_editor_previews_saves_and_reloads_a_new_width(
    live_app: Flask, live_server: str, page: Page
) -> None:
    product_id = _seed(live_app)
    _sign_in(page, live_server)

    # Open the editor from the products page.
    page.get_by_role("link", name="Products", exact=True).click()
    page.locator("tr", has_text="Personalized Ceramic Mug").locator("[data-edit-template]").click()
    page.wait_for_url(f"{live_server}/admin/products/{product_id}/template")
    width = _area_width(page)
    expect(width).to_have_value("200")
    # The demo mockup wraps the 200 × 90 mm area around the mug's body: 340 × 373 px at (230, 140).
    expect(page.locator("[data-preview-svg] image")).to_have_count(1)
    assert _trim(page) == {"x": 230, "y": 140, "width": 340, "height": 373}
    wraps = page.get_by_label(
        "The print wraps around the product (a mug, a tumbler): the box is its body"
    )
    expect(wraps).to_be_checked()
    expect(page.get_by_label("Circumference (mm)")).to_have_value("257.61")
    # the wrap's ends are round the back (±100 mm of 257.6 mm): not on the visible side
    expect(page.locator("[data-wrap-end]")).to_have_count(0)

    # A wider area goes further round the same body: the box stays the mug's.
    width.fill("250")
    expect(page.locator("[data-box='trim']")).to_have_attribute("width", "340")
    assert _trim(page) == {"x": 230, "y": 140, "width": 340, "height": 373}
    bleed = page.locator("[data-box='bleed']")
    assert float(bleed.get_attribute("width") or 0) == 340  # around a body: above and below
    # seen from the side (a quarter turn), the end of the wrap shows on the body
    page.get_by_label("Facing the viewer (mm)").fill("80")
    expect(page.locator("[data-wrap-end]")).to_have_count(1)

    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    assert _stored_width(live_app) == "250.00"

    page.reload()
    expect(_area_width(page)).to_have_value("250")
    assert _trim(page)["width"] == 340
    expect(page.get_by_label("Facing the viewer (mm)")).to_have_value("80")
    # a flat placement again: the box follows the area's width at its scale
    page.get_by_label(
        "The print wraps around the product (a mug, a tumbler): the box is its body"
    ).uncheck()
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    assert "cylinder" not in _stored_placement(live_app)


def test_inside_shopify_the_editor_saves_with_the_session_token(
    live_app: Flask, live_server: str, page: Page
) -> None:
    # App Bridge (from Shopify's CDN) is unreachable here, so the page falls back to the
    # id_token it was loaded with; there is no cookie session at all.
    product_id = _seed(live_app)
    page.route("https://cdn.shopify.com/**", _offline_cdn)
    query = {"shop": DEMO_DOMAIN, "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw", "embedded": "1"}
    token = session_token(DEMO_DOMAIN)

    page.goto(
        f"{live_server}/admin/products/{product_id}/template?{urlencode(query)}&id_token={token}"
    )
    _area_width(page).fill("180")
    page.get_by_role("button", name="Save template").click()

    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    assert _stored_width(live_app) == "180.00"
    assert page.context.cookies() == []


def test_editor_shows_the_servers_field_errors(
    live_app: Flask, live_server: str, page: Page
) -> None:
    product_id = _seed(live_app)
    _sign_in(page, live_server)
    page.goto(f"{live_server}/admin/products/{product_id}/template")

    page.get_by_label("Safe margin (mm)").fill("60")
    page.get_by_role("button", name="Save template").click()

    error = page.locator("[data-error-for='print_areas[0].safe_margin_mm']")
    expect(error).to_have_text("Must be from 0 to 50 mm.")
    expect(page.get_by_label("Safe margin (mm)")).to_have_attribute("aria-invalid", "true")
    assert _stored_width(live_app) == "200.00"


def test_make_customizable_opens_the_editor_with_a_default_area(
    live_app: Flask, live_server: str, page: Page
) -> None:
    _seed(live_app)
    _sign_in(page, live_server)
    page.goto(f"{live_server}/admin/products")

    row = page.locator("tr", has_text="Framed Art Poster")
    row.get_by_role("link", name="Make customizable").click()

    page.wait_for_url("**/admin/products/*/template")
    expect(page.get_by_label("Key")).to_have_value("front")
    expect(_area_width(page)).to_have_value("100")
    # no mockup and no product photo yet: the area is drawn on its own, in millimetres
    assert _trim(page) == {"x": 8, "y": 8, "width": 100, "height": 100}
    expect(page.locator("[data-preview-hint]")).to_contain_text("Upload a mockup")
    page.goto(f"{live_server}/admin/products")
    expect(page.locator("tr", has_text="Framed Art Poster")).to_contain_text("Edit template")


def test_a_chosen_preset_opens_the_editor_with_its_real_size(
    live_app: Flask, live_server: str, page: Page
) -> None:
    _seed(live_app)
    _sign_in(page, live_server)
    page.goto(f"{live_server}/admin/products")

    row = page.locator("tr", has_text="Framed Art Poster")
    row.get_by_label("What Framed Art Poster is").select_option("poster_a3")
    row.get_by_role("link", name="Make customizable").click()

    page.wait_for_url("**/admin/products/*/template")
    expect(page.get_by_label("Key")).to_have_value("poster")
    expect(_area_width(page)).to_have_value("297")


def test_editor_fits_a_phone_screen(
    live_app: Flask, live_server: str, browser: Browser, tmp_path: Path
) -> None:
    product_id = _seed(live_app)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    _sign_in(page, live_server)

    page.goto(f"{live_server}/admin/products/{product_id}/template")
    expect(page.locator("[data-box='trim']")).to_be_visible()

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()


def _stored_extra(app: Flask) -> dict[str, object]:
    with app.app_context(), get_db().session() as session:
        area = session.scalars(select(PrintArea).where(PrintArea.key == "wrap")).one()
        return dict(area.template.extra or {})


def test_editor_sets_a_cut_line_and_engraving_and_shows_their_errors(
    live_app: Flask, live_server: str, page: Page
) -> None:
    product_id = _seed(live_app)
    _sign_in(page, live_server)
    page.goto(f"{live_server}/admin/products/{product_id}/template")
    cut = page.get_by_label("Cut line", exact=True)
    expect(cut).to_have_value("")

    cut.select_option("artwork")
    offset = page.get_by_label("Distance from the design or edge (mm)")
    offset.fill("25")
    page.get_by_role("button", name="Save template").click()

    error = page.locator("[data-error-for='cut_line.offset_mm']")
    expect(error).to_have_text("Must be a number from 0 to 20 mm.")
    expect(offset).to_have_attribute("aria-invalid", "true")
    assert "cut_line" not in _stored_extra(live_app)

    offset.fill("2.5")
    page.get_by_label("Laser engraving").select_option("dither")
    page.get_by_label("Text as outlines in the SVG").uncheck()
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    extra = _stored_extra(live_app)
    assert extra["cut_line"] == {
        "source": "artwork",
        "offset_mm": 2.5,
        "shape": "rect",
        "corner_mm": 0,
    }
    assert extra["engraving"] == {
        "method": "dither",
        "threshold": 128,
        "invert": False,
        "outline_text": False,
    }

    page.reload()
    expect(page.get_by_label("Cut line", exact=True)).to_have_value("artwork")
    expect(page.get_by_label("Distance from the design or edge (mm)")).to_have_value("2.5")
    expect(page.get_by_label("Text as outlines in the SVG")).not_to_be_checked()
    page.get_by_label("Cut line", exact=True).select_option("")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    assert "cut_line" not in _stored_extra(live_app)
