"""An index on stored_files (kind, created_at): the upload sweep's search for recent photos.

Every 15 minutes ``jobs.retention.sweep_uploads_all`` asks which shops hold photos of the day
before the cutoff (``app.retention.shops_with_uploads_to_weigh``); without this index that is a
scan of every file Luneo keeps.

The file is numbered by its place in the chain (0011); its revision id, 0012, was given
before the files were renumbered and stays: databases record it in alembic_version.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 04:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stored_files_kind_created_at", ["kind", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index("ix_stored_files_kind_created_at")
