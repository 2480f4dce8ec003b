"""The merchant's side of fulfilment: partners, routing rules, waiting jobs and the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.passwords import hash_password
from app.billing import quota
from app.billing.plans import Feature
from app.fulfilment.assignments import MAX_ID
from app.fulfilment.errors import Conflict, Invalid, NotFound
from app.fulfilment.passwords import temporary_password
from app.models import (
    AuditEvent,
    JobAssignment,
    OrderItem,
    Partner,
    PartnerKind,
    PartnerRole,
    PartnerUser,
    Product,
    ProductionJob,
    RoutingRule,
    ShipmentPush,
    Shop,
    ShopPartner,
    ShopScope,
    Template,
    TrackingUpdate,
)


def _is_id(value: object) -> bool:
    """A value that can be a row id (a bool is not; a 64-bit number would break the query)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def linked_partners(session: Session, shop_id: int) -> list[Partner]:
    stmt = (
        select(Partner)
        .join(ShopPartner, ShopPartner.partner_id == Partner.id)
        .where(ShopPartner.shop_id == shop_id)
        .order_by(Partner.name)
    )
    return list(session.scalars(stmt))


def network_partners(session: Session) -> list[Partner]:
    stmt = select(Partner).where(Partner.kind == PartnerKind.NETWORK.value, Partner.is_active)
    return list(session.scalars(stmt.order_by(Partner.name)))


def _link(session: Session, shop_id: int, partner_id: int) -> None:
    exists = session.scalars(
        select(ShopPartner).where(
            ShopPartner.shop_id == shop_id, ShopPartner.partner_id == partner_id
        )
    ).first()
    if exists is None:
        session.add(ShopPartner(shop_id=shop_id, partner_id=partner_id))


@dataclass(frozen=True)
class NewPartner:
    partner: Partner
    user: PartnerUser  # the partner's first admin, whom the admin page e-mails an invitation
    email: str
    password: str  # temporary: shown once, for a merchant who prints in-house themselves


def _require_partners_feature(session: Session, shop_id: int) -> None:
    """Printing in-house is on every plan; routing to outside print shops is a plan feature."""
    quota.require_feature(session, session.get_one(Shop, shop_id), Feature.PARTNERS)


def create_partner(session: Session, shop_id: int, kind: str, name: str, email: str) -> NewPartner:
    """The merchant's own print shop (or in-house printing): a partner with its first portal
    user, an admin who can invite the rest of the print shop's team."""
    if kind not in (PartnerKind.OWN.value, PartnerKind.IN_HOUSE.value):
        raise Invalid("kind must be own or in_house (network partners are linked, not created).")
    if kind != PartnerKind.IN_HOUSE.value:
        _require_partners_feature(session, shop_id)
    name, email = name.strip()[:255], email.strip().lower()[:320]
    if not name or "@" not in email:
        raise Invalid("A partner needs a name and a valid email.")
    taken = session.scalars(
        select(PartnerUser).where(func.lower(PartnerUser.email) == email)
    ).first()
    if (
        taken is not None
        or session.scalars(select(Partner).where(func.lower(Partner.email) == email)).first()
    ):
        raise Conflict("This email already has a partner account.", code="email_taken")
    partner = Partner(name=name, email=email, kind=kind, created_by_shop_id=shop_id)
    session.add(partner)
    session.flush()
    password = temporary_password()
    user = PartnerUser(
        partner_id=partner.id,
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=PartnerRole.ADMIN,
    )
    session.add(user)
    _link(session, shop_id, partner.id)
    session.flush()
    return NewPartner(partner, user, email, password)


def link_network_partner(session: Session, shop_id: int, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id) if _is_id(partner_id) else None
    if partner is None or partner.kind != PartnerKind.NETWORK.value or not partner.is_active:
        raise NotFound("There is no network partner with this id.")
    _require_partners_feature(session, shop_id)
    _link(session, shop_id, partner.id)
    session.flush()
    return partner


