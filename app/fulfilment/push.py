"""Shipment back to the store: a shipped report becomes a Shopify fulfillment or Woo status.

The partner's report is already committed (``ShipmentPush`` REPORTED) when this runs, so a
store that is down loses nothing: the push goes PUSHING with the reason while the queue retries
with backoff, PUSHED once the store took it, FAILED when retries ran out or the store refused
for good (revoked access, unknown order). A merchant may retry a FAILED push from the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from app.db import utcnow
from app.extensions import get_redis
from app.fulfilment import audit
from app.models import JobAssignment, OrderItem, ProductionJob, PushStatus, ShipmentPush, Shop
from app.queue import JobSpec, configured_intervals, enqueue_after_commit
from app.shopify import tokens
from connectors.base import AuthError, ConnectorError, PlatformError, TrackingInfo

log = logging.getLogger(__name__)

ConnectorFactory = Callable[[Shop, Mapping[str, Any]], Any]
MAX_ERROR = 1000
PUSH_FUNC = "jobs.fulfilment.push_shipment"
PUSH_RETRY_INTERVALS = (10, 60, 300, 900, 3600, 3600)


def push_spec(push_id: int, shop_id: int) -> JobSpec:
    intervals = configured_intervals(
        current_app.config["PUSH_RETRY_INTERVALS"], PUSH_RETRY_INTERVALS
    )
    return JobSpec(
        "default",
        PUSH_FUNC,
        (push_id,),
        job_id=f"push-{push_id}",
        retries=len(intervals),
        retry_intervals=intervals,
        description=f"shipment push {push_id}",
        meta={"shop_id": shop_id},
    )


def enqueue_push(session: Session, push_id: int, shop_id: int) -> None:
    """Queue the push of a shipment once ``session`` commits its report."""
    enqueue_after_commit(session, get_redis(), push_spec(push_id, shop_id))


def _event(session: Session, push: ShipmentPush, job_id: int, action: str, **detail: Any) -> None:
    audit.record(
        session,
        audit.SYSTEM,
        action,
        shop_id=push.shop_id,
        job_id=job_id,
        detail={"push_id": push.id, **detail},
    )


def push_shipment(
    session: Session,
    push_id: int,
    config: Mapping[str, Any],
    *,
    will_retry: bool,
    make_connector: ConnectorFactory = tokens.connector,
) -> str:
    """Send one shipped report to its store; returns the push status it ended in."""
    push = session.get(ShipmentPush, push_id)
    if push is None:
        return "missing"
    if push.status is PushStatus.PUSHED:
        return push.status.value
    assignment = session.get(JobAssignment, push.assignment_id)
    job = session.get(ProductionJob, assignment.production_job_id) if assignment else None
    item = session.get(OrderItem, job.order_item_id) if job else None
    shop = session.get(Shop, push.shop_id)
    if assignment is None or job is None or item is None or shop is None:
        push.status, push.last_error = PushStatus.FAILED, "The order line no longer exists."
        session.commit()
        return push.status.value
    push.status, push.attempts = PushStatus.PUSHING, push.attempts + 1
    _event(session, push, job.id, "push_started", attempt=push.attempts)
    session.commit()
    tracking = TrackingInfo(
        number=assignment.tracking_number, url=assignment.tracking_url, company=assignment.carrier
    )
    try:
        connector = make_connector(shop, config)
        try:
            result = connector.create_fulfillment(
                item.order.external_id, [item.external_id], tracking
            )
        finally:
            connector.close()
    except (AuthError, PlatformError) as exc:
        _failed(session, push, job.id, f"The store refused the shipment: {exc}")
        return push.status.value
    except (ConnectorError, OSError) as exc:  # requests' errors are OSErrors
        reason = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        if will_retry:
            push.last_error = f"Attempt {push.attempts} failed ({reason}); it will be retried."
            _event(session, push, job.id, "push_retrying", reason=reason)
            session.commit()
        else:
            _failed(session, push, job.id, f"The store did not answer: {reason}")
        raise
    push.status, push.pushed_at, push.last_error = PushStatus.PUSHED, utcnow(), None
    push.fulfillment_ids = {"ids": list(result.fulfillment_ids)}
    _event(session, push, job.id, "push_done", fulfillment_ids=list(result.fulfillment_ids))
    session.commit()
    log.info("shipment pushed", extra={"push_id": push.id, "shop_id": shop.id})
    return push.status.value


def _failed(session: Session, push: ShipmentPush, job_id: int, reason: str) -> None:
    push.status, push.last_error = PushStatus.FAILED, reason[:MAX_ERROR]
    _event(session, push, job_id, "push_failed", reason=reason[:MAX_ERROR])
    session.commit()


def retry(session: Session, push: ShipmentPush) -> None:
    """A merchant's retry of a failed push: back to REPORTED, to be enqueued after commit."""
    if push.status is not PushStatus.FAILED:
        raise ValueError(f"only a failed push can be retried (this one is {push.status.value})")
    push.status = PushStatus.REPORTED
