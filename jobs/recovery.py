"""The design recovery e-mail: ``send_link`` for one ordered line (``app.sync.recovery``).

Its dotted path (``jobs.recovery.send_link``) is stored with every queued e-mail: the name stays.
"""

from __future__ import annotations

from app.sync import recovery


def send_link(order_item_id: int) -> str:
    """Mail the shopper the link to add the line's missing design (skipped once not needed)."""
    return recovery.send_link(order_item_id)
