"""How the app writes values into JSON it answers or stores: one spelling each.

Datetimes from the database are always aware UTC (``app.db.UTCDateTime``), so their ISO 8601
form always carries its offset.
"""

from __future__ import annotations

from datetime import datetime


def iso(moment: datetime | None) -> str | None:
    """ISO 8601, or None for no moment."""
    return moment.isoformat() if moment is not None else None
