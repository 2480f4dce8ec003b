"""Virtual try-on per template (issue #23): ``templates.try_on``, the kind of product worn
(glasses, hat, earrings, mask, watch, ring), its anchor on the face or hand, its scale and offset
(``app/product_templates/try_on.py``); null when the template offers no try-on.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("try_on", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.drop_column("try_on")
