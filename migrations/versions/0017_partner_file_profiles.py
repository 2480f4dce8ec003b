"""Partners' file profiles (issue #20): what each print shop wants from Luneo's files.

``partners.file_profile``: formats, CMYK characterisation, bleed, crop marks, cut lines and file
naming (``app.fulfilment.profiles``; ``{}``: Luneo's default set). ``production_jobs.files_profile``:
the digest of the profile a job's files were made for, so routing knows when a job routed to a
partner needs its files made again.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("file_profile", sa.JSON(), nullable=False, server_default="{}")
        )
    with op.batch_alter_table("production_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("files_profile", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("production_jobs", schema=None) as batch_op:
        batch_op.drop_column("files_profile")
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.drop_column("file_profile")
