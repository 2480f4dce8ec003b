"""The partner side of production: users, API keys, routing, assignments, pushes and audit.

A production job that becomes ready is *assigned* to one partner by the shop's routing rules
(``JobAssignment``, one per job). The assignment carries what the partner works with: its own
status (new → printing → shipped, or problem), the lease a partner worker holds while it works
on the job, and the shipment it reported. The push of that shipment to the store is a separate
row (``ShipmentPush``) so the report is stored before, and kept whatever happens to, the push.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin, json_default


class PartnerKind(enum.StrEnum):
    NETWORK = "network"  # a print shop serving many merchants
    OWN = "own"  # the merchant's own print shop, outside Luneo
    IN_HOUSE = "in_house"  # the merchant prints themselves, with the same portal


class PartnerRole(enum.StrEnum):
    ADMIN = "admin"  # manages the team, API keys and the webhook, and does what operators do
    OPERATOR = "operator"  # jobs, downloads and status reports


class PartnerUser(IdMixin, TimestampMixin, Base):
    """A person at a partner who signs in to the portal (Argon2id, as merchant accounts).

    Someone invited but not signed up yet has an unusable password hash
    (``app.fulfilment.passwords.UNUSABLE_PREFIX``) until they accept the e-mailed link. A new
    row is an operator unless it says otherwise: admin rights are given, never defaulted into.
    """

    __tablename__ = "partner_users"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    role: Mapped[PartnerRole] = mapped_column(
        default=PartnerRole.OPERATOR, server_default=PartnerRole.OPERATOR.value
    )
    # Bumped when the person signs out: every session stamped before ends (app.session_stamps).
    auth_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PartnerApiKey(IdMixin, Base):
    """A Bearer key for the partner API: shown once, kept as a lookup id and a hash."""

    __tablename__ = "partner_api_keys"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RoutingRule(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    """Which partner makes a job: the matching active rule with the lowest priority wins.

    Empty criteria match everything, so a rule without product, template and country is the
    shop's default route.
    """

    __tablename__ = "routing_rules"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    priority: Mapped[int] = mapped_column(Integer, default=100)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("templates.id", ondelete="CASCADE"))
    country_code: Mapped[str | None] = mapped_column(String(2))
    is_active: Mapped[bool] = mapped_column(default=True)


class AssignmentStatus(enum.StrEnum):
    NEW = "new"
    PRINTING = "printing"
    SHIPPED = "shipped"
    PROBLEM = "problem"


# What a partner may report next. SHIPPED is final; a problem can be resolved by printing.
ASSIGNMENT_TRANSITIONS: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    AssignmentStatus.NEW: frozenset(
        {AssignmentStatus.PRINTING, AssignmentStatus.SHIPPED, AssignmentStatus.PROBLEM}
    ),
    AssignmentStatus.PRINTING: frozenset({AssignmentStatus.SHIPPED, AssignmentStatus.PROBLEM}),
    AssignmentStatus.PROBLEM: frozenset(
        {AssignmentStatus.PRINTING, AssignmentStatus.SHIPPED, AssignmentStatus.PROBLEM}
    ),
    AssignmentStatus.SHIPPED: frozenset(),
}


class JobAssignment(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "job_assignments"
    __table_args__ = (
        UniqueConstraint("production_job_id", name="uq_job_assignments_production_job_id"),
    )

    production_job_id: Mapped[int] = mapped_column(
        ForeignKey("production_jobs.id", ondelete="CASCADE")
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rules.id", ondelete="SET NULL"))
    status: Mapped[AssignmentStatus] = mapped_column(default=AssignmentStatus.NEW, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    problem_reason: Mapped[str | None] = mapped_column(Text)
    lease_token: Mapped[str | None] = mapped_column(String(64))
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(128))
    tracking_number: Mapped[str | None] = mapped_column(String(255))
    tracking_url: Mapped[str | None] = mapped_column(Text)
    shipped_at: Mapped[datetime | None]


class PushStatus(enum.StrEnum):
    REPORTED = "reported"
    PUSHING = "pushing"
    PUSHED = "pushed"
    FAILED = "failed"


class ShipmentPush(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    """A shipped report on its way to the store (Shopify fulfillment / WooCommerce status)."""

    __tablename__ = "shipment_pushes"
    __table_args__ = (UniqueConstraint("assignment_id", name="uq_shipment_pushes_assignment_id"),)

    assignment_id: Mapped[int] = mapped_column(ForeignKey("job_assignments.id", ondelete="CASCADE"))
    status: Mapped[PushStatus] = mapped_column(default=PushStatus.REPORTED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    fulfillment_ids: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    pushed_at: Mapped[datetime | None]


class TrackingUpdate(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    """A tracking correction after "Shipped", on its way to the store (issue #21).

    The corrected carrier, number and URL are on the assignment (and its production job); the
    push sends what is there when it runs, so a later correction supersedes an earlier one and
    a retry sends the same thing again.
    """

    __tablename__ = "tracking_updates"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("job_assignments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[PushStatus] = mapped_column(default=PushStatus.REPORTED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    carrier: Mapped[str | None] = mapped_column(String(128))
    tracking_number: Mapped[str | None] = mapped_column(String(255))
    tracking_url: Mapped[str | None] = mapped_column(Text)
    pushed_at: Mapped[datetime | None]


class IdempotencyRecord(IdMixin, Base):
    """The stored answer to a partner API write, replayed for the same Idempotency-Key."""

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("partner_id", "key", name="uq_idempotency_records_partner_id_key"),
    )

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AuditAction(enum.StrEnum):
    """Every action the audit trail records (``AuditEvent.action`` stores the value as text).

    ``app.fulfilment.audit.record`` takes one of these; ``app.wording`` has their words."""

    CLAIM = "claim"
    DOWNLOAD_FILE = "download_file"
    DOWNLOAD_PACKING_SLIP = "download_packing_slip"
    DOWNLOAD_ZIP = "download_zip"
    STATUS_NEW = f"status_{AssignmentStatus.NEW.value}"
    STATUS_PRINTING = f"status_{AssignmentStatus.PRINTING.value}"
    STATUS_SHIPPED = f"status_{AssignmentStatus.SHIPPED.value}"
    STATUS_PROBLEM = f"status_{AssignmentStatus.PROBLEM.value}"
    PUSH_STARTED = "push_started"
    PUSH_RETRYING = "push_retrying"
    PUSH_DONE = "push_done"
    PUSH_FAILED = "push_failed"
    PUSH_RETRY = "push_retry"
    API_KEY_CREATED = "api_key_created"
    API_KEY_REVOKED = "api_key_revoked"
    WEBHOOK_UPDATED = "webhook_updated"
    FILE_PROFILE_UPDATED = "file_profile_updated"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an action's name, not a password
    PASSWORD_RESET = "password_reset"  # noqa: S105
    TEAM_INVITED = "team_invited"
    TEAM_INVITATION_RESENT = "team_invitation_resent"
    TEAM_INVITATION_ACCEPTED = "team_invitation_accepted"
    TEAM_ROLE_CHANGED = "team_role_changed"
    TEAM_DEACTIVATED = "team_deactivated"
    TEAM_REACTIVATED = "team_reactivated"
    TRACKING_CORRECTED = "tracking_corrected"
    TRACKING_PUSH_STARTED = "tracking_push_started"
    TRACKING_PUSH_RETRYING = "tracking_push_retrying"
    TRACKING_PUSH_DONE = "tracking_push_done"
    TRACKING_PUSH_FAILED = "tracking_push_failed"
    TRACKING_PUSH_WITH_SHIPMENT = "tracking_push_with_shipment"
    PROOF_SENT = "proof_sent"
    PROOF_APPROVED = "proof_approved"
    PROOF_APPROVED_AT_DEADLINE = "proof_approved_at_deadline"
    PROOF_CHANGES_REQUESTED = "proof_changes_requested"
    PROOF_DEADLINE_PASSED = "proof_deadline_passed"
    DESIGN_CHANGED = "design.changed"


class AuditEvent(IdMixin, Base):
    """Who did what to a partner job or file, when and from where (downloads, status changes)."""

    __tablename__ = "audit_events"

    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    production_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("production_jobs.id", ondelete="CASCADE"), index=True
    )
    actor_type: Mapped[str] = mapped_column(String(32))  # partner_user, api_key, merchant, system
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_label: Mapped[str] = mapped_column(String(255), default="")
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
