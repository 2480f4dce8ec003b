"""Drop the partners' single-key columns: keys live in partner_api_keys (many per partner).

The file is numbered by its place in the chain (0007); its revision id, 0008, was given
before the files were renumbered and stays: databases record it in alembic_version.

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-24 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_partners_api_key_id"), type_="unique")
        batch_op.drop_column("api_key_revoked_at")
        batch_op.drop_column("api_key_created_at")
        batch_op.drop_column("api_key_hash")
        batch_op.drop_column("api_key_id")


def downgrade() -> None:
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("api_key_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("api_key_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("api_key_created_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("api_key_revoked_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint(batch_op.f("uq_partners_api_key_id"), ["api_key_id"])
