"""``print_area_views``: more pictures of a print area (the back, a side, on a model).

Each is a merchant's photo (a stored MOCKUP file) with the area's placement on it (the same
shape as ``print_areas.mockup_placement``, a displacement map included); the area's own
mockup stays its first view.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "print_area_views",
        sa.Column("print_area_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("mockup_file_id", sa.Integer(), nullable=True),
        sa.Column("placement", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mockup_file_id"],
            ["stored_files.id"],
            name=op.f("fk_print_area_views_mockup_file_id_stored_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["print_area_id"],
            ["print_areas.id"],
            name=op.f("fk_print_area_views_print_area_id_print_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_print_area_views_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_area_views")),
    )
    with op.batch_alter_table("print_area_views", schema=None) as batch_op:
        for column in ("mockup_file_id", "print_area_id", "shop_id"):
            batch_op.create_index(batch_op.f(f"ix_print_area_views_{column}"), [column])


def downgrade() -> None:
    with op.batch_alter_table("print_area_views", schema=None) as batch_op:
        for column in ("mockup_file_id", "print_area_id", "shop_id"):
            batch_op.drop_index(batch_op.f(f"ix_print_area_views_{column}"))
    op.drop_table("print_area_views")
