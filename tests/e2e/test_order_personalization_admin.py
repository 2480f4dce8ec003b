"""In a real browser: the order page of an order whose lines wait for a design or for their
surcharge — readable, accessible (axe), and its two buttons work. The recovery page passes axe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.demo import MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import (
    Design,
    DesignStatus,
    Order,
    OrderItem,
    Personalization,
    Product,
    ProductionJob,
    Template,
)
from app.sync.recovery import link_token
from tests.e2e.browser_checks import assert_clean, watch
from tests.support.axe import describe, violations


@pytest.fixture
def audited(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def _order(app: Flask) -> tuple[int, int, str]:
    """The demo shop with order #2002: a mug waiting for its design, a mug whose surcharge
    was not paid. Returns the order's id, the unpaid line's id and the waiting line's link."""
    with app.app_context(), get_db().session() as session:
        shop = seed_demo_shop(session, get_storage())
        session.flush()
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        template = session.scalars(select(Template).where(Template.product_id == mug.id)).one()
        held = Design(
            shop_id=shop.id,
            template_id=template.id,
            product_id=mug.id,
            document={"version": 1, "areas": {}},
            status=DesignStatus.SAVED,
        )
        session.add(held)
        session.flush()
        order = Order(
            shop_id=shop.id,
            external_id="e2e-personalization",
            name="#2002",
            email="ada@example.com",
            currency="USD",
            placed_at=datetime.now(UTC),
        )
        waiting = OrderItem(
            shop_id=shop.id,
            external_id="waiting",
            title="Mug waiting",
            product_id=mug.id,
            personalization=Personalization.MISSING,
            recovery_sent_at=datetime(2026, 12, 5, 9, 0, tzinfo=UTC),
        )
        unpaid = OrderItem(
            shop_id=shop.id,
            external_id="unpaid",
            title="Mug unpaid",
            product_id=mug.id,
            design_id=held.id,
            personalization=Personalization.UNPAID,
            expected_surcharge=Decimal("4.00"),
        )
        order.items.extend([waiting, unpaid])
        session.add(order)
        session.commit()
        return order.id, unpaid.id, link_token(app.config["SECRET_KEY"], waiting)


def _sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/dev/")
    page.locator("form[action$='/dev/sign-in'] button").first.click()
    page.wait_for_url(f"{live_server}/admin/")


def test_the_merchant_sees_and_unblocks_the_lines(
    live_app: Flask, live_server: str, audited: Page
) -> None:
    order_id, unpaid_id, _token = _order(live_app)
    _sign_in(audited, live_server)
    expect(audited.locator("[data-count='orders-waiting-for-design']")).to_have_text("1")
    expect(audited.locator("[data-count='unpaid-lines']")).to_have_text("1")
    problems = watch(audited)

    audited.goto(f"{live_server}/admin/orders/{order_id}")
    found = violations(audited, "document")
    assert not found, describe(found)
    waiting = audited.locator("tr[data-item='waiting']")
    expect(waiting).to_contain_text("Waiting for the shopper's design — link sent Dec 5, 2026")
    unpaid = audited.locator("tr[data-item='unpaid']")
    expect(unpaid).to_contain_text("Surcharge not paid — production on hold")
    expect(unpaid).to_contain_text("Personalization: nothing charged (expected $4.00)")

    waiting.get_by_role("button", name="Send the link again").click()
    expect(waiting.locator("[data-item-action-result]")).to_have_text("The link was sent again.")

    unpaid.get_by_role("button", name="Produce anyway").click()
    confirm = audited.get_by_role("alertdialog")  # app/static/confirm.js asks first
    expect(confirm).to_contain_text("The surcharge for this item was not paid.")
    confirm.get_by_role("button", name="Produce anyway").click()
    expect(audited.locator("tr[data-item='unpaid']")).to_contain_text(
        "Surcharge not paid — produced anyway"
    )
    with live_app.app_context(), get_db().session() as session:
        job = session.scalars(
            select(ProductionJob).where(ProductionJob.order_item_id == unpaid_id)
        ).one()
        assert job.design_id is not None
    assert_clean(problems)


def test_the_recovery_page_is_accessible(live_app: Flask, live_server: str, audited: Page) -> None:
    _order_id, _unpaid_id, token = _order(live_app)

    audited.goto(f"{live_server}/recover/{token}")
    expect(audited.get_by_role("dialog")).to_have_attribute("aria-busy", "false")

    found = violations(audited, "document")
    assert not found, describe(found)
