"""Retention: pending storage deletions, and indexes on every column that points at a file.

``storage_deletions`` holds the keys whose StoredFile rows are deleted but whose bytes may still
be in storage (see ``app.stored_files``). The indexes serve the retention sweep's "is this file
still used?" checks and the ON DELETE actions a file deletion triggers in each referencing
table (PostgreSQL does not index foreign keys by itself), plus the sweep's scan of a shop's
designs by last change.

The file is numbered by its place in the chain (0010); its revision id, 0011, was given
before the files were renumbered and stays: databases record it in alembic_version.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column) pairs that reference stored_files.id
FILE_REFERENCES = (
    ("designs", "preview_file_id"),
    ("generations", "file_id"),
    ("print_areas", "mockup_file_id"),
    ("production_files", "stored_file_id"),
)


def upgrade() -> None:
    op.create_table(
        "storage_deletions",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_deletions")),
        sa.UniqueConstraint("key", name=op.f("uq_storage_deletions_key")),
    )
    with op.batch_alter_table("storage_deletions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_storage_deletions_shop_id"), ["shop_id"], unique=False)
    for table, column in FILE_REFERENCES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_designs_shop_id_updated_at", ["shop_id", "updated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_index("ix_designs_shop_id_updated_at")
    for table, column in reversed(FILE_REFERENCES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
    with op.batch_alter_table("storage_deletions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_storage_deletions_shop_id"))
    op.drop_table("storage_deletions")
