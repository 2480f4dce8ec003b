"""A merchant's own fonts and clipart sets (issue #21): ``merchant_fonts`` (the family id, the
print TTF and web WOFF2 files, who confirmed the licence and when), ``merchant_clipart_sets`` and
their ``merchant_clipart`` pieces (a sanitised SVG or a PNG file each).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 18:19:45.246317
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merchant_clipart_sets",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_merchant_clipart_sets_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_clipart_sets")),
        sa.UniqueConstraint("shop_id", "key", name=op.f("uq_merchant_clipart_sets_shop_id_key")),
    )
    with op.batch_alter_table("merchant_clipart_sets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_merchant_clipart_sets_shop_id"), ["shop_id"], unique=False
        )

    op.create_table(
        "merchant_clipart",
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("svg", "png", name="clipartkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("width_px", sa.Integer(), nullable=False),
        sa.Column("height_px", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_files.id"],
            name=op.f("fk_merchant_clipart_file_id_stored_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["merchant_clipart_sets.id"],
            name=op.f("fk_merchant_clipart_set_id_merchant_clipart_sets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_merchant_clipart_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_clipart")),
        sa.UniqueConstraint("set_id", "name", name=op.f("uq_merchant_clipart_set_id_name")),
    )
    with op.batch_alter_table("merchant_clipart", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merchant_clipart_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_merchant_clipart_set_id"), ["set_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_merchant_clipart_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "merchant_fonts",
        sa.Column("family", sa.String(length=60), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("italic", sa.Boolean(), nullable=False),
        sa.Column("glyphs", sa.Integer(), nullable=False),
        sa.Column("source_format", sa.String(length=8), nullable=False),
        sa.Column("print_file_id", sa.Integer(), nullable=False),
        sa.Column("web_file_id", sa.Integer(), nullable=False),
        sa.Column("licence_confirmed_by", sa.String(length=255), nullable=False),
        sa.Column("licence_confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["print_file_id"],
            ["stored_files.id"],
            name=op.f("fk_merchant_fonts_print_file_id_stored_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_merchant_fonts_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["web_file_id"],
            ["stored_files.id"],
            name=op.f("fk_merchant_fonts_web_file_id_stored_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_fonts")),
        sa.UniqueConstraint("shop_id", "family", name=op.f("uq_merchant_fonts_shop_id_family")),
    )
    with op.batch_alter_table("merchant_fonts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_merchant_fonts_print_file_id"), ["print_file_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_merchant_fonts_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_merchant_fonts_web_file_id"), ["web_file_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("merchant_fonts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merchant_fonts_web_file_id"))
        batch_op.drop_index(batch_op.f("ix_merchant_fonts_shop_id"))
        batch_op.drop_index(batch_op.f("ix_merchant_fonts_print_file_id"))

    op.drop_table("merchant_fonts")
    with op.batch_alter_table("merchant_clipart", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merchant_clipart_shop_id"))
        batch_op.drop_index(batch_op.f("ix_merchant_clipart_set_id"))
        batch_op.drop_index(batch_op.f("ix_merchant_clipart_file_id"))

    op.drop_table("merchant_clipart")
    with op.batch_alter_table("merchant_clipart_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merchant_clipart_sets_shop_id"))

    op.drop_table("merchant_clipart_sets")
