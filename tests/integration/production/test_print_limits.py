"""Production refuses a template too large to print (one saved before the limits, or changed in
the database) with the limit as the job's failure reason, and renders nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rq.job import Job, JobStatus
from sqlalchemy.orm import Session

from app.models import ProductionJob, ProductionStatus
from app.storage import Storage

from .conftest import make_setup


def test_a_template_too_large_to_print_fails_the_job_with_the_limit(
    session: Session, storage: Storage, produce: Callable[..., Job]
) -> None:
    setup = make_setup(session, storage)
    area = setup.template.print_areas[0]
    area.width_mm, area.height_mm, area.dpi = Decimal("10000"), Decimal("10000"), 1200
    session.commit()

    rq_job = produce(setup.job)

    assert rq_job.get_status() == JobStatus.FINISHED  # refused for good, not retried
    assert rq_job.return_value()["status"] == "failed"
    session.expire_all()
    job = session.get(ProductionJob, setup.job.id)
    assert job is not None
    assert job.status == ProductionStatus.FAILED
    assert job.error == (
        "The product template cannot be used for printing: areas.front: 10,004 × 10,004 mm "
        "with bleed is too large; the largest print Luneo makes is 5,000 mm a side (a PDF page "
        "holds at most 14,400 pt = 5080 mm)"
    )
    assert job.files == []


def test_too_many_pixels_fails_the_job_naming_the_megapixels(
    session: Session, storage: Storage, produce: Callable[..., Job]
) -> None:
    setup = make_setup(session, storage)
    area = setup.template.print_areas[0]
    area.width_mm, area.height_mm, area.dpi = Decimal("1500"), Decimal("1500"), 1200
    session.commit()

    produce(setup.job)

    session.expire_all()
    job = session.get(ProductionJob, setup.job.id)
    assert job is not None
    assert job.status == ProductionStatus.FAILED
    assert job.error is not None
    assert job.error.endswith(
        "at 1200 dpi is 71,055 × 71,055 px (5,049 megapixels); the most Luneo renders is "
        "100 megapixels per area"
    )
