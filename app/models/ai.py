"""AI generations (one row per shopper request, cached per shop) and each shop's AI settings."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin, json_default


class GenerationStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUSED = "refused"  # by moderation or a deny-list: counted, never charged


FINISHED_STATUSES = frozenset(
    {GenerationStatus.SUCCEEDED, GenerationStatus.FAILED, GenerationStatus.REFUSED}
)


def new_generation_id() -> str:
    return "g_" + secrets.token_urlsafe(16)


def _empty_list() -> list[Any]:
    return []


class Generation(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "generations"
    # Recent generations are counted by time (the gallery, metrics); created_at is the mixin's.
    __table_args__ = (Index("ix_generations_created_at", "created_at"),)

    public_id: Mapped[str] = mapped_column(String(40), unique=True, default=new_generation_id)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("templates.id", ondelete="SET NULL"), index=True
    )
    area_key: Mapped[str] = mapped_column(String(64))
    prompt: Mapped[str] = mapped_column(Text)  # normalised, as the shopper typed it
    style: Mapped[str | None] = mapped_column(String(64))
    # sha256 of prompt + style + provider options + target size: same key, same image.
    cache_key: Mapped[str] = mapped_column(String(64), index=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    status: Mapped[GenerationStatus] = mapped_column(default=GenerationStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")  # for the shopper
    error: Mapped[str | None] = mapped_column(Text)  # for the operator
    refusal_reason: Mapped[str | None] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(64))
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"), index=True
    )
    width_px: Mapped[int | None]
    height_px: Mapped[int | None]
    native_dpi: Mapped[float | None]
    effective_dpi: Mapped[float | None]
    usage_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("usage_records.id", ondelete="SET NULL")
    )
    cached_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("generations.id", ondelete="SET NULL")
    )
    client_key: Mapped[str | None] = mapped_column(String(128))
    customer_ref: Mapped[str | None] = mapped_column(String(128), index=True)
    batch_id: Mapped[str | None] = mapped_column(String(40), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    deadline_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class AiSettings(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    """A shop's AI choices: its deny-list and the style presets shoppers pick from."""

    __tablename__ = "ai_settings"
    __table_args__ = (UniqueConstraint("shop_id", name="uq_ai_settings_shop_id"),)

    deny_terms: Mapped[list[Any]] = mapped_column(default=_empty_list)
    # [{"key": "watercolour", "label": "Watercolour", "prefix": "A soft watercolour painting of"}]
    styles: Mapped[list[Any] | None]  # None: Luneo's default presets
