"""Every page a merchant or a print partner opens, on a phone (390 × 844), in a real browser.

Each page of the standalone admin (a Luneo account, as a WooCommerce merchant signs in), the
admin embedded in Shopify (App Bridge session token), the account pages and the partner portal
must fit the screen: no sideways scroll, no element wider than the screen (a table scrolling
inside its own box hides columns as surely as the page would), and axe-core's WCAG 2.1 A/AA
check passes at that width. Destructive controls wear the critical tone and ask before acting.

One seeded site serves the whole module (``module_live_server``): the demo shop with its print
files rendered and routed, a WooCommerce store, an account owning both, a pending invitation,
a second partner person and API keys. Each signed-in role is a browser storage state, so each
page is one fresh phone context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from app.accounts import invitations
from app.accounts.passwords import hash_password
from app.demo import DEMO_DOMAIN, DEMO_ORDER_NAME, DEMO_PRINT_ROOM_EMAIL, seed_demo_shop
from app.design.fonts import BUILD_DIR
from app.extensions import get_db, get_storage
from app.fulfilment import keys, routing, team
from app.models import (
    Generation,
    GenerationStatus,
    Membership,
    Order,
    Partner,
    PartnerRole,
    PartnerUser,
    Platform,
    ProductionJob,
    Role,
    RoutingRule,
    Shop,
    ShopScope,
    Template,
    User,
)
from app.product_templates import shop_clipart, shop_fonts
from app.production.pipeline import produce_job
from app.sync import order_edits
from tests.support.axe import describe, violations
from tests.support.shopify import session_token

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"
OWNER = "owner@atelier.test"
WOO_STORE = "Atelier Mugs"
SPARE_KEY = "Spare key"

# Elements wider than the screen, or sticking out of it on either side. An element moved wholly
# off-screen on purpose (the skip link until focused) and 1-pixel visually-hidden labels are not
# what a person sees.
TOO_WIDE = """(limit) => {
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right <= 0) continue;
    if (box.right > limit + 0.5 || box.left < -0.5) {
      const name = element.tagName.toLowerCase() + (element.className && typeof element.className
        === 'string' ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
      found.push(`${name} [${Math.round(box.left)}..${Math.round(box.right)}]`);
    }
  }
  return found;
}"""


@dataclass
class Site:
    url: str
    ids: dict[str, Any]
    states: dict[str, Any] = field(default_factory=dict)


def _seed(app: Flask) -> dict[str, Any]:
    now = datetime.now(UTC)
    with app.app_context(), get_db().session() as session:
        shop = seed_demo_shop(session, get_storage())
        session.commit()
        for job_id in session.scalars(select(ProductionJob.id)).all():
            produce_job(session, get_storage(), job_id)
        routing.route_waiting(session, shop.id)
        session.commit()

        woo = Shop(
            platform=Platform.WOOCOMMERCE, domain="atelier.test", name=WOO_STORE, installed_at=now
        )
        owner = User(email=OWNER, password_hash=hash_password(PASSWORD), email_verified_at=now)
        staff = User(email="staff@atelier.test", password_hash=hash_password(PASSWORD))
        session.add_all([woo, owner, staff])
        session.flush()
        for shop_id in (shop.id, woo.id):
            session.add(Membership(user_id=owner.id, shop_id=shop_id, role=Role.OWNER))
            session.add(Membership(user_id=staff.id, shop_id=shop_id, role=Role.STAFF))
        invitation = invitations.invite(
            ShopScope(session, woo.id), owner, "new.colleague@atelier.test", Role.STAFF
        )

        print_room = session.scalars(
            select(PartnerUser).where(PartnerUser.email == DEMO_PRINT_ROOM_EMAIL)
        ).one()
        partner = session.get(Partner, print_room.partner_id)
        assert partner is not None
        keys.create_key(session, partner.id, "Production line 1", print_room.id)
        keys.create_key(session, partner.id, SPARE_KEY, print_room.id)
        operator = team.invite(session, partner.id, "operator@print.test", PartnerRole.OPERATOR)
        # a rule of its own for the test that deletes one, so the demo's rule keeps routing
        session.add(RoutingRule(shop_id=shop.id, partner_id=partner.id, priority=900))
        # an AI image in the gallery, which the merchant may block
        session.add(
            Generation(
                shop_id=shop.id,
                area_key="wrap",
                prompt="a fox reading under a lamp",
                cache_key="f" * 64,
                provider="local",
                status=GenerationStatus.SUCCEEDED,
            )
        )
        session.commit()
        # the shop's own font and clipart set, which the owner may delete (issue #21)
        own = ShopScope(session, shop.id)
        lobster = BUILD_DIR / "lobster" / "lobster-latin-400-normal.ttf"
        shop_fonts.upload(
            own,
            get_storage(),
            shop_fonts.Upload(lobster.read_bytes(), "brand.ttf", "Brand Script", True, OWNER),
        )
        logos = shop_clipart.create_set(own, "Our logos")
        heart = (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
            b'<path d="M12 21 3 12a5 5 0 0 1 9-6 5 5 0 0 1 9 6z" fill="#dc2626"/></svg>'
        )
        shop_clipart.add_piece(own, get_storage(), logos, heart, "Heart")
        session.commit()

        template = session.scalars(select(Template).where(Template.shop_id == shop.id)).first()
        order = session.scalars(select(Order).where(Order.name == DEMO_ORDER_NAME)).one()
        job = session.scalars(select(ProductionJob.id)).first()
        assert template is not None
        produced = next(item for item in order.items if item.design_id is not None)
        return {
            "order_edit": order_edits.link_token(app.config["SECRET_KEY"], produced),
            "product": template.product_id,
            "order": order.id,
            "job": job,
            "invitation": invitation.token,
            "partner_invitation": team.invitation_token(app.config["SECRET_KEY"], operator),
        }


def _phone(browser: Browser, state: Any = None) -> BrowserContext:
    return browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True, storage_state=state
    )


def _signed_in_states(browser: Browser, url: str) -> dict[str, Any]:
    states: dict[str, Any] = {}
    context = _phone(browser)
    page = context.new_page()
    page.goto(f"{url}/account/sign-in")
    page.get_by_label("E-mail address").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/admin/")
    page.locator("[data-shop-switcher]").select_option(label=WOO_STORE)
    expect(page.get_by_role("heading", name=WOO_STORE)).to_be_visible()
    states["woo-owner"] = context.storage_state()
    page.locator("[data-shop-switcher]").select_option(label="Luneo Demo Store")
    expect(page.get_by_role("heading", name="Luneo Demo Store")).to_be_visible()
    states["merchant"] = context.storage_state()
    context.close()

    context = _phone(browser)
    page = context.new_page()
    page.goto(f"{url}/dev/")
    page.get_by_role("button", name="Open as the demo print room").click()
    page.wait_for_url(f"{url}/partners/")
    states["partner"] = context.storage_state()
    context.close()
    return states


@pytest.fixture(scope="module")
def site(module_live_app: Flask, module_live_server: str, browser: Browser) -> Site:
    ids = _seed(module_live_app)
    return Site(module_live_server, ids, _signed_in_states(browser, module_live_server))


ADMIN = [
    "/admin/",
    "/admin/products",
    "/admin/products/{product}/template",
    "/admin/orders",
    "/admin/orders/{order}",
    "/admin/settings",
    "/admin/billing",
    "/admin/partners",
    "/admin/ai",
    "/admin/assets",
]
EXPECTED_STATUS = {("signed-out", "/admin/"): 401, ("merchant", "/admin/orders/999999"): 404}
PAGES: list[tuple[str, str]] = [
    *(("merchant", path) for path in [*ADMIN, "/account/team", "/account/stores"]),
    ("woo-owner", "/account/team"),
    ("merchant", "/admin/orders/999999"),  # the error page
    *(("shopify", path) for path in ADMIN),
    *(
        ("signed-out", path)
        for path in [
            "/admin/",
            "/account/sign-in",
            "/account/sign-up",
            "/account/reset",
            "/account/invitations/{invitation}",
            "/partners/login",
            "/partners/reset",
            "/partners/invitation/{partner_invitation}",
            "/order-design/{order_edit}",  # the shopper's page to change an ordered design
        ]
    ),
    *(
        ("partner", path)
        for path in [
            "/partners/",
            "/partners/jobs/{job}",
            "/partners/team",
            "/partners/keys",
            "/partners/files",
            "/partners/activity",
            "/partners/password",
        ]
    ),
]


@pytest.fixture
def phone(site: Site, browser: Browser) -> Iterator[Callable[[str, str], Page]]:
    """Opens ``path`` as ``who`` on a fresh phone; answers the page once it has loaded."""
    contexts: list[BrowserContext] = []

    def open_page(who: str, path: str) -> Page:
        context = _phone(browser, site.states.get(who))
        contexts.append(context)
        url = site.url + path.format(**site.ids)
        if who == "shopify":
            # App Bridge comes from Shopify's CDN, which this machine cannot reach
            context.route("https://cdn.shopify.com/**", lambda route: route.abort())
            query = {
                "shop": DEMO_DOMAIN,
                "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvbHVuZW8tZGVtbw",
                "embedded": "1",
                "id_token": session_token(DEMO_DOMAIN),
            }
            url += "?" + urlencode(query)
        page = context.new_page()
        response = page.goto(url)
        assert response is not None
        assert response.status == EXPECTED_STATUS.get((who, path), 200), url
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{w}:{p}" for w, p in PAGES])
def test_the_page_fits_a_phone_and_passes_axe(
    phone: Callable[[str, str], Page], who: str, path: str
) -> None:
    page = phone(who, path)

    width = page.evaluate("document.documentElement.scrollWidth")
    too_wide = page.evaluate(TOO_WIDE, PHONE["width"])
    assert width <= PHONE["width"], f"{path} is {width} px wide: {too_wide[:8]}"
    assert not too_wide, f"{path}: wider than the screen: {too_wide[:8]}"
    found = violations(page)
    assert not found, f"{path} at 390 px:\n{describe(found)}"


def test_order_tables_keep_every_column_on_a_phone(phone: Callable[[str, str], Page]) -> None:
    """Production and Files, the columns that used to scroll off-screen, are read as labelled
    rows of a card: each cell names its column (data-label) and is on the screen."""
    page = phone("merchant", "/admin/orders/{order}")
    for column in ("Production", "Files"):
        cell = page.locator(f"td[data-label='{column}']").first
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]


# Every destructive control the seeded pages show: (who, page, the control's name).
DESTRUCTIVE = [
    ("merchant", "/admin/partners", "Remove"),
    ("merchant", "/admin/partners", "Delete"),
    ("merchant", "/admin/ai", "Block"),
    ("merchant", "/admin/assets", "Delete"),
    ("merchant", "/admin/assets", "Delete set"),
    ("shopify", "/admin/partners", "Remove"),
    ("woo-owner", "/account/team", "Remove"),
    ("woo-owner", "/account/team", "Withdraw"),
    ("woo-owner", "/account/team", "Disconnect store"),
    ("partner", "/partners/keys", "Revoke"),
    ("partner", "/partners/team", "Deactivate"),
    ("partner", "/partners/jobs/{job}", "Report a problem"),
]


@pytest.mark.parametrize(
    ("who", "path", "name"), DESTRUCTIVE, ids=[f"{w}:{p}:{n}" for w, p, n in DESTRUCTIVE]
)
def test_a_destructive_control_is_critical_and_asks_first(
    phone: Callable[[str, str], Page], who: str, path: str, name: str
) -> None:
    page = phone(who, path)
    if name == "Report a problem":
        page.get_by_label("Problem").fill("The mug arrived cracked")
    control = page.get_by_role("button", name=name, exact=True).first
    before = page.url

    assert "button--critical" in (control.get_attribute("class") or "").split()
    control.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(control.get_attribute("data-confirm") or "(no question)")
    expect(dialog.get_by_role("button", name=name, exact=True)).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()

    expect(dialog).to_be_hidden()
    assert page.url == before  # nothing was sent, nothing reloaded
    expect(control).to_be_enabled()
    expect(control).to_be_focused()


def test_confirming_sends_the_form(phone: Callable[[str, str], Page]) -> None:
    page = phone("partner", "/partners/keys")
    row = page.locator("tr", has_text=SPARE_KEY)
    row.get_by_role("button", name="Revoke").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()

    expect(page.get_by_role("status").first).to_contain_text("is revoked")
    expect(page.locator("tr", has_text=SPARE_KEY)).to_contain_text("revoked")
    expect(page.locator("tr", has_text="Production line 1").get_by_role("button")).to_be_visible()


def test_confirming_runs_the_pages_own_action(phone: Callable[[str, str], Page]) -> None:
    page = phone("merchant", "/admin/partners")
    rules = page.locator("tr[data-rule]")
    expect(rules).to_have_count(2)
    spare = page.locator("tr[data-rule]", has_text="900")
    spare.get_by_role("button", name="Delete").click()
    page.get_by_role("alertdialog").press("Escape")
    expect(rules).to_have_count(2)

    spare.get_by_role("button", name="Delete").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(rules).to_have_count(1)


def test_the_job_pages_reports_have_three_tones(phone: Callable[[str, str], Page]) -> None:
    page = phone("partner", "/partners/jobs/{job}")
    tones = {
        "Printing": "button--secondary",
        "Shipped": "button--primary",
        "Report a problem": "button--critical",
    }
    for name, tone in tones.items():
        classes = page.get_by_role("button", name=name, exact=True).get_attribute("class") or ""
        assert tone in classes.split(), (name, classes)


PLAN_TOPS = "els => els.map(e => Math.round(e.getBoundingClientRect().top))"


def test_the_plan_cards_share_one_row_on_a_desktop_and_stack_on_a_phone(
    site: Site, browser: Browser, phone: Callable[[str, str], Page]
) -> None:
    """Issue #21: the four plans used to wrap three and one, Enterprise orphaned below."""
    stacked = phone("merchant", "/admin/billing").locator("[data-plan]").evaluate_all(PLAN_TOPS)
    assert len(stacked) == 4
    assert len(set(stacked)) == 4  # one above the other on a phone

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, storage_state=site.states.get("merchant")
    )
    try:
        page = context.new_page()
        page.goto(site.url + "/admin/billing")
        row = page.locator("[data-plan]").evaluate_all(PLAN_TOPS)
        assert len(set(row)) == 1, row  # one row on a desktop
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280
    finally:
        context.close()


