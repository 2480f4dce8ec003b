"""Issue #21, the billing page: a free plan's price said once, branding without a double
negative, the plan cards in one row, and no trial offered on the plan the shop already has or
to a shop that already had its trial or a paid plan."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Shop, Subscription, SubscriptionStatus
from tests.support.pages import visible_text
from tests.support.shopify import session_token

CSS = Path(__file__).resolve().parents[3] / "app" / "static" / "luneo.css"


def _page(client: FlaskClient, shop: Shop) -> str:
    token = session_token(shop.domain)
    response = client.get(f"/admin/billing?id_token={token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _card(page: str, plan: str) -> str:
    found = re.search(
        rf'<article class="card plan[^"]*" data-plan="{plan}".*?</article>', page, re.S
    )
    assert found is not None, plan
    return found.group(0)


def _subscribe(session: Session, shop: Shop, **values: object) -> None:
    session.add(Subscription(shop_id=shop.id, **values))
    shop.plan = str(values["plan"])
    session.commit()


def test_the_free_plan_says_free_once_and_is_the_current_plan(
    client: FlaskClient, shopify_shop: Shop
) -> None:
    free = visible_text(_card(_page(client, shopify_shop), "free"))

    assert free.count("Free") == 1  # the name; not "Free / Free"
    assert "Current plan" in free
    assert "free trial" not in free


def test_branding_reads_without_a_double_negative(client: FlaskClient, shopify_shop: Shop) -> None:
    page = _page(client, shopify_shop)

    assert "No Luneo branding" not in visible_text(page)
    assert "\u201cPersonalized with Luneo\u201d" in visible_text(_card(page, "pro"))
    assert "Luneo branding removed" in visible_text(_card(page, "enterprise"))
    assert "— No" not in visible_text(page)


def test_the_plan_cards_sit_in_one_row_on_a_desktop_and_stack_on_a_phone(
    client: FlaskClient, shopify_shop: Shop
) -> None:
    page = _page(client, shopify_shop)

    plans = re.search(r'<div class="([^"]*)" data-plans>', page)
    assert plans is not None
    assert plans.group(1).split() == ["grid", "plans"]  # not grid--2 (3 + an orphan row)
    css = CSS.read_text()
    columns = {
        int(width): int(count)
        for width, count in re.findall(
            r"@media \(min-width: (\d+)px\) \{ \.grid\.plans \{ grid-template-columns: "
            r"repeat\((\d),",
            css,
        )
    }
    assert columns[max(columns)] == 4  # the widest screens: all four plans in one row
    assert min(columns) > 390
    assert ".grid.plans { grid-template-columns: 1fr; }" in css  # a phone: one column


def test_the_current_paid_plan_offers_no_trial_and_says_current_plan(
    client: FlaskClient, session: Session, shopify_shop: Shop
) -> None:
    now = datetime.now(UTC)
    _subscribe(
        session,
        shopify_shop,
        plan="pro",
        status=SubscriptionStatus.ACTIVE,
        current_period_start=now - timedelta(days=3),
        current_period_end=now + timedelta(days=27),
    )

    page = _page(client, shopify_shop)
    pro = _card(page, "pro")

    assert 'data-current-plan="pro"' in page
    assert "Current plan" in visible_text(pro)
    assert "free trial" not in visible_text(pro)
    assert 'data-choose="pro"' not in pro
    # a shop that already paid for a plan has had its chance at a trial
    assert "data-trial" not in page


def test_a_shop_in_its_trial_is_offered_only_what_is_left_elsewhere(
    client: FlaskClient, session: Session, shopify_shop: Shop
) -> None:
    _subscribe(
        session,
        shopify_shop,
        plan="pro",
        status=SubscriptionStatus.TRIALING,
        trial_ends_at=datetime.now(UTC) + timedelta(days=9, hours=12),
    )

    page = _page(client, shopify_shop)

    assert "free trial" not in visible_text(_card(page, "pro"))
    assert "10-day free trial" in visible_text(_card(page, "starter"))


def test_a_shop_that_never_subscribed_is_offered_each_plans_trial(
    client: FlaskClient, shopify_shop: Shop
) -> None:
    page = _page(client, shopify_shop)

    assert "14-day free trial" in visible_text(_card(page, "pro"))
    assert "30-day free trial" in visible_text(_card(page, "enterprise"))
