"""Routing: the shop's rules choose the partner that makes each ready production job.

Rules are tried by priority (lowest first, then oldest); a rule matches when each criterion it
sets (product, template, shipping country) equals the job's. A job no rule matches stays
unrouted, visible in the admin, and is routed when a rule is added or routing is re-run. A job
whose shopper has not approved its proof yet (``app.fulfilment.proofs``) is not routed at all:
approving it routes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.billing import quota
from app.billing.plans import Feature
from app.db import as_utc, utcnow
from app.fulfilment import idempotency, partner_webhooks, profiles
from app.models import (
    AssignmentStatus,
    Design,
    JobAssignment,
    OrderItem,
    Partner,
    PartnerKind,
    ProductionJob,
    ProductionStatus,
    Proof,
    ProofStatus,
    RoutingRule,
    Shop,
    ShopPartner,
)

ROUTABLE = frozenset({ProductionStatus.READY, ProductionStatus.PRINTING})


@dataclass(frozen=True)
class JobFacts:
    """What rules look at."""

    product_id: int | None
    template_id: int | None
    country_code: str | None


def facts_of(session: Session, job: ProductionJob) -> JobFacts:
    item = session.get(OrderItem, job.order_item_id)
    design = session.get(Design, job.design_id) if job.design_id else None
    country = None
    if item is not None:
        address = item.order.shipping_address or {}
        raw = address.get("country_code") or address.get("countryCode") or address.get("country")
        country = str(raw).upper()[:2] if raw else None
    return JobFacts(
        product_id=item.product_id if item is not None else None,
        template_id=design.template_id if design is not None else None,
        country_code=country,
    )


def matches(rule: RoutingRule, facts: JobFacts) -> bool:
    return (
        (rule.product_id is None or rule.product_id == facts.product_id)
        and (rule.template_id is None or rule.template_id == facts.template_id)
        and (rule.country_code is None or rule.country_code.upper() == facts.country_code)
    )


def active_rules(session: Session, shop_id: int) -> list[RoutingRule]:
    """The shop's usable rules in the order they are tried (linked, active partners only).

    Outside print shops need the plan's partners feature: after a downgrade their rules rest
    (jobs wait, visibly, for a rule or an upgrade) while in-house printing goes on.
    """
    shop = session.get_one(Shop, shop_id)
    allowed_kinds = (
        list(PartnerKind)
        if quota.has_feature(session, shop, Feature.PARTNERS)
        else [PartnerKind.IN_HOUSE]
    )
    stmt = (
        select(RoutingRule)
        .join(Partner, Partner.id == RoutingRule.partner_id)
        .join(
            ShopPartner,
            (ShopPartner.partner_id == RoutingRule.partner_id)
            & (ShopPartner.shop_id == RoutingRule.shop_id),
        )
        .where(RoutingRule.shop_id == shop_id, RoutingRule.is_active, Partner.is_active)
        .where(Partner.kind.in_([k.value for k in allowed_kinds]))
        .order_by(RoutingRule.priority, RoutingRule.id)
    )
    return list(session.scalars(stmt))


def partner_for(session: Session, job: ProductionJob) -> Partner | None:
    """The partner a job goes to: its own once routed, else the one the rules would pick now
    (production makes the files that partner's profile asks for)."""
    if job.partner_id is not None:
        return session.get(Partner, job.partner_id)
    facts = facts_of(session, job)
    rule = next((r for r in active_rules(session, job.shop_id) if matches(r, facts)), None)
    return session.get(Partner, rule.partner_id) if rule is not None else None


def files_profile_for(session: Session, job: ProductionJob) -> profiles.FileProfile:
    partner = partner_for(session, job)
    return profiles.of_partner(partner.file_profile if partner is not None else None)


def hand_over(session: Session, assignments: list[JobAssignment]) -> list[JobAssignment]:
    """Tell each partner of its new jobs, once a job's files are made as its profile asks.

    A job whose files were made for another profile (routed after the rules changed, or the
    partner changed its profile) goes back to the render queue; its partner hears of it when
    the new files are ready (``route_after_production``). Returns the jobs announced now.
    """
    from app.production.enqueue import enqueue_production  # noqa: PLC0415 (production imports us)

    ready, remake = [], []
    for assignment in assignments:
        job = session.get_one(ProductionJob, assignment.production_job_id)
        if needs_files(session, job) and job.can_move_to(ProductionStatus.QUEUED):
            job.move_to(ProductionStatus.QUEUED)
            remake.append((job.id, job.shop_id))
        else:
            ready.append(assignment)
    enqueue_production(session, remake)
    partner_webhooks.announce(session, ready)
    return ready


def remake_for_profile(session: Session, partner_id: int) -> int:
    """After a partner changed its profile: its jobs nobody has started on (new, no live lease)
    are made again its new way; each is announced again when ready. Returns how many."""
    from app.production.enqueue import enqueue_production  # noqa: PLC0415 (production imports us)

    now = utcnow()
    waiting = session.scalars(
        select(JobAssignment).where(
            JobAssignment.partner_id == partner_id,
            JobAssignment.status == AssignmentStatus.NEW,
        )
    )
    remake = []
    for assignment in waiting:
        if assignment.lease_expires_at is not None and as_utc(assignment.lease_expires_at) > now:
            continue  # claimed: the partner may be downloading these files now
        job = session.get_one(ProductionJob, assignment.production_job_id)
        if needs_files(session, job):
            job.move_to(ProductionStatus.QUEUED)
            remake.append((job.id, job.shop_id))
    enqueue_production(session, remake)
    return len(remake)


def needs_files(session: Session, job: ProductionJob) -> bool:
    """Whether a ready job's files were made for another profile than its partner's."""
    if job.status is not ProductionStatus.READY or job.partner_id is None:
        return False
    made_for = job.files_profile or profiles.DEFAULT.digest  # files made before profiles existed
    return made_for != files_profile_for(session, job).digest


def _awaiting_proof() -> Any:
    """Jobs whose proof is not approved yet: production waits for the shopper."""
    return select(Proof.production_job_id).where(Proof.status != ProofStatus.APPROVED)


def route_job(session: Session, job_id: int) -> JobAssignment | None:
    """Assign a ready job to the first matching rule's partner; None while no rule matches or
    while its proof waits for approval.

    Idempotent: a job already assigned keeps its assignment (returned as is).
    """
    job = session.get(ProductionJob, job_id)
    if job is None or job.status not in ROUTABLE:
        return None
    if session.scalars(_awaiting_proof().where(Proof.production_job_id == job.id)).first():
        return None
    existing = session.scalars(
        select(JobAssignment).where(JobAssignment.production_job_id == job.id)
    ).first()
    if existing is not None:
        return existing
    facts = facts_of(session, job)
    rule = next((r for r in active_rules(session, job.shop_id) if matches(r, facts)), None)
    if rule is None:
        return None
    assignment = JobAssignment(
        shop_id=job.shop_id, production_job_id=job.id, partner_id=rule.partner_id, rule_id=rule.id
    )
    job.partner_id = rule.partner_id
    session.add(assignment)
    session.flush()
    return assignment


def unrouted_job_ids(session: Session, shop_id: int) -> list[int]:
    """Ready jobs of the shop that no partner has yet, oldest first."""
    assigned = select(JobAssignment.production_job_id).where(JobAssignment.shop_id == shop_id)
    stmt = (
        select(ProductionJob.id)
        .where(
            ProductionJob.shop_id == shop_id,
            ProductionJob.status.in_(ROUTABLE),
            ProductionJob.id.not_in(assigned),
            ProductionJob.id.not_in(_awaiting_proof()),
        )
        .order_by(ProductionJob.id)
    )
    return list(session.scalars(stmt))


def route_waiting(session: Session, shop_id: int) -> list[JobAssignment]:
    """Route every unrouted ready job of the shop; returns the new assignments."""
    routed = [route_job(session, job_id) for job_id in unrouted_job_ids(session, shop_id)]
    return [a for a in routed if a is not None]


def route_after_production(session: Session, production_job_id: int) -> bool:
    """Route a job that just became ready and tell its partner (called by the render job).

    True when the partner's profile asks for other files than the job was made with (the rules
    changed while it rendered): the job is QUEUED again and the caller makes it again now.
    """
    assignment = route_job(session, production_job_id)
    remake = False
    if assignment is not None:
        job = session.get_one(ProductionJob, production_job_id)
        remake = needs_files(session, job)
        if remake:
            job.move_to(ProductionStatus.QUEUED)
        else:
            partner_webhooks.announce(session, [assignment])
    session.commit()
    return remake


def housekeeping(session: Session) -> dict[str, int]:
    """Route waiting jobs of every shop (a rule may have been fixed) and prune idempotency."""
    shop_ids = session.scalars(
        select(ProductionJob.shop_id)
        .where(ProductionJob.status.in_(ROUTABLE), ProductionJob.partner_id.is_(None))
        .distinct()
    ).all()
    routed = 0
    for shop_id in shop_ids:
        assignments = route_waiting(session, shop_id)
        hand_over(session, assignments)
        routed += len(assignments)
    pruned = idempotency.prune(session)
    session.commit()
    return {"routed": routed, "pruned": pruned}
