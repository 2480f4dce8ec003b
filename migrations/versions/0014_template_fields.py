"""Template fields, surcharges and the personalization state of order lines (issue #18).

``templates``: ``fields`` (the merchant's form fields, in order), ``editor_mode`` (which editor
the shopper gets: form, free canvas or both) and ``surcharge`` (charged once per personalised
unit). ``order_items``: what the line paid for its personalization (``surcharge``), what Luneo
computes from the design (``expected_surcharge``), where it stands (``personalization``: none,
designed, missing, unpaid, recovered) and when the shopper was asked for a missing design.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERSONALIZATION = sa.Enum(
    "none",
    "designed",
    "missing",
    "unpaid",
    "recovered",
    name="personalization",
    native_enum=False,
    length=32,
)
EDITOR_MODE = sa.Enum("canvas", "form", "both", name="editormode", native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fields", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("editor_mode", EDITOR_MODE, nullable=False, server_default="canvas")
        )
        batch_op.add_column(
            sa.Column("surcharge", sa.Numeric(12, 2), nullable=False, server_default="0")
        )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("surcharge", sa.Numeric(12, 2), nullable=True))
        batch_op.add_column(sa.Column("expected_surcharge", sa.Numeric(12, 2), nullable=True))
        batch_op.add_column(
            sa.Column("personalization", PERSONALIZATION, nullable=False, server_default="none")
        )
        batch_op.add_column(
            sa.Column("recovery_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_order_items_shop_id_personalization", ["shop_id", "personalization"]
        )


def downgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index("ix_order_items_shop_id_personalization")
        batch_op.drop_column("recovery_sent_at")
        batch_op.drop_column("personalization")
        batch_op.drop_column("expected_surcharge")
        batch_op.drop_column("surcharge")
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.drop_column("surcharge")
        batch_op.drop_column("editor_mode")
        batch_op.drop_column("fields")
