"""Analytics counters (issue #23): one row per shop, event kind, key, day and template, with
its count, keyed by those five (``WITHOUT ROWID`` on SQLite: stored in key order); upserted by
batches of widget events and by the order sync.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 21:18:52.691843
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('analytics_counters',
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_analytics_counters_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shop_id', 'kind', 'key', 'day', 'template_id', name=op.f('pk_analytics_counters')),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    op.drop_table('analytics_counters')
