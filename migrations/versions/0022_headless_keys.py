"""A store's headless key and its allowed origins (issue #23): ``headless_keys`` (one per shop,
the public ``X-Luneo-Key`` of a custom storefront) and ``headless_origins`` (the browser
origins allowed to call with it, indexed for CORS preflights).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 21:18:43.917139
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "headless_keys",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_headless_keys_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_headless_keys")),
        sa.UniqueConstraint("key", name=op.f("uq_headless_keys_key")),
    )
    with op.batch_alter_table("headless_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_headless_keys_shop_id"), ["shop_id"], unique=True)

    op.create_table(
        "headless_origins",
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["headless_keys.id"],
            name=op.f("fk_headless_origins_key_id_headless_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_headless_origins")),
        sa.UniqueConstraint("key_id", "origin", name=op.f("uq_headless_origins_key_id_origin")),
    )
    with op.batch_alter_table("headless_origins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_headless_origins_origin"), ["origin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("headless_origins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_headless_origins_origin"))

    op.drop_table("headless_origins")
    with op.batch_alter_table("headless_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_headless_keys_shop_id"))

    op.drop_table("headless_keys")
