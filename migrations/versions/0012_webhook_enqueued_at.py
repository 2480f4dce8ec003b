"""Webhook and billing events remember when their job reached the queue.

``enqueued_at`` is None for an event whose job never reached Redis (Redis was down when it
was delivered): the sweeper (``jobs.webhook_sweep``) hands those over, and those handed over
long ago but still unprocessed. Existing unprocessed rows start with None, so the first sweep
after the upgrade picks up any event an earlier outage left behind.

The file is numbered by its place in the chain (0012); its revision id, 0013, was given
before the files were renumbered and stays: databases record it in alembic_version.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("webhook_events", "billing_events")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("enqueued_at")
