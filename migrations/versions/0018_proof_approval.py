"""Proof approval before production (issue #21).

``templates``: whether the shopper must approve a proof before production
(``proof_required``), who sends it (``proof_send``: Luneo when the files are ready, or the
merchant), the approval deadline in hours and what happens when it passes
(``proof_at_deadline``: keep waiting, or produce as is). ``proofs``: one per production job of
such a template (``app.fulfilment.proofs``): its state, the sending round a link names, when it
was sent, reminded and decided, and the shopper's comment.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROOF_SEND = sa.Enum("auto", "merchant", name="proofsend", native_enum=False, length=32)
PROOF_AT_DEADLINE = sa.Enum(
    "wait", "produce", name="proofatdeadline", native_enum=False, length=32
)
PROOF_STATUS = sa.Enum(
    "pending",
    "sent",
    "approved",
    "changes_requested",
    "expired",
    name="proofstatus",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proof_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("proof_send", PROOF_SEND, nullable=False, server_default="auto")
        )
        batch_op.add_column(
            sa.Column("proof_deadline_hours", sa.Integer(), nullable=False, server_default="48")
        )
        batch_op.add_column(
            sa.Column("proof_at_deadline", PROOF_AT_DEADLINE, nullable=False, server_default="wait")
        )
    op.create_table(
        "proofs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("production_job_id", sa.Integer(), nullable=False),
        sa.Column("status", PROOF_STATUS, nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_job_id"],
            ["production_jobs.id"],
            name=op.f("fk_proofs_production_job_id_production_jobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_proofs_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proofs")),
        sa.UniqueConstraint("production_job_id", name="uq_proofs_production_job_id"),
    )
    with op.batch_alter_table("proofs", schema=None) as batch_op:
        for column in ("remind_at", "shop_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_proofs_{column}"), [column])


def downgrade() -> None:
    with op.batch_alter_table("proofs", schema=None) as batch_op:
        for column in ("remind_at", "shop_id", "status"):
            batch_op.drop_index(batch_op.f(f"ix_proofs_{column}"))
    op.drop_table("proofs")
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.drop_column("proof_at_deadline")
        batch_op.drop_column("proof_deadline_hours")
        batch_op.drop_column("proof_send")
        batch_op.drop_column("proof_required")
