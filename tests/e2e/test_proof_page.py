"""In a real browser, on a phone: the shopper opens the e-mailed proof link, sees the proof sheet
and the preview, approves, and the job reaches the print partner's API. And the merchant turns
proof approval on in the template editor."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.demo import MUG_PRODUCT_ID, seed_demo_shop
from app.extensions import get_db, get_storage
from app.fulfilment.proofs import proof_of
from app.models import Product, ProofAtDeadline, ProofSend, ProofStatus, Template
from app.storage import Storage
from jobs.production import produce
from tests.factories import make_shop
from tests.integration.partners.conftest import PartnerSetup, make_partner, route_to
from tests.integration.production.conftest import Setup, make_setup
from tests.support.axe import describe, violations
from tests.support.workers import run_jobs

from .browser_checks import assert_clean, watch
from .test_phone_pages import PHONE, TOO_WIDE


def _ready_and_sent(app: Flask) -> tuple[Setup, PartnerSetup, str]:
    """A shop whose template asks for approval, its job made by the render job, the proof
    e-mail sent by the queued job; the path of the link it carries."""
    with app.app_context():
        with get_db().session() as session:
            setup, partner = _proofed(session, get_storage())
        produce(setup.job.id)
        run_jobs(app, "default")
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    (path,) = re.findall(r"https?://[^/\s]+(/proof/\S+)", mailer.outbox[-1].text)
    return setup, partner, path


def _proofed(session: Session, storage: Storage) -> tuple[Setup, PartnerSetup]:
    setup = make_setup(session, storage, shop=make_shop(session, name="Mug Store", plan="pro"))
    setup.template.proof_required, setup.template.proof_send = True, ProofSend.AUTO
    setup.order.email = "ada@example.test"
    partner = make_partner(session, "Print A", "a@print.test")
    route_to(session, setup.shop, partner.partner)
    session.commit()
    return setup, partner


def test_the_shopper_approves_the_emailed_proof_and_the_partner_gets_the_job(
    live_app: Flask, live_server: str, browser: Browser
) -> None:
    setup, partner, path = _ready_and_sent(live_app)
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    problems = watch(page)
    api = context.request
    jobs_url = f"{live_server}/partner-api/v1/jobs"
    headers = {"Authorization": f"Bearer {partner.key}"}
    assert api.get(jobs_url, headers=headers).json()["jobs"] == []

    page.goto(live_server + path)

    expect(page.get_by_role("heading", name=re.compile("Your proof"))).to_be_visible()
    preview = page.get_by_alt_text(re.compile("Preview of your design"))
    expect(preview).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", preview.element_handle()) > 0
    sheet = page.get_by_role("link", name="Open the proof sheet (PDF)")
    pdf = api.get(str(sheet.get_attribute("href")))
    assert pdf.body().startswith(b"%PDF")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not page.evaluate(TOO_WIDE, PHONE["width"])
    found = violations(page)
    assert not found, describe(found)

    page.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("status")).to_contain_text("Approved, thank you!")
    jobs = api.get(jobs_url, headers=headers).json()["jobs"]
    assert [j["order"]["id"] for j in jobs] == [setup.order.id]
    with live_app.app_context(), get_db().session() as session:
        proof = proof_of(session, setup.job.id)
        assert proof is not None
        assert proof.status is ProofStatus.APPROVED
    assert_clean(problems)
    context.close()


def test_the_merchant_turns_proof_approval_on_in_the_template_editor(
    live_app: Flask, live_server: str, page: Page
) -> None:
    with live_app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())
        session.flush()
        mug = session.scalars(select(Product).where(Product.external_id == MUG_PRODUCT_ID)).one()
        product_id = mug.id
    page.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page.goto(f"{live_server}/dev/")
    page.locator("form[action$='/dev/sign-in'] button").first.click()
    page.wait_for_url(f"{live_server}/admin/")
    page.goto(f"{live_server}/admin/products/{product_id}/template")
    section = page.get_by_role("region", name="Proof approval")
    expect(section.get_by_label("Shoppers approve a proof before production")).not_to_be_checked()

    section.get_by_label("Shoppers approve a proof before production").check()
    section.get_by_label("Who sends the proof").select_option("merchant")
    section.get_by_label("Time to answer (hours)").fill("72")
    section.get_by_label("When nobody answers in time").select_option("produce")
    page.get_by_role("button", name="Save template").click()

    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    with live_app.app_context(), get_db().session() as session:
        template = session.scalars(select(Template).where(Template.product_id == product_id)).one()
        assert template.proof_required is True
        assert (template.proof_send, template.proof_deadline_hours) == (ProofSend.MERCHANT, 72)
        assert template.proof_at_deadline is ProofAtDeadline.PRODUCE
    page.reload()
    expect(section.get_by_label("Time to answer (hours)")).to_have_value("72")
    # a deadline out of range is refused next to its field
    section.get_by_label("Time to answer (hours)").fill("0")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-error-for='proof.deadline_hours']")).not_to_be_empty()
