"""Shipment back to the store: a shipped report becomes a Shopify fulfillment or Woo status.

The partner's report is already committed (``ShipmentPush`` REPORTED) when this runs, so a
store that is down loses nothing: the push goes PUSHING with the reason while the queue retries
with backoff, PUSHED once the store took it, FAILED when retries ran out or the store refused
for good (revoked access, unknown order). A merchant may retry a FAILED push from the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

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


def retried_spec(func: str, row_id: int, job_id: str, description: str, shop_id: int) -> JobSpec:
    """A push to the store as a queued job, retried on the push intervals
    (``PUSH_RETRY_INTERVALS``): the shipment's and a tracking correction's."""
    intervals = configured_intervals(
        current_app.config["PUSH_RETRY_INTERVALS"], PUSH_RETRY_INTERVALS
    )
    return JobSpec(
        "default",
        func,
        (row_id,),
        job_id=job_id,
        retries=len(intervals),
        retry_intervals=intervals,
        description=description,
        meta={"shop_id": shop_id},
    )


def push_spec(push_id: int, shop_id: int) -> JobSpec:
    return retried_spec(PUSH_FUNC, push_id, f"push-{push_id}", f"shipment push {push_id}", shop_id)


def enqueue_push(session: Session, push_id: int, shop_id: int) -> None:
    """Queue the push of a shipment once ``session`` commits its report."""
    enqueue_after_commit(session, get_redis(), push_spec(push_id, shop_id))


class PushRow(Protocol):
    """A row that carries something to the store and its progress (``ShipmentPush``,
    ``TrackingUpdate``)."""

    id: int
    shop_id: int
    assignment_id: int
    status: PushStatus
    attempts: int
    last_error: str | None
    pushed_at: datetime | None


@dataclass(frozen=True)
class PushKind:
    """How one kind of push is named in the audit trail and in its refusals."""

    action: str  # the audit actions' prefix: "push" -> push_started, push_done…
    id_key: str  # the row's id in each audit event's detail
    what: str  # "the shipment", "the tracking update"


SHIPMENT = PushKind("push", "push_id", "the shipment")
T = TypeVar("T")


@dataclass(frozen=True)
class PushLine:
    """The order line a push is about, and where it goes."""

    assignment: JobAssignment
    job: ProductionJob
    item: OrderItem
    shop: Shop

    def tracking(self) -> TrackingInfo:
        a = self.assignment
        return TrackingInfo(number=a.tracking_number, url=a.tracking_url, company=a.carrier)


def event(
    session: Session, kind: PushKind, row: PushRow, job_id: int, what: str, **detail: Any
) -> None:
    audit.record(
        session,
        audit.SYSTEM,
        f"{kind.action}_{what}",
        shop_id=row.shop_id,
        job_id=job_id,
        detail={kind.id_key: row.id, **detail},
    )


def failed(session: Session, kind: PushKind, row: PushRow, job_id: int, reason: str) -> None:
    row.status, row.last_error = PushStatus.FAILED, reason[:MAX_ERROR]
    event(session, kind, row, job_id, "failed", reason=reason[:MAX_ERROR])
    session.commit()


def line_of(session: Session, row: PushRow) -> PushLine | None:
    """The line ``row`` pushes; None (and the row FAILED) when it no longer exists."""
    assignment = session.get(JobAssignment, row.assignment_id)
    job = session.get(ProductionJob, assignment.production_job_id) if assignment else None
    item = session.get(OrderItem, job.order_item_id) if job else None
    shop = session.get(Shop, row.shop_id)
    if assignment is None or job is None or item is None or shop is None:
        row.status, row.last_error = PushStatus.FAILED, "The order line no longer exists."
        session.commit()
        return None
    return PushLine(assignment, job, item, shop)


def call_store(
    session: Session,
    kind: PushKind,
    row: PushRow,
    line: PushLine,
    config: Mapping[str, Any],
    send: Callable[[Any], T],
    *,
    will_retry: bool,
    make_connector: ConnectorFactory,
) -> T | None:
    """Record the attempt, then ``send`` through the store's connector. A refusal for good
    (revoked access, unknown order) fails the row (None); a store that does not answer leaves
    it PUSHING with the reason and raises for the queue to retry, or fails it on the last try."""
    event(session, kind, row, line.job.id, "started", attempt=row.attempts)
    session.commit()
    try:
        connector = make_connector(line.shop, config)
        try:
            return send(connector)
        finally:
            connector.close()
    except (AuthError, PlatformError) as exc:
        failed(session, kind, row, line.job.id, f"The store refused {kind.what}: {exc}")
        return None
    except (ConnectorError, OSError) as exc:  # requests' errors are OSErrors
        reason = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        if will_retry:
            row.last_error = f"Attempt {row.attempts} failed ({reason}); it will be retried."
            event(session, kind, row, line.job.id, "retrying", reason=reason)
            session.commit()
        else:
            failed(session, kind, row, line.job.id, f"The store did not answer: {reason}")
        raise


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
    line = line_of(session, push)
    if line is None:
        return push.status.value
    push.status, push.attempts = PushStatus.PUSHING, push.attempts + 1
    order_id, line_ids, tracking = (
        line.item.order.external_id,
        [line.item.external_id],
        line.tracking(),
    )
    result = call_store(
        session,
        SHIPMENT,
        push,
        line,
        config,
        lambda connector: connector.create_fulfillment(order_id, line_ids, tracking),
        will_retry=will_retry,
        make_connector=make_connector,
    )
    if result is None:
        return push.status.value
    push.status, push.pushed_at, push.last_error = PushStatus.PUSHED, utcnow(), None
    push.fulfillment_ids = {"ids": list(result.fulfillment_ids)}
    event(
        session, SHIPMENT, push, line.job.id, "done", fulfillment_ids=list(result.fulfillment_ids)
    )
    session.commit()
    log.info("shipment pushed", extra={"push_id": push.id, "shop_id": line.shop.id})
    return push.status.value


def retry(session: Session, push: ShipmentPush) -> None:
    """A merchant's retry of a failed push: back to REPORTED, to be enqueued after commit."""
    if push.status is not PushStatus.FAILED:
        raise ValueError(f"only a failed push can be retried (this one is {push.status.value})")
    push.status = PushStatus.REPORTED
