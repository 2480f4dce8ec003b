"""A partner's work on an assigned job: listing, leases, and the status it reports.

Every lookup is by (partner, assignment id): a partner never reaches another partner's job, and
an id that is not theirs answers exactly like one that does not exist.

Leases make claiming atomic: one UPDATE takes the lease only if nobody holds a live one (or the
caller renews with its own token), so two workers racing for a job get one winner and one 409.
While a lease is live, status reports must carry its token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from app.db import utcnow
from app.fulfilment import audit
from app.fulfilment.errors import Conflict, Invalid, NotFound
from app.ids import DB_INT_MAX
from app.models import (
    ASSIGNMENT_TRANSITIONS,
    AssignmentStatus,
    JobAssignment,
    ProductionJob,
    ProductionStatus,
    PushStatus,
    ShipmentPush,
    owned_row,
)

DEFAULT_LEASE_SECONDS = 900
MAX_LEASE_SECONDS = 24 * 3600
MAX_PAGE = 100


def partner_jobs(partner_id: int, status: AssignmentStatus | None = None) -> Select[JobAssignment]:
    stmt = select(JobAssignment).where(JobAssignment.partner_id == partner_id)
    if status is not None:
        stmt = stmt.where(JobAssignment.status == status)
    return stmt


def page_after(
    session: Session,
    partner_id: int,
    after_id: int,
    limit: int,
    status: AssignmentStatus | None = None,
) -> list[JobAssignment]:
    """Jobs routed to the partner after ``after_id`` (the cursor), oldest first."""
    stmt = partner_jobs(partner_id, status).where(JobAssignment.id > after_id)
    stmt = stmt.order_by(JobAssignment.id).limit(max(1, min(limit, MAX_PAGE)))
    return list(session.scalars(stmt))


MAX_ID = DB_INT_MAX  # ids are 32-bit integers in the database (app/ids.py)


def get_for_partner(session: Session, partner_id: int, assignment_id: int) -> JobAssignment:
    row = owned_row(session, JobAssignment, assignment_id, partner_id=partner_id)
    if row is None:
        raise NotFound("There is no job with this id.")
    return row


def lease_is_live(row: JobAssignment, now: datetime) -> bool:
    return row.lease_expires_at is not None and row.lease_expires_at > now


@dataclass(frozen=True)
class Lease:
    token: str
    owner: str
    expires_at: datetime


def claim(
    session: Session,
    partner_id: int,
    assignment_id: int,
    *,
    owner: str,
    seconds: int = DEFAULT_LEASE_SECONDS,
    renew_token: str | None = None,
) -> Lease:
    """Take (or renew with ``renew_token``) the job's lease; Conflict if someone else holds it."""
    if not 1 <= seconds <= MAX_LEASE_SECONDS:
        raise Invalid(f"lease_seconds must be between 1 and {MAX_LEASE_SECONDS}.")
    row = get_for_partner(session, partner_id, assignment_id)
    if row.status is AssignmentStatus.SHIPPED:
        raise Conflict("This job has already shipped.", code="already_shipped")
    now = utcnow()
    token = (
        renew_token if renew_token and row.lease_token == renew_token else secrets.token_urlsafe(24)
    )
    expires = now + timedelta(seconds=seconds)
    free = or_(JobAssignment.lease_expires_at.is_(None), JobAssignment.lease_expires_at <= now)
    if renew_token:
        free = or_(free, JobAssignment.lease_token == renew_token)
    result = session.execute(
        update(JobAssignment)
        .where(JobAssignment.id == row.id, JobAssignment.partner_id == partner_id, free)
        .values(lease_token=token, lease_owner=owner[:128], lease_expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(row)
        until = row.lease_expires_at.isoformat() if row.lease_expires_at else "now"
        raise Conflict(f"Another worker holds this job's lease until {until}.", code="lease_held")
    session.refresh(row)
    return Lease(token, owner, expires)


def release(session: Session, partner_id: int, assignment_id: int, token: str) -> JobAssignment:
    row = get_for_partner(session, partner_id, assignment_id)
    if not lease_is_live(row, utcnow()) or row.lease_token != token:
        raise Conflict("You do not hold this job's lease.", code="lease_not_held")
    row.lease_token = row.lease_owner = row.lease_expires_at = None
    return row


@dataclass(frozen=True)
class Report:
    status: AssignmentStatus
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    reason: str | None = None
    lease_token: str | None = None


def _check(report: Report) -> None:
    if report.status is AssignmentStatus.NEW:
        raise Invalid("A job can be reported printing, shipped or problem.")
    if report.status is AssignmentStatus.SHIPPED and not (
        report.carrier and report.tracking_number
    ):
        raise Invalid("A shipped report needs the carrier and the tracking number.")
    if report.tracking_url and not report.tracking_url.startswith(("https://", "http://")):
        raise Invalid("tracking_url must be an http(s) URL.")
    if report.status is AssignmentStatus.PROBLEM and not (report.reason or "").strip():
        raise Invalid("A problem report needs a reason.")


def _advance_production(job: ProductionJob, status: AssignmentStatus) -> None:
    """Keep the production job's own machine in step (READY → PRINTING → SHIPPED)."""
    moving = status in (AssignmentStatus.PRINTING, AssignmentStatus.SHIPPED)
    if moving and job.status is ProductionStatus.READY:
        job.move_to(ProductionStatus.PRINTING)
    if status is AssignmentStatus.SHIPPED and job.status is ProductionStatus.PRINTING:
        job.move_to(ProductionStatus.SHIPPED)


def apply_report(
    session: Session, partner_id: int, assignment_id: int, report: Report, actor: audit.Actor
) -> tuple[JobAssignment, ShipmentPush | None]:
    """Record the partner's report (stored before any push) and who made it; a shipment gets a
    push row, which the caller enqueues after commit."""
    _check(report)
    row = get_for_partner(session, partner_id, assignment_id)
    now = utcnow()
    if lease_is_live(row, now) and report.lease_token != row.lease_token:
        raise Conflict("Another worker holds this job's lease.", code="lease_held")
    if report.status not in ASSIGNMENT_TRANSITIONS[row.status]:
        raise Conflict(
            f"A {row.status.value} job cannot be reported {report.status.value}.",
            code="invalid_transition",
        )
    job = session.get(ProductionJob, row.production_job_id)
    if job is None:
        raise NotFound("There is no job with this id.")
    row.status = report.status
    row.status_changed_at = now
    row.problem_reason = report.reason.strip()[:2000] if report.reason else None
    _advance_production(job, report.status)
    push = None
    if report.status is AssignmentStatus.SHIPPED:
        row.carrier, row.tracking_number = report.carrier, report.tracking_number
        row.tracking_url, row.shipped_at = report.tracking_url, now
        job.carrier, job.tracking_number, job.tracking_url = (
            report.carrier,
            report.tracking_number,
            report.tracking_url,
        )
        row.lease_token = row.lease_owner = row.lease_expires_at = None
        push = ShipmentPush(shop_id=row.shop_id, assignment_id=row.id, status=PushStatus.REPORTED)
        session.add(push)
    detail: dict[str, Any] = {k: v for k, v in vars(report).items() if v and k != "lease_token"}
    audit.record(
        session,
        actor,
        f"status_{report.status.value}",
        partner_id=row.partner_id,
        shop_id=row.shop_id,
        job_id=row.production_job_id,
        detail={**detail, "status": report.status.value},
    )
    session.flush()
    return row, push
