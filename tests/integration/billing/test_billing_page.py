"""The pricing page and its API: guarded, and showing plans.py and the shop's usage."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.billing import quota
from app.billing.plans import PLANS
from app.models import Shop, UsageKind
from standins.shopify import FakeStore
from tests.support.fake_stripe import FakeStripe
from tests.support.shopify import session_token


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/admin/billing"),
        ("POST", "/api/admin/billing/subscribe"),
        ("POST", "/api/admin/billing/portal"),
    ],
)
def test_the_billing_api_requires_a_signed_in_shop(
    client: FlaskClient,
    shopify_shop: Shop,
    store: FakeStore,
    stripe_fake: FakeStripe,
    method: str,
    path: str,
) -> None:
    response = client.open(path, method=method, json={"plan": "pro"})

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert (store.billing.created_inputs, stripe_fake.requests) == ([], [])


def test_the_page_without_a_session_does_not_show_billing(client: FlaskClient) -> None:
    response = client.get("/admin/billing")
    assert response.status_code == 401
    assert "Plan &amp; billing" not in response.get_data(as_text=True)


def test_the_api_shows_every_plan_and_the_usage_this_period(
    client: FlaskClient, session: Session, shopify_shop: Shop
) -> None:
    quota.reserve(session, shopify_shop, UsageKind.AI_GENERATION, "g", quantity=4)
    session.commit()

    response = client.get(
        "/api/admin/billing",
        headers={"Authorization": f"Bearer {session_token(shopify_shop.domain)}"},
    )

    body = response.get_json()
    assert [p["key"] for p in body["plans"]] == list(PLANS)
    pro = body["plans"][2]
    assert (pro["monthly_price"], pro["yearly_price"], pro["yearly_saving"]) == (
        "79.00",
        "790.00",
        "158.00",
    )
    assert pro["included"] == {"ai_generations": 1500, "orders": 2000}
    assert pro["overage"] == {"ai_generation": "0.06", "order": "0.06", "cap": "500.00"}
    assert {f["key"]: f["included"] for f in pro["features"]} == {
        "ai": True,
        "3d_ar": True,
        "bulk": True,
        "partners": True,
        "remove_branding": False,
    }
    assert (body["current_plan"], body["subscription"], body["provider"]) == (
        "free",
        None,
        "shopify",
    )
    assert body["usage"]["ai_generations"] == {
        "used": 4,
        "included": 10,
        "remaining": 6,
        "percent": 40,
        "overage_units": 0,
        "overage_cost": None,
        "overage_allowed": False,
    }
    assert body["trial_days_offered"] == {"free": 0, "starter": 14, "pro": 14, "enterprise": 30}


def test_the_page_lists_the_plans_with_monthly_and_yearly_prices(
    client: FlaskClient, shopify_shop: Shop
) -> None:
    token = session_token(shopify_shop.domain)
    page = client.get(f"/admin/billing?id_token={token}").get_data(as_text=True)

    assert 'data-current-plan="free"' in page
    assert page.count('data-choose="') == 3  # every plan but the current one
    assert "<strong>$79.00</strong> / month" in page
    assert "<strong>$790.00</strong> / year" in page
    assert "14-day free trial" in page
    assert "data-used>0</span> of <span data-included>25</span>" in page
