"""Webhooks to partners on new jobs, and on jobs whose design changed after the order, signed
like Stripe's: ``t=<unix time>,v1=<hex HMAC>``.

The HMAC-SHA256 is over ``"<t>.<raw body>"`` with the partner's own secret, so a partner checks
that Luneo sent it and that it is recent (replays older than a few minutes are refused).
``announce`` queues one delivery per assignment (``jobs.fulfilment.deliver_partner_webhook``,
retried with backoff); ``deliver`` is what that job runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.orm import Session

from app.extensions import get_db, get_redis
from app.fulfilment import jobdata
from app.models import JobAssignment, Partner, ProductionJob
from app.queue import JobSpec, configured_intervals, enqueue_after_commit
from connectors.http import HttpClient
from connectors.woocommerce import is_loopback_host

SIGNATURE_HEADER = "X-Luneo-Signature"
EVENT_HEADER = "X-Luneo-Event"
TOLERANCE_SECONDS = 300
WEBHOOK_FUNC = "jobs.fulfilment.deliver_partner_webhook"
WEBHOOK_RETRY_INTERVALS = (30, 120, 600, 1800, 3600)
JOB_CREATED = "job.created"
JOB_UPDATED = "job.updated"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """What a partner does on receipt (also used by the tests)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(int(now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def payload(event: str, job: dict[str, Any]) -> bytes:
    return json.dumps({"event": event, "job": job}, sort_keys=True).encode()


def webhook_spec(assignment_id: int, files_version: int = 1) -> JobSpec:
    """The delivery for the job's files as first made, or (``files_version`` > 1) for the files
    made again after its design changed: a job id of its own, so it never merges with the first."""
    intervals = configured_intervals(
        current_app.config["PARTNER_WEBHOOK_RETRY_INTERVALS"], WEBHOOK_RETRY_INTERVALS
    )
    suffix, kind = (f"-v{files_version}", "updated-job") if files_version > 1 else ("", "new-job")
    return JobSpec(
        "default",
        WEBHOOK_FUNC,
        (assignment_id,),
        job_id=f"partner-webhook-{assignment_id}{suffix}",
        retries=len(intervals),
        retry_intervals=intervals,
        description=f"{kind} webhook for assignment {assignment_id}",
    )


def event_for(job: ProductionJob) -> str:
    """``job.created`` for the files as first made, ``job.updated`` once its design changed
    after the order (``app.sync.order_edits``) and its files were made again."""
    return JOB_UPDATED if job.files_version > 1 else JOB_CREATED


def announce(session: Session, assignments: Sequence[JobAssignment]) -> None:
    """Enqueue the webhook for each assignment whose partner has a webhook URL: new files, or
    (the job's ``files_version`` > 1) the files made again after its design changed."""
    for assignment in assignments:
        partner = session.get(Partner, assignment.partner_id)
        if partner is not None and partner.webhook_url and partner.webhook_secret:
            job = session.get(ProductionJob, assignment.production_job_id)
            version = job.files_version if job is not None else 1
            enqueue_after_commit(session, get_redis(), webhook_spec(assignment.id, version))


def deliver(assignment_id: int) -> int:
    """POST the signed new-job event; a non-2xx answer raises so RQ retries.

    The rows are read in a unit of work of their own, closed before the partner is called."""
    with get_db().session() as session:
        assignment = session.get(JobAssignment, assignment_id)
        partner = session.get(Partner, assignment.partner_id) if assignment else None
        if assignment is None or partner is None or not partner.webhook_url:
            return 0
        secret = partner.webhook_secret or ""
        url = partner.webhook_url
        rows = jobdata.load(session, assignment)
        event = event_for(rows.job)
        body = payload(event, jobdata.job_dict(rows))
    local = current_app.config["ENV"] in ("development", "testing")
    client = HttpClient(allow_private=local and is_loopback_host(_host(url)))
    try:
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body, int(time.time())),
            EVENT_HEADER: event,
        }
        response = client.post(url, data=body, headers=headers)
    finally:
        client.close()
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"partner webhook answered {response.status_code}")
    return response.status_code


def _host(url: str) -> str | None:
    return urlsplit(url).hostname