def unlink_partner(session: Session, shop_id: int, partner_id: int) -> None:
    link = session.scalars(
        select(ShopPartner).where(
            ShopPartner.shop_id == shop_id, ShopPartner.partner_id == partner_id
        )
    ).first()
    if link is None:
        raise NotFound("This partner is not linked to your store.")
    scope = ShopScope(session, shop_id)
    for rule in session.scalars(scope.select(RoutingRule).filter_by(partner_id=partner_id)):
        session.delete(rule)
    session.delete(link)


def add_rule(session: Session, shop_id: int, data: dict[str, Any]) -> RoutingRule:
    scope = ShopScope(session, shop_id)
    partner_id = data.get("partner_id")
    if not _is_id(partner_id) or partner_id not in {
        p.id for p in linked_partners(session, shop_id)
    }:
        raise Invalid("partner_id must be one of your store's partners.")
    priority = data.get("priority", 100)
    if not isinstance(priority, int) or not 0 <= priority <= 10000:
        raise Invalid("priority must be an integer from 0 to 10000.")
    product_id, template_id = data.get("product_id"), data.get("template_id")
    if product_id is not None and (
        not _is_id(product_id) or scope.get(Product, product_id) is None
    ):
        raise Invalid("product_id is not a product of your store.")
    if template_id is not None and (
        not _is_id(template_id) or scope.get(Template, template_id) is None
    ):
        raise Invalid("template_id is not a template of your store.")
    country = data.get("country_code")
    if country is not None and (
        not isinstance(country, str) or len(country.strip()) != 2 or not country.isalpha()
    ):
        raise Invalid("country_code must be a two-letter ISO code.")
    rule = RoutingRule(
        partner_id=partner_id,
        priority=priority,
        product_id=product_id,
        template_id=template_id,
        country_code=country.strip().upper() if country else None,
    )
    scope.add(rule)
    session.flush()
    return rule


def delete_rule(session: Session, shop_id: int, rule_id: int) -> None:
    rule = ShopScope(session, shop_id).get(RoutingRule, rule_id) if _is_id(rule_id) else None
    if rule is None:
        raise NotFound("There is no routing rule with this id.")
    session.delete(rule)


def rules(session: Session, shop_id: int) -> list[RoutingRule]:
    return ShopScope(session, shop_id).all(RoutingRule, RoutingRule.priority, RoutingRule.id)


@dataclass(frozen=True)
class Timeline:
    """One production job's partner story for the admin's order page."""

    job: ProductionJob
    assignment: JobAssignment | None
    partner: Partner | None
    push: ShipmentPush | None
    events: list[AuditEvent]
    tracking_update: TrackingUpdate | None = None  # the latest correction after "Shipped"
    item: OrderItem | None = None  # the order line the job makes (its title names the job)


def order_timelines(session: Session, shop_id: int, order_id: int) -> list[Timeline]:
    scope = ShopScope(session, shop_id)
    item_ids = select(OrderItem.id).where(
        OrderItem.order_id == order_id, OrderItem.shop_id == shop_id
    )
    jobs = session.scalars(
        scope.select(ProductionJob).where(ProductionJob.order_item_id.in_(item_ids))
    )
    out = []
    for job in jobs:
        assignment = scope.get_by(JobAssignment, production_job_id=job.id)
        push = scope.get_by(ShipmentPush, assignment_id=assignment.id) if assignment else None
        partner = session.get(Partner, assignment.partner_id) if assignment else None
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.production_job_id == job.id, AuditEvent.shop_id == shop_id)
            .order_by(AuditEvent.id)
        )
        update = (
            session.scalars(
                scope.select(TrackingUpdate)
                .where(TrackingUpdate.assignment_id == assignment.id)
                .order_by(TrackingUpdate.id.desc())
                .limit(1)
            ).first()
            if assignment
            else None
        )
        item = session.get(OrderItem, job.order_item_id)
        out.append(Timeline(job, assignment, partner, push, list(events), update, item))
    return out
