"""axe-core over the pages people use: no serious or critical WCAG 2.1 A/AA violation.

The merchant admin (dashboard, products, template editor, orders, an order, settings, billing,
partners, AI), the account and partner-portal sign-in pages, and the shopper's editor open on a
product page. axe runs in the page itself; the context bypasses CSP only to inject it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from app.demo import seed_demo_shop
from app.extensions import get_db, get_storage
from tests.support.axe import describe, violations

ADMIN_PAGES = [
    "/admin/",
    "/admin/products",
    "/admin/orders",
    "/admin/settings",
    "/admin/billing",
    "/admin/partners",
    "/admin/ai",
    "/admin/analytics",
    "/admin/analytics?range=12m",
]
PUBLIC_PAGES = ["/account/sign-in", "/account/sign-up", "/account/reset", "/partners/login"]


@pytest.fixture
def audited(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def _assert_accessible(page: Page, what: str, context: str = "document") -> None:
    found = violations(page, context)
    assert not found, f"{what}:\n{describe(found)}"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_sign_in_pages_are_accessible(live_server: str, audited: Page, path: str) -> None:
    audited.goto(f"{live_server}{path}")
    _assert_accessible(audited, path)


def test_the_admin_is_accessible(live_app: Flask, live_server: str, audited: Page) -> None:
    with live_app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())
    audited.goto(f"{live_server}/dev/")
    audited.locator("form[action$='/dev/sign-in'] button").first.click()
    audited.wait_for_url(f"{live_server}/admin/")

    for path in ADMIN_PAGES:
        audited.goto(f"{live_server}{path}")
        _assert_accessible(audited, path)
    audited.goto(f"{live_server}/admin/orders")
    audited.get_by_role("link", name="#1001").click()
    _assert_accessible(audited, "an order")
    audited.goto(f"{live_server}/admin/products")
    audited.locator("a[href$='/template']").first.click()
    expect(audited.locator("[data-field='model_3d']")).to_be_visible()
    _assert_accessible(audited, "the template editor")


def test_the_partner_portal_is_accessible(live_app: Flask, live_server: str, audited: Page) -> None:
    from sqlalchemy import select

    from app.fulfilment import routing
    from app.models import ProductionJob
    from app.production.pipeline import produce_job

    with live_app.app_context(), get_db().session() as session:
        shop = seed_demo_shop(session, get_storage())
        session.commit()
        for job_id in session.scalars(select(ProductionJob.id)).all():
            produce_job(session, get_storage(), job_id)
        routing.route_waiting(session, shop.id)
        session.commit()
    audited.goto(f"{live_server}/dev/")
    audited.get_by_role("button", name="Open as the demo print room").click()
    audited.wait_for_url(f"{live_server}/partners/")
    _assert_accessible(audited, "the job list")

    audited.locator("a[href*='/partners/jobs/']").first.click()
    expect(audited.get_by_role("heading", level=1)).to_be_visible()
    _assert_accessible(audited, "a job")
    for path in ("/partners/team", "/partners/keys", "/partners/activity", "/partners/password"):
        audited.goto(f"{live_server}{path}")
        _assert_accessible(audited, path)
