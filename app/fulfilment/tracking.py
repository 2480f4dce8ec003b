"""Tracking after "Shipped": a partner or the merchant corrects the carrier, number or URL.

The correction is stored on the assignment and its production job at once (what every page and
the partner API show), audited with what it replaced, and pushed to the store by a queued job
(``TrackingUpdate``): Shopify's ``fulfillmentTrackingInfoUpdate`` on the fulfillments the
shipment created, WooCommerce's tracking meta and a customer note. The push sends what the
assignment holds when it runs, so retries and later corrections are idempotent.

When the shipment itself has not reached the store yet, there is nothing to correct there: the
shipment push (or the merchant's retry of it) reads the corrected tracking.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.db import utcnow
from app.display import web_address
from app.extensions import get_redis
from app.fulfilment import audit
from app.fulfilment.errors import Conflict, Invalid
from app.fulfilment.push import (
    ConnectorFactory,
    PushKind,
    call_store,
    event,
    failed,
    line_of,
    retried_spec,
)
from app.models import (
    AssignmentStatus,
    JobAssignment,
    ProductionJob,
    PushStatus,
    ShipmentPush,
    TrackingUpdate,
)
from app.queue import JobSpec, enqueue_after_commit
from app.shopify import tokens
from connectors.base import RetryableError

log = logging.getLogger(__name__)

UPDATE_FUNC = "jobs.fulfilment.push_tracking_update"
MAX_CARRIER = 128
MAX_NUMBER = 255
MAX_URL = 2000


@dataclass(frozen=True)
class Tracking:
    carrier: str
    number: str
    url: str | None


def parse(carrier: Any, number: Any, url: Any) -> Tracking:
    """Checked tracking from a form or JSON body; Invalid (422) naming the field otherwise."""
    fields: dict[str, str] = {}
    texts = {}
    for name, value, limit in (
        ("carrier", carrier, MAX_CARRIER),
        ("tracking_number", number, MAX_NUMBER),
        ("tracking_url", url, MAX_URL),
    ):
        if value is not None and not isinstance(value, str):
            fields[name] = "must be text."
            continue
        text = (value or "").strip()
        if len(text) > limit:
            fields[name] = f"must be at most {limit} characters."
        texts[name] = text
    if not fields.get("carrier") and not texts.get("carrier"):
        fields["carrier"] = "is required."
    if not fields.get("tracking_number") and not texts.get("tracking_number"):
        fields["tracking_number"] = "is required."
    link = texts.get("tracking_url") or ""
    if "tracking_url" not in fields and link and web_address(link) is None:
        fields["tracking_url"] = "must be a web address starting with https:// or http://."
    if fields:
        first = next(iter(fields))
        message = f"{first.replace('_', ' ').capitalize()} {fields[first]}"
        raise Invalid(message, code="invalid_tracking", fields=fields)
    return Tracking(texts["carrier"], texts["tracking_number"], link or None)


def correct(
    session: Session, row: JobAssignment, tracking: Tracking, actor: audit.Actor
) -> TrackingUpdate | None:
    """Store the corrected tracking of a shipped job and queue its push to the store (after
    commit). None when nothing changed: a repeated correction sends nothing twice."""
    if row.status is not AssignmentStatus.SHIPPED:
        raise Conflict(
            "Tracking can be corrected once the job is shipped; report it shipped instead.",
            code="not_shipped",
        )
    before = {"carrier": row.carrier, "number": row.tracking_number, "url": row.tracking_url}
    after = {"carrier": tracking.carrier, "number": tracking.number, "url": tracking.url}
    if before == after and not _last_push_failed(session, row.id):
        return None
    row.carrier, row.tracking_number, row.tracking_url = (
        tracking.carrier,
        tracking.number,
        tracking.url,
    )
    job = session.get(ProductionJob, row.production_job_id)
    if job is not None:
        job.carrier, job.tracking_number, job.tracking_url = (
            tracking.carrier,
            tracking.number,
            tracking.url,
        )
    update = TrackingUpdate(
        shop_id=row.shop_id,
        assignment_id=row.id,
        status=PushStatus.REPORTED,
        carrier=tracking.carrier,
        tracking_number=tracking.number,
        tracking_url=tracking.url,
    )
    session.add(update)
    session.flush()
    audit.record(
        session,
        actor,
        "tracking_corrected",
        partner_id=row.partner_id,
        shop_id=row.shop_id,
        job_id=row.production_job_id,
        detail={"before": before, "after": after, "update_id": update.id},
    )
    enqueue_after_commit(session, get_redis(), update_spec(update.id, row.shop_id))
    return update


def _last_push_failed(session: Session, assignment_id: int) -> bool:
    """Whether the latest correction's push failed for good (saving it again retries it)."""
    last = (
        session.query(TrackingUpdate)
        .filter_by(assignment_id=assignment_id)
        .order_by(TrackingUpdate.id.desc())
        .first()
    )
    return last is not None and last.status is PushStatus.FAILED


