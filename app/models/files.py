"""Metadata for every file Luneo keeps: uploads, previews, print files, 3D assets, slips.

The bytes live in the storage backend under ``key``; the row is what we query, scope to a shop
and verify (size and sha256 are checked on write and let identical renders be reused).
"""

from __future__ import annotations

import enum

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin


class FileKind(enum.StrEnum):
    UPLOAD = "upload"
    AI_IMAGE = "ai_image"
    MOCKUP = "mockup"
    PREVIEW = "preview"
    PRINT_PNG = "print_png"
    PRINT_PDF = "print_pdf"
    MODEL_GLB = "model_glb"
    MODEL_USDZ = "model_usdz"
    PACKING_SLIP = "packing_slip"
    EXPORT = "export"


class StoredFile(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(512), unique=True)
    kind: Mapped[FileKind]
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str | None] = mapped_column(String(255))
