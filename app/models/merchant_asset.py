"""A merchant's own fonts and clipart (issue #21), offered in templates beside Luneo's curated
ones and served to that shop's widget only.

A font's family is the id templates and design documents name, unique within its shop (a curated
family's name is never taken). Its files are two StoredFiles: the TrueType the print embeds and
the WOFF2 the widget loads. Who confirmed the licence allows embedding, and when, is kept.
A clipart set holds pieces: a sanitised SVG (drawn as vector outlines when simple enough) or a
PNG with enough pixels for print.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin


class MerchantFont(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "merchant_fonts"
    __table_args__ = (UniqueConstraint("shop_id", "family"),)

    family: Mapped[str] = mapped_column(String(60))
    weight: Mapped[int] = mapped_column(default=400)
    italic: Mapped[bool] = mapped_column(default=False)
    glyphs: Mapped[int] = mapped_column(default=0)
    source_format: Mapped[str] = mapped_column(String(8))  # ttf, otf, woff, woff2
    print_file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_files.id", ondelete="CASCADE"), index=True
    )
    web_file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_files.id", ondelete="CASCADE"), index=True
    )
    # The merchant's confirmation that the licence allows embedding in print files and web use.
    licence_confirmed_by: Mapped[str] = mapped_column(String(255))
    licence_confirmed_at: Mapped[datetime]


class ClipartKind(enum.StrEnum):
    SVG = "svg"
    PNG = "png"


class MerchantClipartSet(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "merchant_clipart_sets"
    __table_args__ = (UniqueConstraint("shop_id", "key"),)

    key: Mapped[str] = mapped_column(String(40))  # the ref's set part: ``clipart:<key>/<name>``
    label: Mapped[str] = mapped_column(String(100))
    pieces: Mapped[list[MerchantClipart]] = relationship(
        back_populates="clipart_set",
        cascade="all, delete-orphan",
        order_by="MerchantClipart.id",
        lazy="selectin",
    )


class MerchantClipart(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "merchant_clipart"
    __table_args__ = (UniqueConstraint("set_id", "name"),)

    set_id: Mapped[int] = mapped_column(
        ForeignKey("merchant_clipart_sets.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100))
    kind: Mapped[ClipartKind]
    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_files.id", ondelete="CASCADE"), index=True
    )
    width_px: Mapped[int] = mapped_column(default=0)  # a PNG's pixels; an SVG's view box
    height_px: Mapped[int] = mapped_column(default=0)
    clipart_set: Mapped[MerchantClipartSet] = relationship(back_populates="pieces")
