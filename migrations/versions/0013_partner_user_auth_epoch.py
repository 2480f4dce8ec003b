"""Partner users get ``auth_epoch``, as merchant accounts have: signing out bumps it, so a cookie
copied before sign-out stops working (``app.session_stamps``, one mechanism for both).

The file is numbered by its place in the chain (0013); its revision id, 0014, was given
before the files were renumbered and stays: databases record it in alembic_version.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 03:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partner_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("auth_epoch", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("partner_users", schema=None) as batch_op:
        batch_op.drop_column("auth_epoch")
