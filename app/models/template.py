"""What a merchant makes customizable: a template per product and its print areas.

Print areas are physical: millimetres plus the DPI the partner prints at, so a design renders
identically at any resolution. Bleed extends past the trim; the safe margin lies inside it.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base
from app.models.base import IdMixin, ShopOwnedMixin, TimestampMixin, json_default


def _empty_list() -> list[Any]:
    return []


class EditorMode(enum.StrEnum):
    """Which editor the shopper gets: the merchant's fields, the free canvas, or both."""

    CANVAS = "canvas"
    FORM = "form"
    BOTH = "both"


class ProofSend(enum.StrEnum):
    """Who sends the shopper a template's proof: Luneo once the files are ready, or the
    merchant from the order page."""

    AUTO = "auto"
    MERCHANT = "merchant"


class ProofAtDeadline(enum.StrEnum):
    """What happens to a proof nobody decided on by its deadline."""

    WAIT = "wait"  # keep waiting for the shopper; the merchant is told
    PRODUCE = "produce"  # approved automatically, produced as it is


class LowDpiPolicy(enum.StrEnum):
    """What a photo under the minimum DPI does: warn the shopper, or refuse the design."""

    WARN = "warn"
    REFUSE = "refuse"


class Template(IdMixin, ShopOwnedMixin, TimestampMixin, Base):
    __tablename__ = "templates"
    __table_args__ = (
        UniqueConstraint("shop_id", "product_id", name="uq_templates_shop_id_product_id"),
    )

    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Font family ids (from the curated set), colour hex codes and clipart set ids allowed here.
    fonts: Mapped[list[Any]] = mapped_column(default=_empty_list)
    colors: Mapped[list[Any]] = mapped_column(default=_empty_list)
    clipart_sets: Mapped[list[Any]] = mapped_column(default=_empty_list)
    max_layers: Mapped[int] = mapped_column(default=20)
    ai_enabled: Mapped[bool] = mapped_column(default=False)
    min_image_dpi: Mapped[int] = mapped_column(default=100)
    low_dpi_policy: Mapped[LowDpiPolicy] = mapped_column(default=LowDpiPolicy.WARN)
    # [{"option": "back_print", "amount": "5.00"}, {"area": "back", "amount": "4.00"}, ...]
    price_rules: Mapped[list[Any]] = mapped_column(default=_empty_list)
    # The merchant's form fields in the order the shopper fills them (shape: app/design/fields.py,
    # JSON Schema: app/design/schema/template.v1.json).
    fields: Mapped[list[Any]] = mapped_column(default=_empty_list)
    editor_mode: Mapped[EditorMode] = mapped_column(default=EditorMode.CANVAS)
    # Charged once per personalised unit, in the shop's currency, on top of field/option prices.
    surcharge: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    model_3d: Mapped[str | None] = mapped_column(String(64))  # built-in model id, e.g. "mug"
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", default=json_default)
    # Proof approval (#21): production waits until the shopper approves the proof sheet.
    proof_required: Mapped[bool] = mapped_column(default=False)
    proof_send: Mapped[ProofSend] = mapped_column(default=ProofSend.AUTO)
    proof_deadline_hours: Mapped[int] = mapped_column(default=48)
    proof_at_deadline: Mapped[ProofAtDeadline] = mapped_column(default=ProofAtDeadline.WAIT)
    # Virtual try-on (#23): {"kind", "anchor", "scale", "offset_x", "offset_y"}
    # (app/product_templates/try_on.py), or None when the template offers none.
    try_on: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    print_areas: Mapped[list[PrintArea]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="PrintArea.position"
    )


class PrintArea(IdMixin, ShopOwnedMixin, Base):
    __tablename__ = "print_areas"
    __table_args__ = (
        UniqueConstraint("template_id", "key", name="uq_print_areas_template_id_key"),
    )

    template_id: Mapped[int] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))  # "front", "back", "wrap"…
    name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)
    width_mm: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    height_mm: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    dpi: Mapped[int] = mapped_column(default=300)
    bleed_mm: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("3"))
    safe_margin_mm: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("3"))
    mockup_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"), index=True
    )
    # Where the area sits on the mockup image, in mockup pixels: {"x", "y", "width", "height"}.
    mockup_placement: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    # For 3D: the UV rectangle of the model this area is printed on: {"u0","v0","u1","v1"}.
    uv_region: Mapped[dict[str, Any]] = mapped_column(default=json_default)

    template: Mapped[Template] = relationship(back_populates="print_areas")
    # More pictures of the product showing this area (the back, a side, on a model), after the
    # mockup above: the shopper switches between them (``app.design.template.View``).
    views: Mapped[list[PrintAreaView]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="PrintAreaView.position"
    )

    @property
    def pixel_size(self) -> tuple[int, int]:
        """Print-file size in pixels including bleed on both sides, rounded to whole pixels."""
        bleed = 2 * self.bleed_mm
        to_px = Decimal(self.dpi) / Decimal("25.4")
        width = ((self.width_mm + bleed) * to_px).to_integral_value()
        height = ((self.height_mm + bleed) * to_px).to_integral_value()
        return int(width), int(height)


class PrintAreaView(IdMixin, ShopOwnedMixin, Base):
    """One more picture of a print area: the merchant's photo and where the area sits on it
    (the same ``mockup_placement`` shape as the area's own, displacement included)."""

    __tablename__ = "print_area_views"

    print_area_id: Mapped[int] = mapped_column(
        ForeignKey("print_areas.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(255))
    mockup_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"), index=True
    )
    placement: Mapped[dict[str, Any]] = mapped_column(default=json_default)

    area: Mapped[PrintArea] = relationship(back_populates="views")
