"""Production counts produced orders against the shop's plan, and waits when it is used up.

An order is counted once, however many of its lines are produced or how often a job runs
(the idempotency key is the order). A shop past its quota does not lose the order: the job
stays queued with the reason and the way to upgrade, and resumes when the plan allows it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.billing import quota
from app.billing.plans import Feature
from app.db import utcnow
from app.models import OrderItem, ProductionJob, ProductionStatus, Shop, UsageKind, UsageRecord


def order_key(order_id: int) -> str:
    return f"order:{order_id}"


def admit(session: Session, job: ProductionJob) -> UsageRecord | str:
    """The order's usage record when production may go on, else why it has to wait."""
    shop = session.get(Shop, job.shop_id)
    item = session.get(OrderItem, job.order_item_id)
    if shop is None or item is None:
        return "The order or the store no longer exists."
    try:
        return quota.reserve(session, shop, UsageKind.PRODUCED_ORDER, order_key(item.order_id))
    except quota.QuotaExceeded as exc:
        return (
            f"Waiting for your plan: {exc.message} Production starts by itself once the plan "
            f"allows it (Plan & billing: {exc.upgrade_path})."
        )


def hold(job: ProductionJob, message: str) -> None:
    """Keep the job queued, visibly, until the shop's plan allows another order."""
    if job.status is ProductionStatus.RENDERING:
        job.move_to(ProductionStatus.QUEUED)
    job.error = message
    job.quota_blocked_at = job.quota_blocked_at or utcnow()


def with_3d(session: Session, shop_id: int) -> bool:
    """GLB and USDZ files are made for plans with 3D/AR only."""
    shop = session.get(Shop, shop_id)
    return shop is not None and quota.has_feature(session, shop, Feature.THREE_D)
