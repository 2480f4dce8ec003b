"""Analytics and Shopify's compliance webhooks: shop/redact deletes the shop's counters, and
nothing in them can identify a customer, so customers/redact has nothing of theirs to find."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.analytics.events import record
from app.models import AnalyticsCounter, Design, DesignStatus, EventKind, Shop
from app.sync.store import freeze_ordered
from tests.factories import make_product, make_template
from tests.integration.shopify.test_compliance import (
    CUSTOMER,
    World,
    deliver,
    redact_payload,
    storage,
    world,
)
from tests.integration.shopify.test_webhooks import SHOP
from tests.support.workers import run_jobs

__all__ = ["storage", "world"]  # fixtures shared with the compliance tests
TODAY = datetime.now(UTC).date()


def rows(session: Session, shop_id: int) -> list[tuple[object, ...]]:
    session.expire_all()
    query = select(AnalyticsCounter).where(AnalyticsCounter.shop_id == shop_id)
    return [
        (r.shop_id, r.day, r.template_id, r.kind, r.key, r.count)
        for r in session.scalars(query.order_by(AnalyticsCounter.kind, AnalyticsCounter.key))
    ]


def counted(session: Session, world: World) -> None:
    """Both shops' counters, and the customer's signed-in design ordered and counted."""
    for shop_id in (world.shop_id, world.other_shop_id):
        record(session, shop_id, TODAY, Counter({(1, EventKind.EDITOR_OPENED, ""): 4}))
    design = session.get(Design, world.signed_design)
    assert design is not None
    assert design.customer_ref == str(CUSTOMER["id"])
    shop = session.get(Shop, design.shop_id)
    assert shop is not None
    product = make_product(session, shop)
    design.template_id = make_template(session, product).id
    design.status = DesignStatus.SAVED
    design.document = {
        "version": 1,
        "areas": {
            "front": {
                "layers": [
                    {
                        "type": "text",
                        "text": f"{CUSTOMER['email']} John Smith",
                        "font": "Inter",
                        "color": "#112233",
                        "size_mm": 5,
                        "x_mm": 1,
                        "y_mm": 1,
                    }
                ]
            }
        },
    }
    assert freeze_ordered(session, design, datetime.now(UTC))
    session.commit()


def test_the_counters_have_no_column_that_could_hold_a_person() -> None:
    columns = set(AnalyticsCounter.__table__.columns.keys())
    assert columns == {"shop_id", "day", "template_id", "kind", "key", "count"}


def test_an_ordered_design_of_a_signed_in_customer_leaves_nothing_of_them(
    session: Session, world: World
) -> None:
    counted(session, world)

    stored = repr(rows(session, world.shop_id))

    for personal in (str(CUSTOMER["id"]), CUSTOMER["email"], CUSTOMER["phone"], "John", "Smith"):
        assert personal not in stored
    assert "'font', 'Inter'" in stored
    assert "'#112233'" in stored


def test_customer_redact_finds_nothing_of_the_customer_in_analytics(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, world: World
) -> None:
    counted(session, world)
    before = rows(session, world.shop_id)

    assert deliver(client, "customers/redact", redact_payload()).status_code == 200
    run_jobs(app)

    assert rows(session, world.shop_id) == before  # counts of a shop, of no one


def test_shop_redact_deletes_the_shops_counters_and_no_other_shops(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, world: World
) -> None:
    counted(session, world)
    theirs = rows(session, world.other_shop_id)
    payload = {"shop_id": 954889, "shop_domain": SHOP}

    assert deliver(client, "shop/redact", payload).status_code == 200
    run_jobs(app)

    count = select(func.count()).select_from(AnalyticsCounter)
    assert session.scalar(count.where(AnalyticsCounter.shop_id == world.shop_id)) == 0
    assert rows(session, world.other_shop_id) == theirs != []
