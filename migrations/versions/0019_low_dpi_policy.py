"""Low-DPI policy per template and tracking corrections after "Shipped" (issue #21).

``templates.low_dpi_policy``: ``warn`` (a photo under the minimum DPI is flagged, the design may
still be ordered) or ``refuse`` (the storefront refuses to save the design). ``tracking_updates``:
a carrier / tracking number / URL corrected after a job shipped, pushed to the store like the
shipment itself (``app.fulfilment.tracking``).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOW_DPI_POLICY = sa.Enum("warn", "refuse", name="lowdpipolicy", native_enum=False, length=32)
PUSH_STATUS = sa.Enum(
    "reported", "pushing", "pushed", "failed", name="pushstatus", native_enum=False, length=32
)


def upgrade() -> None:
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("low_dpi_policy", LOW_DPI_POLICY, nullable=False, server_default="warn")
        )
    op.create_table(
        "tracking_updates",
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("status", PUSH_STATUS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("carrier", sa.String(length=128), nullable=True),
        sa.Column("tracking_number", sa.String(length=255), nullable=True),
        sa.Column("tracking_url", sa.Text(), nullable=True),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["job_assignments.id"],
            name=op.f("fk_tracking_updates_assignment_id_job_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_tracking_updates_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_updates")),
    )
    with op.batch_alter_table("tracking_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracking_updates_assignment_id"), ["assignment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tracking_updates_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_updates_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracking_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_updates_status"))
        batch_op.drop_index(batch_op.f("ix_tracking_updates_shop_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_updates_assignment_id"))
    op.drop_table("tracking_updates")
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.drop_column("low_dpi_policy")
