"""Analytics (issue #23): daily counters per shop, template, day, event kind and key.

One row counts how many times ``kind`` happened on ``day`` (UTC) for a template, the key naming
what it was about where a kind has one (a font family, a clipart ref, a colour, a preflight
code); an empty key otherwise. Recording adds to ``count`` with one
``INSERT … ON CONFLICT DO UPDATE`` (``app.analytics.events``), so a batch costs one statement
however many events it carries. Nothing here names a shopper: no customer, address, browser or
typed text. ``template_id`` is a plain number (no foreign key): a deleted template's history
still counts in the shop's totals until retention removes it after 13 months.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.base import IdMixin, ShopOwnedMixin


class EventKind(enum.StrEnum):
    """What a counter counts. The widget may send only ``BROWSER_KINDS``; the rest come from
    the order sync when a design goes to production."""

    EDITOR_OPENED = "editor_opened"
    DESIGN_STARTED = "design_started"
    ADDED_TO_CART = "added_to_cart"
    PREFLIGHT_FIXED = "preflight_fixed"  # key: the warning's code
    PREFLIGHT_IGNORED = "preflight_ignored"  # key: the warning's code
    ORDERED = "ordered"
    AI_IMAGE_USED = "ai_image_used"  # AI images placed in ordered designs
    FONT = "font"  # key: the family of a text in an ordered design
    CLIPART = "clipart"  # key: the clipart ref
    COLOUR = "colour"  # key: #rrggbb


BROWSER_KINDS = frozenset(
    {
        EventKind.EDITOR_OPENED,
        EventKind.DESIGN_STARTED,
        EventKind.ADDED_TO_CART,
        EventKind.PREFLIGHT_FIXED,
        EventKind.PREFLIGHT_IGNORED,
    }
)
KEY_LENGTH = 64


class AnalyticsCounter(IdMixin, ShopOwnedMixin, Base):
    __tablename__ = "analytics_counters"
    # The one index: every read and write names the shop and a day or a range of days (the
    # dashboard, the upsert's conflict target, the retention sweep shop by shop). Fewer indexes,
    # cheaper upserts.
    __table_args__ = (UniqueConstraint("shop_id", "day", "template_id", "kind", "key"),)

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    day: Mapped[date]
    template_id: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), default="")
    count: Mapped[int] = mapped_column(BigInteger, default=0)
