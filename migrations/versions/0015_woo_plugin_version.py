"""``shops.plugin_version``: the Luneo WordPress plugin version a WooCommerce store runs.

The plugin names itself (``X-Luneo-Plugin``) on its server-to-server calls; Luneo records it so
that what it sends the store's shoppers matches what the store can do (from 1.1.0 the plugin
hosts the design recovery page on the store's own origin, where the shopper's draft lives).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plugin_version", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("plugin_version")
