"""Partner teams: partner_users.role (admin or operator).

Every partner had exactly one portal user, who managed everything: each becomes ``admin``.
The column is filled through a server default of ``admin``, which then changes to ``operator``
(the model's default), so a row inserted later without a role never gets admin rights.

The file is numbered by its place in the chain (0009); its revision id, 0010, was given
before the files were renumbered and stays: databases record it in alembic_version.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = sa.Enum("admin", "operator", name="partnerrole", native_enum=False, length=32)


def upgrade() -> None:
    # Two batches: SQLite rebuilds the table for each, and the rows are copied into the first
    # rebuild while its default is still "admin".
    with op.batch_alter_table("partner_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", ROLE, nullable=False, server_default="admin"))
    with op.batch_alter_table("partner_users", schema=None) as batch_op:
        batch_op.alter_column(
            "role", existing_type=ROLE, existing_nullable=False, server_default="operator"
        )


def downgrade() -> None:
    with op.batch_alter_table("partner_users", schema=None) as batch_op:
        batch_op.drop_column("role")
