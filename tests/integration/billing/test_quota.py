"""The quota guard at its edges: included units, overage, caps, grace periods, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.billing import quota
from app.billing.plans import FREE, PLANS, Feature, get_plan
from app.models import (
    BillingInterval,
    BillingProvider,
    Shop,
    Subscription,
    SubscriptionStatus,
    UsageKind,
)
from tests.factories import make_shop

AI = UsageKind.AI_GENERATION


def test_free_plan_refuses_past_its_included_generations(session: Session) -> None:
    shop = make_shop(session, plan="free")
    for i in range(FREE.included_ai_generations):
        quota.reserve(session, shop, AI, f"gen-{i}")
    with pytest.raises(quota.QuotaExceeded) as refused:
        quota.reserve(session, shop, AI, "gen-over")
    assert "10 AI generations" in refused.value.message
    assert refused.value.upgrade_path == "/admin/billing"
    assert quota.allowance(session, shop, AI).used == FREE.included_ai_generations


def test_same_idempotency_key_counts_once(session: Session) -> None:
    shop = make_shop(session, plan="free")
    first = quota.reserve(session, shop, AI, "same")
    again = quota.reserve(session, shop, AI, "same")
    assert first.id == again.id
    assert quota.allowance(session, shop, AI).used == 1


def test_paid_plan_allows_overage_up_to_its_cap(session: Session) -> None:
    shop = make_shop(session, plan="starter")
    starter = get_plan("starter")
    assert starter.ai_generation_overage is not None
    cap_units = int(starter.overage_cap / starter.ai_generation_overage)
    quota.reserve(session, shop, AI, "bulk", quantity=starter.included_ai_generations + cap_units)
    state = quota.allowance(session, shop, AI)
    assert state.overage_units == cap_units
    assert Decimal(state.overage_units) * starter.ai_generation_overage == starter.overage_cap
    with pytest.raises(quota.QuotaExceeded, match="overage cap"):
        quota.reserve(session, shop, AI, "one-more")


def test_failed_payment_keeps_the_plan_during_grace_then_falls_to_free(session: Session) -> None:
    shop = make_shop(session, plan="pro")
    now = datetime.now(UTC)
    session.add(
        Subscription(
            shop_id=shop.id,
            plan="pro",
            status=SubscriptionStatus.PAST_DUE,
            grace_until=now + timedelta(days=3),
        )
    )
    session.flush()
    assert quota.effective_plan(session, shop, now) is PLANS["pro"]
    assert quota.effective_plan(session, shop, now + timedelta(days=4)) is FREE
    assert quota.has_feature(session, shop, Feature.THREE_D)


def test_features_follow_the_plan(session: Session) -> None:
    shop = make_shop(session, plan="free")
    with pytest.raises(quota.FeatureNotInPlan, match="not included in the Free plan"):
        quota.require_feature(session, shop, Feature.AI)
    quota.require_feature(session, make_shop(session, plan="enterprise"), Feature.BULK)


def test_usage_before_the_period_does_not_count(session: Session) -> None:
    shop = make_shop(session, plan="free")
    record = quota.reserve(session, shop, AI, "last-month")
    record.occurred_at = datetime.now(UTC) - timedelta(days=40)
    session.flush()
    assert quota.allowance(session, shop, AI).used == 0


def _subscription(session: Session, shop_id: int, **values: object) -> Subscription:
    row = Subscription(shop_id=shop_id, **values)
    session.add(row)
    session.flush()
    return row


def test_a_reservation_across_the_included_amount_bills_only_the_units_past_it(
    session: Session,
) -> None:
    shop = make_shop(session, plan="starter")
    starter = get_plan("starter")
    quota.reserve(session, shop, AI, "first", quantity=starter.included_ai_generations - 2)

    record = quota.reserve(session, shop, AI, "across", quantity=5)

    assert (record.quantity, record.overage_quantity) == (5, 3)


def _starter_trial_used_up(session: Session, ends_in: timedelta) -> Shop:
    """A Starter trial (ending ``ends_in`` from now) whose included generations are used."""
    shop = make_shop(session, plan="starter")
    _subscription(
        session,
        shop.id,
        plan="starter",
        provider=BillingProvider.STRIPE,
        status=SubscriptionStatus.TRIALING,
        trial_ends_at=datetime.now(UTC) + ends_in,
    )
    quota.reserve(session, shop, AI, "all", quantity=get_plan("starter").included_ai_generations)
    return shop


def test_a_trial_stops_at_the_included_amount_and_bills_nothing(session: Session) -> None:
    shop = _starter_trial_used_up(session, ends_in=timedelta(days=3))

    with pytest.raises(quota.QuotaExceeded, match="Upgrade to continue"):
        quota.reserve(session, shop, AI, "one-more")


def test_after_the_trial_end_overage_is_billed_even_without_an_event(session: Session) -> None:
    shop = _starter_trial_used_up(session, ends_in=-timedelta(minutes=1))

    assert quota.reserve(session, shop, AI, "one-more").overage_quantity == 1


def test_a_shopify_annual_plan_has_no_usage_line_item_so_no_overage(session: Session) -> None:
    shop = make_shop(session, plan="pro")
    _subscription(
        session,
        shop.id,
        plan="pro",
        provider=BillingProvider.SHOPIFY,
        status=SubscriptionStatus.ACTIVE,
        interval=BillingInterval.YEAR,
        usage_line_item_id=None,
    )
    quota.reserve(session, shop, AI, "all", quantity=get_plan("pro").included_ai_generations)

    with pytest.raises(quota.QuotaExceeded):
        quota.reserve(session, shop, AI, "one-more")


def test_the_grace_period_ends_exactly_at_grace_until(session: Session) -> None:
    shop = make_shop(session, plan="pro")
    end = datetime.now(UTC) + timedelta(days=1)
    _subscription(session, shop.id, plan="pro", status=SubscriptionStatus.PAST_DUE, grace_until=end)

    assert quota.effective_plan(session, shop, end - timedelta(microseconds=1)).key == "pro"
    assert quota.effective_plan(session, shop, end).key == "free"


def test_a_released_reservation_gives_the_units_back(session: Session) -> None:
    shop = make_shop(session, plan="free")
    for i in range(FREE.included_ai_generations):
        record = quota.reserve(session, shop, AI, f"gen-{i}")
    quota.release(session, record)

    assert quota.reserve(session, shop, AI, "after-release").quantity == 1