def _fits_and_passes_axe(page: Page, label: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    too_wide = page.evaluate(TOO_WIDE, PHONE["width"])
    assert width <= PHONE["width"], f"{label} is {width} px wide: {too_wide[:8]}"
    assert not too_wide, f"{label}: wider than the screen: {too_wide[:8]}"
    found = violations(page)
    assert not found, f"{label} at 390 px:\n{describe(found)}"


LONG_URL = "https://tracking.example-carrier.test/parcels/track?number=" + "JD0146000038" * 6


def test_shipped_tracking_and_its_correction_fit_a_phone(
    phone: Callable[[str, str], Page],
) -> None:
    """Last in the module: it ships the demo job. The partner ships with a long tracking link,
    corrects it on the job page, and every page showing the tracking still fits 390 px."""
    page = phone("partner", "/partners/jobs/{job}")
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number").fill("JD014600003828")
    page.get_by_label("Tracking URL").fill(LONG_URL)
    page.get_by_role("button", name="Shipped", exact=True).click()
    expect(page.locator("[data-tracking-link]").first).to_have_attribute("href", LONG_URL)
    _fits_and_passes_axe(page, "shipped job page")

    fix = page.locator("form[data-tracking-fix]")
    fix.get_by_label("Tracking number").fill("JD014600009999")
    fix.get_by_role("button", name="Save the tracking").click()
    expect(page.locator("[data-shipment]")).to_contain_text("JD014600009999")
    _fits_and_passes_axe(page, "corrected job page")
    _fits_and_passes_axe(phone("partner", "/partners/"), "job list with tracking")

    order = phone("merchant", "/admin/orders/{order}")
    expect(order.locator("[data-tracking-fix]")).to_have_count(1)
    order.locator("[data-tracking-fix] summary").click()
    _fits_and_passes_axe(order, "order page with tracking")
