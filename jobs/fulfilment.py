"""Partner jobs: pushing shipments to stores, webhooks to partners, the hourly housekeeping.

Thin like every job module: open a session, call ``app.fulfilment``, let failures propagate so
RQ retries with backoff (the intervals come from ``PUSH_RETRY_INTERVALS`` and
``PARTNER_WEBHOOK_RETRY_INTERVALS``; the specs are built by ``app.fulfilment.push`` and
``app.fulfilment.partner_webhooks``).
"""

from __future__ import annotations

from flask import current_app
from rq import get_current_job

from app.extensions import get_db
from app.fulfilment import partner_webhooks, push, routing, tracking


def _will_retry() -> bool:
    job = get_current_job()
    return job is not None and bool(job.retries_left)


def push_shipment(push_id: int) -> str:
    with get_db().session() as session:
        return push.push_shipment(session, push_id, current_app.config, will_retry=_will_retry())


def push_tracking_update(update_id: int) -> str:
    """A tracking correction to the store (``app.fulfilment.tracking``)."""
    with get_db().session() as session:
        return tracking.push_update(
            session, update_id, current_app.config, will_retry=_will_retry()
        )


def deliver_partner_webhook(assignment_id: int) -> int:
    """POST the signed new-job event; a non-2xx answer raises so RQ retries."""
    return partner_webhooks.deliver(assignment_id)


def housekeeping() -> dict[str, int]:
    """Route waiting jobs of every shop (a rule may have been fixed) and prune idempotency."""
    with get_db().session() as session:
        return routing.housekeeping(session)
