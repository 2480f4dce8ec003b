"""The production job status machine: queued → rendering → ready → printing → shipped, or failed."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.models import InvalidTransition, ProductionJob, ProductionStatus
from tests.factories import make_design, make_order, make_product, make_shop, make_template

S = ProductionStatus


def _job(session: Session) -> ProductionJob:
    shop = make_shop(session)
    design = make_design(session, make_template(session, make_product(session, shop)))
    order = make_order(session, shop, design)
    job = ProductionJob(shop_id=shop.id, order_item_id=order.items[0].id, design_id=design.id)
    session.add(job)
    session.flush()
    return job


def test_happy_path_to_shipped(session: Session) -> None:
    job = _job(session)

    for status in (S.RENDERING, S.READY, S.PRINTING, S.SHIPPED):
        job.move_to(status)
    session.flush()

    assert job.status is S.SHIPPED
    assert job.attempts == 1
    assert job.shipped_at == job.status_changed_at


def test_failure_records_the_reason_and_can_be_retried(session: Session) -> None:
    job = _job(session)
    job.move_to(S.RENDERING)

    job.move_to(S.FAILED, error="font 'Comic' is not installed")
    assert job.error == "font 'Comic' is not installed"

    job.move_to(S.QUEUED)
    job.move_to(S.RENDERING)
    assert job.error is None
    assert job.attempts == 2


@pytest.mark.parametrize(
    ("_case", "path", "target"),
    [
        ("skip rendering", (), S.READY),
        ("ship unprinted", (S.RENDERING, S.READY), S.SHIPPED),
        ("shipped is final", (S.RENDERING, S.READY, S.PRINTING, S.SHIPPED), S.FAILED),
        ("printing not re-rendered", (S.RENDERING, S.READY, S.PRINTING), S.RENDERING),
    ],
)
def test_transitions_outside_the_machine_are_refused(
    _case: str, path: tuple[ProductionStatus, ...], target: ProductionStatus, session: Session
) -> None:
    job = _job(session)
    for status in path:
        job.move_to(status)
    before = job.status

    with pytest.raises(InvalidTransition):
        job.move_to(target)

    assert job.status is before


def test_one_production_job_per_order_line(session: Session) -> None:
    job = _job(session)

    session.add(ProductionJob(shop_id=job.shop_id, order_item_id=job.order_item_id))

    with pytest.raises(Exception, match="(?i)unique"):
        session.flush()
