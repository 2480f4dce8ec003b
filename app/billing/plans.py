"""Every plan Luneo sells, defined once: prices, what is included, overage prices and features.

The pricing page, the quota guard, the Shopify Billing API and Stripe all read this table, so a
plan's numbers cannot disagree between what a merchant is shown and what they are charged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


class Feature(enum.StrEnum):
    AI = "ai"  # AI image generation in the widget
    THREE_D = "3d_ar"  # GLB preview and USDZ AR files
    BULK = "bulk"  # bulk personalization and bulk AI variations
    PARTNERS = "partners"  # routing production jobs to fulfilment partners
    REMOVE_BRANDING = "remove_branding"  # no "Personalized with Luneo" in the widget


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    monthly_price: Decimal  # USD
    yearly_price: Decimal  # USD, billed once a year
    trial_days: int
    included_ai_generations: int  # per billing period
    included_orders: int  # produced orders per billing period
    # Price of each unit past the included amount; None = hard limit, no overage.
    ai_generation_overage: Decimal | None
    order_overage: Decimal | None
    overage_cap: Decimal  # most a merchant can be charged for overage in one period (USD)
    features: frozenset[Feature]

    @property
    def is_free(self) -> bool:
        return self.monthly_price == 0


FREE = Plan(
    key="free",
    name="Free",
    monthly_price=Decimal("0"),
    yearly_price=Decimal("0"),
    trial_days=0,
    included_ai_generations=10,
    included_orders=25,
    ai_generation_overage=None,
    order_overage=None,
    overage_cap=Decimal("0"),
    features=frozenset(),
)

PLANS: dict[str, Plan] = {
    plan.key: plan
    for plan in (
        FREE,
        Plan(
            key="starter",
            name="Starter",
            monthly_price=Decimal("19.00"),
            yearly_price=Decimal("190.00"),
            trial_days=14,
            included_ai_generations=200,
            included_orders=250,
            ai_generation_overage=Decimal("0.08"),
            order_overage=Decimal("0.10"),
            overage_cap=Decimal("100.00"),
            features=frozenset({Feature.AI}),
        ),
        Plan(
            key="pro",
            name="Pro",
            monthly_price=Decimal("79.00"),
            yearly_price=Decimal("790.00"),
            trial_days=14,
            included_ai_generations=1500,
            included_orders=2000,
            ai_generation_overage=Decimal("0.06"),
            order_overage=Decimal("0.06"),
            overage_cap=Decimal("500.00"),
            features=frozenset({Feature.AI, Feature.THREE_D, Feature.BULK, Feature.PARTNERS}),
        ),
        Plan(
            key="enterprise",
            name="Enterprise",
            monthly_price=Decimal("299.00"),
            yearly_price=Decimal("2990.00"),
            trial_days=30,
            included_ai_generations=10000,
            included_orders=20000,
            ai_generation_overage=Decimal("0.04"),
            order_overage=Decimal("0.03"),
            overage_cap=Decimal("2500.00"),
            features=frozenset(Feature),
        ),
    )
}


class UnknownPlan(ValueError):
    pass


def get_plan(key: str) -> Plan:
    try:
        return PLANS[key]
    except KeyError:
        raise UnknownPlan(f"no plan {key!r}; plans are {', '.join(PLANS)}") from None
