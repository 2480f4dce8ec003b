"""Indexes for the counts /metrics takes at every scrape: unprocessed webhooks, recent generations.

The file is numbered by its place in the chain (0008); its revision id, 0009, was given
before the files were renumbered and stays: databases record it in alembic_version.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 10:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_events_status"), ["status"], unique=False)
    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.create_index("ix_generations_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.drop_index("ix_generations_created_at")
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_events_status"))
