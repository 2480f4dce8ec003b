"""In a real browser: a shopper opens the e-mailed link to change an ordered design, fixes the
typo in its text and saves; the job is made again, and the partner API then answers the job with
``files_version`` 2 and the new files (app.sync.order_edits, app.storefront.order_edits)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.demo import MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.models import (
    Design,
    DesignStatus,
    JobAssignment,
    Order,
    OrderItem,
    Personalization,
    Product,
    ProductionJob,
    Template,
)
from app.product_templates.pricing import quote_design
from app.production.enqueue import enqueue_production
from app.sync.order_edits import link_token
from tests.e2e.browser_checks import assert_clean, watch
from tests.integration.partners.conftest import make_partner, route_to
from tests.support.demo import plain_canvas
from tests.support.workers import run_jobs


def _ordered_line(app: Flask) -> tuple[int, str, str]:
    """The demo shop's mug (a plain canvas) ordered with "For Ada" on it, routed to a partner;
    the line's id, the shopper's link and the partner's API key."""
    with app.app_context(), get_db().session() as session:
        shop = seed_demo_shop(session, get_storage())
        session.flush()
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        template = session.scalars(select(Template).where(Template.product_id == mug.id)).one()
        plain_canvas(template)
        session.flush()
        area = template.print_areas[0].key
        font, color = (template.fonts or ["Inter"])[0], (template.colors or ["#000000"])[0]
        text = {"id": "t1", "type": "text", "text": "For Ada", "font": font, "size_mm": 8}
        document: dict[str, Any] = {
            "version": 1,
            "areas": {area: {"layers": [{**text, "x_mm": 10, "y_mm": 10, "color": color}]}},
        }
        design = Design(
            shop_id=shop.id,
            template_id=template.id,
            product_id=mug.id,
            document=document,
            status=DesignStatus.ORDERED,
        )
        session.add(design)
        session.flush()
        price = quote_design(template, document, shop.currency).total
        order = Order(shop_id=shop.id, external_id="e2e-edit", name="#3001", email="a@b.test")
        item = OrderItem(
            shop_id=shop.id,
            external_id="e2e-edit-line",
            title="Mug",
            product_id=mug.id,
            design_id=design.id,
            personalization=Personalization.DESIGNED,
            surcharge=Decimal(price),
            expected_surcharge=Decimal(price),
        )
        order.items.append(item)
        session.add(order)
        session.flush()
        job = ProductionJob(shop_id=shop.id, order_item_id=item.id, design_id=design.id)
        session.add(job)
        partner = make_partner(session, "Print Co", "print@co.test")
        route_to(session, shop, partner.partner, priority=1)  # before the demo's own print shop
        session.flush()
        enqueue_production(session, [(job.id, shop.id)])
        session.commit()
        return item.id, link_token(app.config["SECRET_KEY"], item), partner.key


def _partner_job(app: Flask, key: str, item_id: int) -> dict[str, Any]:
    with app.app_context(), get_db().session() as session:
        job = session.scalars(
            select(ProductionJob).where(ProductionJob.order_item_id == item_id)
        ).one()
        assignment = session.scalars(
            select(JobAssignment).where(JobAssignment.production_job_id == job.id)
        ).one()
        assignment_id = assignment.id
    answer = app.test_client().get(
        f"/partner-api/v1/jobs/{assignment_id}", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def test_the_shopper_fixes_a_typo_and_the_partner_gets_version_2(
    live_app: Flask, live_server: str, page: Page
) -> None:
    item_id, token, key = _ordered_line(live_app)
    run_jobs(live_app, "render")  # made and routed to the partner
    before = _partner_job(live_app, key, item_id)
    assert before["files_version"] == 1
    assert before["files"]
    problems = watch(page)

    page.goto(f"{live_server}/order-design/{token}")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-busy", "false")
    # the editor opened on the ordered design: its text is there, and is changed
    page.get_by_role("tab", name="Layers").click()
    page.locator('[data-layer="t1"]').first.click()
    page.get_by_role("tab", name="Text").click()
    box = page.locator("[data-luneo-text]")
    expect(box).to_have_value("For Ada")
    box.fill("For Ana")
    box.press("Tab")
    with page.expect_response(lambda r: r.url.endswith("/replace")) as replaced:
        page.get_by_role("button", name="Save changes").click()
    assert replaced.value.status == 200, replaced.value.text()
    expect(page.locator("[data-order-edit-done]")).to_be_visible()

    run_jobs(live_app, "render")  # the job is made again from the new design
    after = _partner_job(live_app, key, item_id)
    assert after["files_version"] == 2
    assert after["id"] == before["id"]
    old = {f["sha256"] for f in before["files"]}
    new = {f["sha256"] for f in after["files"] if f["format"] == "png"}
    assert new
    assert not new & old  # the print files are the new design's
    with live_app.app_context(), get_db().session() as session:
        item = session.get(OrderItem, item_id)
        assert item is not None
        design = session.get(Design, item.design_id)
        assert design is not None
        texts = [
            layer.get("text") for a in design.document["areas"].values() for layer in a["layers"]
        ]
        assert texts == ["For Ana"]
    assert_clean(problems)
