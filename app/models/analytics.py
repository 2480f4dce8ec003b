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

from sqlalchemy import BigInteger, ForeignKey, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


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


class AnalyticsCounter(Base):
    """A counter is named by what it counts: its primary key, also the upsert's conflict target
    and the table's one index. In this order the dashboard reads each kind's rows as one range
    (a funnel kind's ``key`` is empty) and groups by kind and key in the key's order. On SQLite
    the table is ``WITHOUT ROWID``, stored in that order: a range is read without a lookup per
    row."""

    __tablename__ = "analytics_counters"
    __table_args__ = (
        PrimaryKeyConstraint("shop_id", "kind", "key", "day", "template_id"),
        {"sqlite_with_rowid": False},
    )

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    day: Mapped[date]
    template_id: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), default="")
    count: Mapped[int] = mapped_column(BigInteger, default=0)
