"""In a real browser: a WooCommerce merchant signs in to Luneo and lands on their dashboard."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from playwright.sync_api import Page, expect

from app.accounts.passwords import hash_password
from app.extensions import get_db
from app.models import Membership, Platform, Role, Shop, User

PASSWORD = "correct horse battery staple"


def _seed(app: Flask) -> None:
    """Two connected stores owned by one account, so the shop switcher shows."""
    now = datetime.now(UTC)
    with app.app_context(), get_db().session() as session:
        user = User(
            email="owner@shop.test", password_hash=hash_password(PASSWORD), email_verified_at=now
        )
        session.add(user)
        for name in ("Atelier Mugs", "Poster Lab"):
            shop = Shop(
                platform=Platform.WOOCOMMERCE,
                domain=name.lower().replace(" ", "-") + ".test",
                name=name,
                installed_at=now,
            )
            session.add(shop)
            session.flush()
            session.add(Membership(user_id=user.id, shop_id=shop.id, role=Role.OWNER))
        session.commit()


def test_merchant_signs_in_sees_the_dashboard_switches_shop_and_signs_out(
    live_app: Flask, live_server: str, page: Page
) -> None:
    _seed(live_app)

    page.goto(f"{live_server}/admin/")
    page.get_by_role("link", name="Sign in to Luneo").click()
    page.get_by_label("E-mail address").fill("owner@shop.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server}/admin/")
    expect(page.get_by_role("heading", name="Atelier Mugs")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Products synced")
    expect(page.get_by_role("link", name="Team")).to_be_visible()
    page.locator("[data-shop-switcher]").select_option(label="Poster Lab")
    expect(page.get_by_role("heading", name="Poster Lab")).to_be_visible()
    page.get_by_role("link", name="Products", exact=True).click()
    expect(page.locator("main")).to_contain_text("Products")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Luneo")).to_be_visible()
    response = page.goto(f"{live_server}/admin/")
    assert response is not None
    assert response.status == 401


def test_wrong_password_shows_an_error_in_the_browser(
    live_app: Flask, live_server: str, page: Page
) -> None:
    _seed(live_app)

    page.goto(f"{live_server}/account/sign-in")
    page.get_by_label("E-mail address").fill("owner@shop.test")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("[data-error]")).to_contain_text("Wrong e-mail address or password.")
