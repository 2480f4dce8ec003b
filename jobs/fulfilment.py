"""Partner jobs: routing ready work, pushing shipments to stores, webhooks to partners.

Thin like every job module: load by id, call ``app.fulfilment``, let failures propagate so RQ
retries with backoff (the intervals come from ``PUSH_RETRY_INTERVALS``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import current_app
from rq import get_current_job
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import get_db, get_redis
from app.fulfilment import idempotency, jobdata, partner_webhooks, push, routing
from app.models import JobAssignment, Partner, ProductionJob
from connectors.http import HttpClient
from connectors.woocommerce import is_loopback_host
from app.queue import JobSpec, enqueue_after_commit

log = logging.getLogger(__name__)

PUSH_FUNC = "jobs.fulfilment.push_shipment"
WEBHOOK_FUNC = "jobs.fulfilment.deliver_partner_webhook"
WEBHOOK_RETRY_INTERVALS = (30, 120, 600, 1800, 3600)


def _intervals(setting: str, default: Sequence[int]) -> tuple[int, ...]:
    raw = current_app.config[setting]
    if not raw:
        return tuple(default)
    if isinstance(raw, str):
        return tuple(int(x) for x in raw.split(",") if x.strip())
    return tuple(int(x) for x in raw)


def push_spec(push_id: int, shop_id: int) -> JobSpec:
    intervals = _intervals("PUSH_RETRY_INTERVALS", (10, 60, 300, 900, 3600, 3600))
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


def webhook_spec(assignment_id: int) -> JobSpec:
    intervals = _intervals("PARTNER_WEBHOOK_RETRY_INTERVALS", WEBHOOK_RETRY_INTERVALS)
    return JobSpec(
        "default",
        WEBHOOK_FUNC,
        (assignment_id,),
        job_id=f"partner-webhook-{assignment_id}",
        retries=len(intervals),
        retry_intervals=intervals,
        description=f"new-job webhook for assignment {assignment_id}",
    )


def enqueue_push(session: Session, push_id: int, shop_id: int) -> None:
    enqueue_after_commit(session, get_redis(), push_spec(push_id, shop_id))


def announce(session: Session, assignments: Sequence[JobAssignment]) -> None:
    """Enqueue the new-job webhook for each assignment whose partner has a webhook URL."""
    for assignment in assignments:
        partner = session.get(Partner, assignment.partner_id)
        if partner is not None and partner.webhook_url and partner.webhook_secret:
            enqueue_after_commit(session, get_redis(), webhook_spec(assignment.id))


def route_after_production(session: Session, production_job_id: int) -> None:
    """Route a job that just became ready, and tell its partner (called by the render job)."""
    assignment = routing.route_job(session, production_job_id)
    if assignment is not None:
        announce(session, [assignment])
    session.commit()


def _will_retry() -> bool:
    job = get_current_job()
    return job is not None and bool(job.retries_left)


def push_shipment(push_id: int) -> str:
    with get_db().session() as session:
        return push.push_shipment(session, push_id, current_app.config, will_retry=_will_retry())


def deliver_partner_webhook(assignment_id: int) -> int:
    """POST the signed new-job event; a non-2xx answer raises so RQ retries."""
    with get_db().session() as session:
        assignment = session.get(JobAssignment, assignment_id)
        partner = session.get(Partner, assignment.partner_id) if assignment else None
        if assignment is None or partner is None or not partner.webhook_url:
            return 0
        secret = partner.webhook_secret or ""
        url = partner.webhook_url
        body = partner_webhooks.payload(
            "job.created", jobdata.job_dict(jobdata.load(session, assignment))
        )
    local = current_app.config["ENV"] in ("development", "testing")
    client = HttpClient(allow_private=local and is_loopback_host(_host(url)))
    try:
        headers = {
            "Content-Type": "application/json",
            partner_webhooks.SIGNATURE_HEADER: partner_webhooks.sign(
                secret, body, int(time.time())
            ),
            partner_webhooks.EVENT_HEADER: "job.created",
        }
        response = client.post(url, data=body, headers=headers)
    finally:
        client.close()
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"partner webhook answered {response.status_code}")
    return response.status_code


def _host(url: str) -> str | None:
    return urlsplit(url).hostname


def housekeeping() -> dict[str, int]:
    """Route waiting jobs of every shop (a rule may have been fixed) and prune idempotency."""
    with get_db().session() as session:
        shop_ids = session.scalars(
            select(ProductionJob.shop_id)
            .where(ProductionJob.status.in_(routing.ROUTABLE), ProductionJob.partner_id.is_(None))
            .distinct()
        ).all()
        routed = 0
        for shop_id in shop_ids:
            assignments = routing.route_waiting(session, shop_id)
            announce(session, assignments)
            routed += len(assignments)
        pruned = idempotency.prune(session)
        session.commit()
    return {"routed": routed, "pruned": pruned}