def latest_update(session: Session, assignment_id: int) -> TrackingUpdate | None:
    return (
        session.query(TrackingUpdate)
        .filter_by(assignment_id=assignment_id)
        .order_by(TrackingUpdate.id.desc())
        .first()
    )


def update_spec(update_id: int, shop_id: int) -> JobSpec:
    return retried_spec(
        UPDATE_FUNC,
        update_id,
        f"tracking-update-{update_id}",
        f"tracking update {update_id}",
        shop_id,
    )


TRACKING = PushKind("tracking_push", "tracking_update_id", "the tracking update")


def push_update(
    session: Session,
    update_id: int,
    config: Mapping[str, Any],
    *,
    will_retry: bool,
    make_connector: ConnectorFactory = tokens.connector,
) -> str:
    """Send a corrected tracking to the store; returns the status it ended in."""
    update = session.get(TrackingUpdate, update_id)
    if update is None:
        return "missing"
    if update.status in (PushStatus.PUSHED, PushStatus.FAILED):
        return update.status.value
    line = line_of(session, update)
    if line is None:
        return update.status.value
    job = line.job
    shipment = session.query(ShipmentPush).filter_by(assignment_id=line.assignment.id).one_or_none()
    carried = (
        shipment is not None
        and shipment.status is PushStatus.PUSHED
        and shipment.pushed_at is not None
        and shipment.pushed_at >= update.created_at
    )
    if shipment is None or carried or shipment.status in (PushStatus.REPORTED, PushStatus.FAILED):
        # The shipment push reads the assignment when it runs: it carries the correction.
        update.status, update.pushed_at, update.last_error = PushStatus.PUSHED, utcnow(), None
        event(session, TRACKING, update, job.id, "with_shipment")
        session.commit()
        return update.status.value
    update.attempts += 1
    if shipment.status is PushStatus.PUSHING:
        update.status = PushStatus.PUSHING
        if not will_retry:
            failed(
                session, TRACKING, update, job.id, "The shipment was still on its way to the store."
            )
            return update.status.value
        update.last_error = "Waiting for the shipment to reach the store; it will be retried."
        session.commit()
        raise RetryableError("the shipment push is still running")
    update.status = PushStatus.PUSHING
    order_id, line_ids = line.item.order.external_id, [line.item.external_id]
    tracking = line.tracking()
    ids = [str(i) for i in (shipment.fulfillment_ids or {}).get("ids", []) if i]

    def send(connector: Any) -> bool:
        connector.update_tracking(order_id, line_ids, ids, tracking)
        return True

    sent = call_store(
        session,
        TRACKING,
        update,
        line,
        config,
        send,
        will_retry=will_retry,
        make_connector=make_connector,
    )
    if sent is None:
        return update.status.value
    update.status, update.pushed_at, update.last_error = PushStatus.PUSHED, utcnow(), None
    event(session, TRACKING, update, job.id, "done")
    session.commit()
    log.info("tracking update pushed", extra={"update_id": update.id, "shop_id": line.shop.id})
    return update.status.value
