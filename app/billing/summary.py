"""What the pricing page shows: every plan, the shop's plan, its usage against the quota."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.billing import quota, subscriptions
from app.billing.plans import PLANS, Feature, Plan
from app.db import as_utc
from app.formatting import iso
from app.models import Shop, SubscriptionStatus, UsageKind

FEATURE_LABELS = {
    Feature.AI: "AI image generation in the editor",
    Feature.THREE_D: "3D preview and AR files (GLB, USDZ)",
    Feature.BULK: "Bulk personalization",
    Feature.PARTNERS: "Fulfilment partner routing",
    Feature.REMOVE_BRANDING: "Luneo branding removed from the editor",
}
# What a plan without the feature has instead, where that is not just its absence.
FEATURE_LABELS_WITHOUT = {
    Feature.REMOVE_BRANDING: "Shows \u201cPersonalized with Luneo\u201d in the editor",
}
_KINDS = {UsageKind.AI_GENERATION: "ai_generations", UsageKind.PRODUCED_ORDER: "orders"}


def _price_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def plan_view(plan: Plan) -> dict[str, Any]:
    yearly_saving = plan.monthly_price * 12 - plan.yearly_price
    return {
        "key": plan.key,
        "name": plan.name,
        "monthly_price": _price_text(plan.monthly_price),
        "yearly_price": _price_text(plan.yearly_price),
        "yearly_saving": _price_text(yearly_saving) if yearly_saving > 0 else None,
        "trial_days": plan.trial_days,
        "included": {
            "ai_generations": plan.included_ai_generations,
            "orders": plan.included_orders,
        },
        "overage": {
            "ai_generation": _price_text(plan.ai_generation_overage),
            "order": _price_text(plan.order_overage),
            "cap": _price_text(plan.overage_cap),
        },
        "features": [
            {
                "key": f.value,
                "label": FEATURE_LABELS[f]
                if f in plan.features
                else FEATURE_LABELS_WITHOUT.get(f, FEATURE_LABELS[f]),
                "included": f in plan.features,
            }
            for f in Feature
        ],
    }


def usage_view(state: quota.Allowance) -> dict[str, Any]:
    price = state.unit_overage_price
    return {
        "used": state.used,
        "included": state.included,
        "remaining": state.remaining_included,
        "percent": min(100, round(100 * state.used / state.included)) if state.included else 100,
        "overage_units": state.overage_units,
        "overage_cost": _price_text(price * state.overage_units) if price is not None else None,
        "overage_allowed": price is not None,
    }


def _subscription_view(session: Session, shop: Shop, now: datetime) -> dict[str, Any] | None:
    row = quota.current_subscription(session, shop.id)
    if row is None:
        return None
    trial_end = as_utc(row.trial_ends_at)
    trial_left = None
    trialing = quota.in_trial(row, now)
    if trialing and trial_end is not None:
        trial_left = max(1, math.ceil((trial_end - now).total_seconds() / 86400))
    status = row.status
    if status is SubscriptionStatus.TRIALING and not trialing:
        status = SubscriptionStatus.ACTIVE  # the trial ended; the provider bills from now
    grace = as_utc(row.grace_until)
    return {
        "plan": row.plan,
        "provider": row.provider.value,
        "status": status.value,
        "interval": row.interval.value,
        "test": row.is_test,
        "trial_days_left": trial_left,
        "current_period_end": iso(row.current_period_end),
        "grace_until": iso(grace),
        "grace_over": grace is not None and grace <= now,
    }


def summary(session: Session, shop: Shop, now: datetime) -> dict[str, Any]:
    """Everything the billing page and ``GET /api/admin/billing`` show."""
    effective = quota.effective_plan(session, shop, now)
    usage = {_KINDS[kind]: usage_view(quota.allowance(session, shop, kind, now)) for kind in _KINDS}
    return {
        "plans": [plan_view(plan) for plan in PLANS.values()],
        "current_plan": effective.key,
        "subscription": _subscription_view(session, shop, now),
        "period_start": quota.period_start(session, shop, now).isoformat(),
        "usage": usage,
        "trial_days_offered": {  # never on the plan the shop already has
            plan.key: 0
            if plan.key == effective.key
            else subscriptions.trial_days_left(session, shop, plan, now)
            for plan in PLANS.values()
        },
        "waiting_production_jobs": len(subscriptions.quota_blocked_jobs(session, shop.id)),
        "provider": "shopify" if shop.platform.value == "shopify" else "stripe",
    }
