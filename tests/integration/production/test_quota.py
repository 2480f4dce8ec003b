"""Production counts produced orders against the plan, waits visibly past it, and resumes."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.billing import quota
from app.billing.plans import FREE
from app.models import ProductionJob, ProductionStatus, Shop, UsageKind, UsageRecord
from app.storage import Storage
from tests.factories import make_shop
from tests.integration.production.conftest import drain, make_setup
from tests.integration.production.test_pipeline import Produce, reload

ORDERS = UsageKind.PRODUCED_ORDER


def _use_up_free_orders(session: Session, shop: Shop) -> None:
    quota.reserve(session, shop, ORDERS, "earlier-orders", quantity=FREE.included_orders)
    session.commit()


def test_each_order_is_counted_once_however_often_it_is_produced(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)

    produce(setup.job)
    job = reload(session, setup.job)
    job.move_to(ProductionStatus.QUEUED)  # produced again by hand
    session.commit()
    produce(job)

    records = session.scalars(select(UsageRecord).where(UsageRecord.shop_id == setup.shop.id))
    assert [(r.kind, r.quantity, r.idempotency_key) for r in records] == [
        (ORDERS, 1, f"order:{setup.order.id}")
    ]


def test_over_quota_the_job_waits_with_the_upgrade_message_and_resumes_after_upgrade(
    app: Flask, session: Session, storage: Storage, produce: Produce
) -> None:
    shop = make_shop(session, plan="free")
    _use_up_free_orders(session, shop)
    setup = make_setup(session, storage, shop=shop)

    rq_job = produce(setup.job)

    job = reload(session, setup.job)
    assert rq_job.return_value()["status"] == "waiting"
    assert job.status is ProductionStatus.QUEUED  # not failed: nothing is lost
    assert job.quota_blocked_at is not None
    assert job.error is not None
    assert "used its 25 produced orders" in job.error
    assert "/admin/billing" in job.error
    assert job.files == []

    # When the merchant upgrades, the billing job hands the order back to production
    shop.plan = "starter"
    session.commit()
    with app.app_context():
        from jobs.billing import resume_production

        assert resume_production(shop.id) == 1
    drain(app)

    job = reload(session, setup.job)
    assert (job.status, job.quota_blocked_at, job.error) == (ProductionStatus.READY, None, None)


def test_nothing_resumes_while_the_plan_still_has_no_room(
    app: Flask, session: Session, storage: Storage, produce: Produce
) -> None:
    shop = make_shop(session, plan="free")
    _use_up_free_orders(session, shop)
    setup = make_setup(session, storage, shop=shop)
    produce(setup.job)

    with app.app_context():
        from jobs.billing import resume_production

        assert resume_production(shop.id) == 0
    drain(app)

    assert reload(session, setup.job).status is ProductionStatus.QUEUED


def test_3d_files_are_made_only_for_plans_with_3d(
    session: Session, storage: Storage, produce: Produce
) -> None:
    setup = make_setup(session, storage)  # the free plan
    setup.template.model_3d = "mug"
    session.commit()

    produce(setup.job)

    job: ProductionJob = reload(session, setup.job)
    assert job.status is ProductionStatus.READY
    assert sorted(f.format for f in job.files) == ["pdf", "png", "preview", "proof"]
    notes = [f for f in job.preflight["findings"] if f["code"] == "model_3d_not_in_plan"]
    assert [n["severity"] for n in notes] == ["info"]
