"""Ordered designs the shopper or the merchant changes after the order (issue #21).

``production_jobs.files_version``: 1 for the files of the ordered design, one more for each
change (``app.sync.order_edits``), which partners see in the API, the portal and a
``job.updated`` webhook. ``order_items.edit_link_sent_at``: when the e-mail with the line's link
to change its design was queued (once per line).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("production_jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("files_version", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("edit_link_sent_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_column("edit_link_sent_at")
    with op.batch_alter_table("production_jobs", schema=None) as batch_op:
        batch_op.drop_column("files_version")
