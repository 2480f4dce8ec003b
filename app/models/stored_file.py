"""Metadata for every file Luneo keeps: uploads, previews, print files, 3D assets, slips.

The bytes live in the storage backend under ``key``; the row is what we query, scope to a shop
and verify (size and sha256 are checked on write and let identical renders be reused).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin


class FileKind(enum.StrEnum):
    UPLOAD = "upload"
    AI_IMAGE = "ai_image"
    MOCKUP = "mockup"
    PREVIEW = "preview"
    PRINT_PNG = "print_png"
    PRINT_PDF = "print_pdf"
    PRINT_TIFF = "print_tiff"  # CMYK TIFF, for partners whose profile asks for it
    CUT_SVG = "cut_svg"  # die-cut products: the cut path alone (app.design.cut_files)
    CUT_DXF = "cut_dxf"
    ENGRAVE_TIFF = "engrave_tiff"  # laser engraving (app.design.engraving)
    ENGRAVE_SVG = "engrave_svg"
    MODEL_GLB = "model_glb"
    MODEL_USDZ = "model_usdz"
    PACKING_SLIP = "packing_slip"
    PROOF_SHEET = "proof_sheet"  # one page per order line for the merchant and the printer
    EXPORT = "export"
    FONT = "font"  # a merchant's own font: the print TTF and the web WOFF2 (merchant_asset)
    CLIPART = "clipart"  # a merchant's own clipart piece: sanitised SVG or PNG


class StoredFile(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "stored_files"
    # The upload sweep looks for recent photos of every shop at once (app.retention).
    __table_args__ = (Index("ix_stored_files_kind_created_at", "kind", "created_at"),)

    key: Mapped[str] = mapped_column(String(512), unique=True)
    kind: Mapped[FileKind]
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str | None] = mapped_column(String(255))


class StorageDeletion(IdMixin, Base):
    """Bytes still to remove from storage for a StoredFile row that is already deleted.

    Written in the transaction that deletes the row, removed once the bytes are gone: a crash
    between the commit and the storage call leaves this row behind, and the next run finishes
    the job. ``shop_id`` is deliberately not a foreign key: a pending deletion must outlive the
    shop's rows, or its bytes would be forgotten when the shop is deleted.
    """

    __tablename__ = "storage_deletions"

    shop_id: Mapped[int] = mapped_column(index=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
