"""Putting a production job back in line: a merchant's or operator's explicit retry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.models import ProductionJob, ProductionStatus, Shop


class NotRetryable(ValueError):
    """The job is done (or printing): re-rendering it now would change a file in use."""


def requeue(job: ProductionJob) -> bool:
    """Make ``job`` ready to be produced again; False when it already waits (nothing to change).

    FAILED goes back to QUEUED; QUEUED and RENDERING are left as they are (a run is pending or
    will resume). READY, PRINTING and SHIPPED are refused.
    """
    if job.status is ProductionStatus.FAILED:
        job.move_to(ProductionStatus.QUEUED)
        return True
    if job.status in (ProductionStatus.QUEUED, ProductionStatus.RENDERING):
        return False
    raise NotRetryable(f"production job {job.id} is {job.status.value}; it is not retried")


def stale_or_queued_job_ids(session: Session, stale_after: timedelta) -> list[int]:
    """Installed shops' QUEUED jobs, and RENDERING ones untouched for ``stale_after``.

    A RENDERING job that old lost its worker after its last retry: nothing else will pick it up.
    """
    stale = utcnow() - stale_after
    stmt = (
        select(ProductionJob.id)
        .join(Shop, Shop.id == ProductionJob.shop_id)
        .where(
            Shop.uninstalled_at.is_(None),
            or_(
                ProductionJob.status == ProductionStatus.QUEUED,
                (ProductionJob.status == ProductionStatus.RENDERING)
                & (ProductionJob.status_changed_at < stale),
            ),
        )
        .order_by(ProductionJob.id)
    )
    return list(session.scalars(stmt))
