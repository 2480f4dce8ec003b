"""Production: one job per ordered line with a design, moving through a fixed status machine."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin, json_default
from app.models.stored_file import StoredFile


class ProductionStatus(enum.StrEnum):
    QUEUED = "queued"
    RENDERING = "rendering"
    READY = "ready"
    PRINTING = "printing"
    SHIPPED = "shipped"
    FAILED = "failed"


# Which status may follow which. FAILED can be retried (back to QUEUED); SHIPPED is final.
TRANSITIONS: dict[ProductionStatus, frozenset[ProductionStatus]] = {
    ProductionStatus.QUEUED: frozenset({ProductionStatus.RENDERING, ProductionStatus.FAILED}),
    ProductionStatus.RENDERING: frozenset(
        {ProductionStatus.READY, ProductionStatus.FAILED, ProductionStatus.QUEUED}
    ),
    ProductionStatus.READY: frozenset(
        {ProductionStatus.PRINTING, ProductionStatus.QUEUED, ProductionStatus.FAILED}
    ),
    ProductionStatus.PRINTING: frozenset({ProductionStatus.SHIPPED, ProductionStatus.FAILED}),
    ProductionStatus.SHIPPED: frozenset(),
    ProductionStatus.FAILED: frozenset({ProductionStatus.QUEUED}),
}


class InvalidTransition(ValueError):
    def __init__(self, current: ProductionStatus, target: ProductionStatus) -> None:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none"
        super().__init__(
            f"production job cannot go from {current.value} to {target.value} (allowed: {allowed})"
        )
        self.current = current
        self.target = target


class ProductionJob(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "production_jobs"
    __table_args__ = (UniqueConstraint("order_item_id", name="uq_production_jobs_order_item_id"),)

    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id", ondelete="CASCADE"))
    design_id: Mapped[int | None] = mapped_column(
        ForeignKey("designs.id", ondelete="SET NULL"), index=True
    )
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ProductionStatus] = mapped_column(default=ProductionStatus.QUEUED, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    preflight: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    carrier: Mapped[str | None] = mapped_column(String(128))
    tracking_number: Mapped[str | None] = mapped_column(String(255))
    tracking_url: Mapped[str | None] = mapped_column(Text)
    shipped_at: Mapped[datetime | None]
    # Set while the job waits for the shop's plan to allow another produced order.
    quota_blocked_at: Mapped[datetime | None]
    # The digest of the partner file profile the files were made for (app.fulfilment.profiles).
    files_profile: Mapped[str | None] = mapped_column(String(16))
    # 1 for the files of the ordered design; each change of the design after the order (the
    # shopper's or the merchant's, ``app.sync.order_edits``) counts one more.
    files_version: Mapped[int] = mapped_column(default=1, server_default="1")

    files: Mapped[list[ProductionFile]] = relationship(
        back_populates="production_job", cascade="all, delete-orphan"
    )

    def can_move_to(self, target: ProductionStatus) -> bool:
        return target in TRANSITIONS[self.status]

    def move_to(self, target: ProductionStatus, *, error: str | None = None) -> None:
        """Change status if the machine allows it; raise InvalidTransition otherwise."""
        if not self.can_move_to(target):
            raise InvalidTransition(self.status, target)
        self.status = target
        self.status_changed_at = utcnow()
        self.error = error if target is ProductionStatus.FAILED else None
        if target is ProductionStatus.RENDERING:
            self.attempts += 1
        if target is ProductionStatus.SHIPPED:
            self.shipped_at = self.status_changed_at


class ProductionFile(IdMixin, Base):
    """A file produced for a job: which print area, which format."""

    __tablename__ = "production_files"
    __table_args__ = (
        UniqueConstraint(
            "production_job_id", "area_key", "format", name="uq_production_files_job_area_format"
        ),
    )

    production_job_id: Mapped[int] = mapped_column(
        ForeignKey("production_jobs.id", ondelete="CASCADE"), index=True
    )
    stored_file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_files.id", ondelete="CASCADE"), index=True
    )
    area_key: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))  # png, pdf, glb, usdz

    production_job: Mapped[ProductionJob] = relationship(back_populates="files")
    stored_file: Mapped[StoredFile] = relationship()


class ProofStatus(enum.StrEnum):
    PENDING = "pending"  # the files are ready; the proof was not sent yet
    SENT = "sent"  # the shopper has the link
    APPROVED = "approved"  # by the shopper, or automatically at the deadline
    CHANGES_REQUESTED = "changes_requested"  # the shopper's comment waits for the merchant
    EXPIRED = "expired"  # the deadline passed; still waiting for the shopper


class Proof(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    """A job's proof approval (``app.fulfilment.proofs``): while a job has one that is not
    approved, routing leaves the job alone."""

    __tablename__ = "proofs"
    __table_args__ = (UniqueConstraint("production_job_id", name="uq_proofs_production_job_id"),)

    production_job_id: Mapped[int] = mapped_column(
        ForeignKey("production_jobs.id", ondelete="CASCADE")
    )
    status: Mapped[ProofStatus] = mapped_column(default=ProofStatus.PENDING, index=True)
    # Each sending is a round; a link names its round, so an older link stops working.
    round: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime | None]
    remind_at: Mapped[datetime | None] = mapped_column(index=True)  # 75 % of the way
    reminded_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(32))  # shopper, deadline
    comment: Mapped[str | None] = mapped_column(Text)
